import { test, expect, Browser, Page } from "@playwright/test";
import { db, open, signIn, uniq } from "./helpers";

// The consumer's journey on a phone: scan a code of the demo package → draw → win → claim with
// an address → my prizes; then the admin finds the scan and the win in the code query and in
// the campaign data.

/** The admin's console in a desktop-sized context of its own. */
async function adminPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
  const page = await context.newPage();
  await signIn(page);
  return page;
}

/** A server function call from the admin's session (the console's own JSON API). */
async function call(admin: Page, endpoint: string, data: unknown) {
  const r = await admin.request.post(`/api/${endpoint}`, { data });
  const body = await r.json();
  expect(r.ok(), `${endpoint}: ${JSON.stringify(body)}`).toBeTruthy();
  return body;
}

/** A campaign over the demo spec whose one goods prize every draw wins, ahead of the demo
 *  campaign by priority. Created through the same server functions the wizard calls. */
async function launchSureWin(admin: Page, specId: number, name: string): Promise<number> {
  const none = { per_day: null, per_campaign: null, minutes_after_first_scan: null, minutes_after_activation: null };
  const input = {
    basic: {
      kind: "NineGrid",
      name,
      starts_at: new Date(Date.now() - 60_000).toISOString(),
      ends_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      cycle: "Unlimited",
      description: "扫码必中保温杯",
    },
    settings: {
      spec_ids: [specId],
      product_ids: [],
      provinces: [],
      scans_per_code: null,
      scans_per_code_per_person: null,
      code_draws: { ...none, rescans: null },
      code_wins: none,
      user_draws: { per_day: null, per_campaign: null, seconds_between_draws: null },
      user_wins: { per_day: null, per_campaign: null, every_draw_wins: false },
    },
    prizes: [
      {
        key: 1, name: "测试保温杯", kind: "Goods", image: null, points: 0, value_fen: 5900, quantity: 1000,
        warning_value: null, claim_expiry: { Days: 7 }, daily_cap: null, per_person_cap: null,
        per_person_daily_cap: null, over_limit: null, coupon: null, awarded: 0,
      },
    ],
    delivery: {
      default_plan: {
        key: 0, name: "默认方案",
        conditions: {
          product_ids: [], risk_levels: [], audience: null, provinces: [], window: "Unlimited",
          draw_count: null, participation_count: null, prizes_won: null, crowd_ids: [],
        },
        groups: [{ entries: [{ prize: 1, probability_ppm: 1_000_000, warning_value: null, over_limit: null }] }],
      },
      precision: [],
    },
    page: { title: "扫码必中", primary_color: "#d7263d", background_color: "#fff4e6", banner_image: null, rules: "每次扫码抽一次" },
  };
  const saved = await call(admin, "campaigns/save", { id: null, version: 0, step: 1, input });
  const full = await call(admin, "campaigns/save", { id: saved.id, version: saved.version, step: 5, input });
  const launched = await call(admin, "campaigns/action", { id: saved.id, version: full.version, action: "Launch" });
  await call(admin, "campaigns/priority", { id: saved.id, priority: 1000 });
  expect(launched.id).toBe(saved.id);
  return saved.id;
}

test("scan → draw → win → claim with an address → my prizes; the admin sees it", async ({ browser }) => {
  const admin = await adminPage(browser);
  const { specId, packageId } = await db(async (c) => {
    const r = await c.query(
      `SELECT p.spec_id, p.id FROM code_packages p JOIN code_ranges r ON r.package_id = p.id AND r.status = 'active'
        ORDER BY p.id LIMIT 1`,
    );
    return { specId: Number(r.rows[0].spec_id), packageId: Number(r.rows[0].id) };
  });
  const name = `必中活动${uniq()}`;
  const campaignId = await launchSureWin(admin, specId, name);

  // A code of the activated demo package, as printed on a product.
  const serial = `${packageId}-${String(19_000 + Math.floor(Math.random() * 900)).padStart(8, "0")}`;
  const found = await call(admin, "codes/query", { text: serial });
  const code: string = found.Found.code;

  // The phone: a fresh context that shares its location (Shanghai).
  const phoneContext = await browser.newContext({
    viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN",
    geolocation: { latitude: 31.2304, longitude: 121.4737 }, permissions: ["geolocation"],
  });
  const phone = await phoneContext.newPage();
  await open(phone, `/s/${code}`);
  await expect(phone.locator("[data-test=scan-signal]")).toBeVisible();
  await expect(phone.locator("[data-test=scan-count]")).toHaveAttribute("data-count", /\d+/);
  await phone.locator("[data-test=draw]").click();
  const result = phone.locator("[data-test=result]");
  await expect(result.locator("[data-test=prize-name]")).toHaveText("测试保温杯", { timeout: 15_000 });

  // Claim: goods need an address; the browser refuses an empty form with the same rule.
  await result.locator("[data-test=claim]").first().click();
  await result.locator('input[name="name"]').fill("王小明");
  await result.locator('input[name="mobile"]').fill("13912345678");
  await result.locator('select[name="province"]').selectOption("上海市");
  await result.locator('input[name="city"]').fill("上海市");
  await result.locator('input[name="detail"]').fill("浦东新区世纪大道 100 号");
  await result.locator('button[type="submit"][data-test="claim"]').click();
  await expect(result.locator("[data-test=address]")).toContainText("世纪大道");

  // My prizes lists it as claimed.
  await phone.locator("[data-test=my-prizes]").click();
  await phone.locator("body[data-hydrated]").waitFor();
  const mine = phone.locator("[data-test=prize-list] [data-test=prize]").filter({ hasText: "测试保温杯" });
  await expect(mine.first()).toContainText("已领取");

  // The admin: the code query shows the scan (in Shanghai) and the won prize of this campaign.
  await open(admin, "/codes/query");
  await admin.locator('input[name="text"]').fill(serial);
  await admin.getByRole("button", { name: "查询" }).first().click();
  const records = admin.locator("[data-test=scan-records]");
  await expect(records).toContainText(name);
  await expect(records).toContainText("上海");
  await expect(records).toContainText("测试保温杯");

  // … and the campaign data counts the draw, the win and the claim.
  await open(admin, `/marketing/data?campaign=${campaignId}`);
  await expect(admin.locator("[data-kpi=draws] strong")).toHaveText("1");
  await expect(admin.locator("[data-kpi=wins] strong")).toHaveText("1");
  await expect(admin.locator("[data-kpi=claims] strong")).toHaveText("1");

  // End it so it does not take the demo campaign's scans in later tests.
  const detail = await call(admin, "campaigns/get", { id: campaignId });
  await call(admin, "campaigns/action", { id: campaignId, version: detail.campaign.version, action: "End" });
});
