import { test, expect, devices, Browser, Page } from "@playwright/test";
import { fieldError, open, signIn, uniq } from "./helpers";

// 推广码: the 128-byte parameter string (counted live in UTF-8 bytes, refused by the browser and
// by the server alike), a code's journey from creation to a phone visitor counted in the
// analysis, and a deleted code whose printed link keeps working.

const CODES = "/marketing/promotion-codes";
const ANALYSIS = "/marketing/promotion-codes/analysis";

type Params = { source: string; medium: string; campaign: string; content: string; term: string };

/** The `PromotionInput` of a new code opening the member centre, as the server function takes it. */
function newCode(name: string, params: Partial<Params> = {}) {
  return {
    id: null,
    version: 0,
    name,
    target: "MemberCentre",
    external_url: "",
    params: { source: "", medium: "", campaign: "", content: "", term: "", ...params },
    expires_at: null,
    auto_tag: "",
  };
}

/** Creates a code through the server function the form calls; returns its id. */
async function createCode(page: Page, name: string, params: Partial<Params> = {}): Promise<number> {
  const r = await page.request.post("/api/promotion/save", { data: { input: newCode(name, params) } });
  const body = await r.text();
  expect(r.status(), body).toBe(200);
  return Number(JSON.parse(body));
}

/** The list's row of a code. */
function rowOf(page: Page, name: string) {
  return page.locator("[data-test=pc-list] table.data tbody tr").filter({ hasText: name });
}

/** The short link shown in a row's detail panel (the panel is closed again). */
async function shortLinkOf(page: Page, name: string): Promise<string> {
  await rowOf(page, name).locator("[data-test=pc-detail]").click();
  const panel = page.locator("[data-test=pc-detail-panel]");
  await expect(panel).toBeVisible();
  const link = ((await panel.locator("[data-test=pc-short-link]").textContent()) ?? "").trim();
  // An absolute link of the `/p/<token>` form, the token of the list's row.
  expect(link).toMatch(/^https?:\/\/[^/]+\/p\/[2-9a-hjkmnp-z]{8}$/);
  const token = ((await rowOf(page, name).locator("[data-test=pc-token]").textContent()) ?? "").trim();
  expect(link.endsWith(`/p/${token}`)).toBeTruthy();
  await page.getByRole("dialog").getByRole("button", { name: "关闭" }).click();
  await expect(panel).toHaveCount(0);
  return link;
}

/** Opens `link` as a consumer would: a fresh phone browser (a real phone user agent — headless
 *  Chromium's own is counted as a bot) with no cookies. Returns where it landed. */
async function visitOnPhone(browser: Browser, link: string): Promise<URL> {
  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  try {
    const p = await phone.newPage();
    const answer = await p.goto(link);
    expect(answer?.status()).toBeLessThan(400);
    return new URL(p.url());
  } finally {
    await phone.close();
  }
}

/** Narrows the list to `name` (so it is on the first page whatever else exists). */
async function search(page: Page, name: string) {
  await page.locator('input[name="pc_q"]').fill(name);
  await page.locator("form.filters button[type=submit]").click();
  await expect(rowOf(page, name)).toHaveCount(1);
}

test("the parameter string is limited to 128 UTF-8 bytes, in the browser as typed and on the server", async ({ page }) => {
  await signIn(page);
  await open(page, CODES);
  await page.locator("[data-test=pc-new]").click();
  const form = page.locator("[data-test=pc-form]");
  await expect(form).toBeVisible();
  await form.locator('input[name="name"]').fill(`字节上限${uniq()}`);
  const counter = form.locator("[data-test=pc-bytes]");
  await expect(counter).toHaveText("参数串 0 / 128 字节");

  // "utm_source=" is 11 bytes and each 码 3: 39 of them make exactly 128 — allowed.
  const source = form.locator('input[name="source"]');
  await source.fill("码".repeat(39));
  await expect(counter).toHaveText("参数串 128 / 128 字节");
  await expect(counter).not.toHaveClass(/\bover\b/);
  await expect(form.locator("[data-test=pc-preview]")).toHaveText(`utm_source=${"码".repeat(39)}`);
  await expect(fieldError(page, "params")).toHaveCount(0);

  // One more (ASCII) character: 129 bytes, though only 40 characters.
  await source.press("End");
  await source.pressSequentially("a");
  await expect(counter).toHaveText("参数串 129 / 128 字节");
  await expect(counter).toHaveClass(/\bover\b/);

  // Saving is refused in the browser: the field error, and no request.
  let sent = 0;
  page.on("request", (r) => {
    if (r.url().includes("/api/promotion/save")) sent++;
  });
  await form.locator('button[type="submit"]').click();
  await expect(fieldError(page, "params")).toBeVisible();
  await expect(fieldError(page, "params")).toContainText("129");
  await expect(form).toBeVisible();
  expect(sent).toBe(0);

  // The server refuses the same input on its own (422, on the `params` field) …
  const over = await page.request.post("/api/promotion/save", {
    data: { input: newCode(`字节上限${uniq()}`, { source: "码".repeat(39) + "a" }) },
  });
  expect(over.status()).toBe(422);
  expect(await over.text()).toContain("params");
  // … and accepts the 128-byte one.
  const id = await createCode(page, `字节上限${uniq()}`, { source: "码".repeat(39) });
  expect(id).toBeGreaterThan(0);
});

test("a new code's short link brings a phone visitor: one visit and one acquired consumer in the analysis", async ({ page, browser }) => {
  await signIn(page);
  await open(page, CODES);
  const name = `公众号文章${uniq()}`;

  // Create through the form.
  await page.locator("[data-test=pc-new]").click();
  const form = page.locator("[data-test=pc-form]");
  await form.locator('input[name="name"]').fill(name);
  await form.locator('select[name="target"]').selectOption("member");
  await form.locator('input[name="source"]').fill("wechat");
  await form.locator('input[name="medium"]').fill("article");
  await expect(form.locator("[data-test=pc-preview]")).toHaveText("utm_source=wechat&utm_medium=article");
  await expect(form.locator("[data-test=pc-bytes]")).toHaveText("参数串 36 / 128 字节");
  const saved = page.waitForResponse((r) => r.url().includes("/api/promotion/save") && r.request().method() === "POST");
  await form.locator('button[type="submit"]').click();
  const answer = await saved;
  expect(answer.status()).toBe(200);
  const id = Number(await answer.text());
  await expect(form).toHaveCount(0);
  await expect(page.locator(".toast").filter({ hasText: "推广码已保存" })).toBeVisible();

  // It is in the list, with its parameters and nothing counted yet.
  await search(page, name);
  const row = rowOf(page, name);
  await expect(row.locator("[data-test=pc-params]")).toHaveText("utm_source=wechat&utm_medium=article");
  await expect(row).toContainText("会员中心");
  await expect(row.locator("[data-test=pc-visits]")).toHaveText("0 / 0");
  await expect(row.locator("[data-test=pc-acquired]")).toHaveText("0 / 0");
  await expect(row.locator("[data-test=pc-status]")).toHaveText("有效");

  // The detail panel: each parameter, the QR preview and the downloads.
  await row.locator("[data-test=pc-detail]").click();
  const panel = page.locator("[data-test=pc-detail-panel]");
  await expect(panel.locator('dd[data-param="source"]')).toHaveText("wechat");
  await expect(panel.locator('dd[data-param="medium"]')).toHaveText("article");
  await expect(panel.locator('dd[data-param="campaign"]')).toHaveText("(未设置)");
  await expect(panel.locator("[data-test=pc-qr]")).toHaveAttribute("src", `/files/promotion/${id}/qr.svg?logo=0`);
  await expect(panel.locator("[data-test=pc-download-png]")).toHaveAttribute("href", `/files/promotion/${id}/qr.png?cm=8&logo=0`);
  await panel.locator("[data-test=pc-qr-size]").selectOption("15");
  await expect(panel.locator("[data-test=pc-download-png]")).toHaveAttribute("href", `/files/promotion/${id}/qr.png?cm=15&logo=0`);
  await expect(panel.locator("[data-test=pc-download-svg]")).toHaveAttribute("href", `/files/promotion/${id}/qr.svg?logo=0`);
  await page.getByRole("dialog").getByRole("button", { name: "关闭" }).click();
  const link = await shortLinkOf(page, name);

  // A consumer opens it on a phone: the member centre, with the code's parameters.
  const landed = await visitOnPhone(browser, link);
  expect(landed.pathname).toBe("/c/profile");
  expect(landed.searchParams.get("e")).toBeTruthy();
  expect(landed.searchParams.get("utm_source")).toBe("wechat");
  expect(landed.searchParams.get("utm_medium")).toBe("article");

  // The analysis of that code: one visit, one consumer acquired (first touch, the default).
  await open(page, ANALYSIS);
  await expect(page.locator("[data-test=pc-crowd-note]")).toContainText("将这些推广码带来的消费者生成人群」暂未提供");
  const choice = page.locator("[data-test=pc-choice]").filter({ hasText: name });
  await choice.locator('input[type="checkbox"]').check();
  await expect(page.locator("[data-test=pc-selected]")).toHaveText("已选 1 / 5");
  const seriesRow = page.locator("[data-test=pc-series-table] tbody tr").filter({ hasText: name });
  await expect(async () => {
    const answered = page.waitForResponse((r) => r.url().includes("/api/promotion/analysis"));
    await page.locator("[data-test=pc-query]").click();
    expect((await answered).status()).toBe(200);
    await expect(seriesRow.locator('td[data-col="visits"]')).toHaveText("1", { timeout: 2_000 });
    await expect(seriesRow.locator('td[data-col="consumers"]')).toHaveText("1", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(seriesRow.locator('td[data-col="visitors"]')).toHaveText("1");
  // Only that code was asked for: the totals are its own.
  await expect(page.locator("[data-test=pc-series-table] tbody tr")).toHaveCount(1);
  await expect(page.locator('[data-test=pc-kpis] [data-kpi="visits"] strong')).toHaveText("1");
  await expect(page.locator('[data-test=pc-kpis] [data-kpi="credited"] strong')).toHaveText("1");
  await expect(page.locator("[data-test=pc-export]")).toHaveAttribute(
    "href",
    new RegExp(`^/files/promotion/analysis\\.csv\\?from=\\d{4}-\\d{2}-\\d{2}&to=\\d{4}-\\d{2}-\\d{2}&codes=${id}&split=code&attribution=first$`),
  );

  // Split by source: the code's value is the group.
  await page.locator('select[name="split"]').selectOption("source");
  const bySource = page.waitForResponse((r) => r.url().includes("/api/promotion/analysis"));
  await page.locator("[data-test=pc-query]").click();
  await bySource;
  const wechat = page.locator("[data-test=pc-series-table] tbody tr").filter({ hasText: "wechat" });
  await expect(wechat.locator('td[data-col="visits"]')).toHaveText("1");

  // The list counts it too.
  await open(page, CODES);
  await search(page, name);
  await expect(rowOf(page, name).locator("[data-test=pc-visits]")).toHaveText("1 / 1");
  await expect(rowOf(page, name).locator("[data-test=pc-acquired]")).toHaveText("1 / 1");
});

test("editing keeps the target and parameters; a deleted code leaves the list but its printed link still works", async ({ page, browser }) => {
  await signIn(page);
  const name = `海报${uniq()}`;
  await createCode(page, name, { source: "poster", medium: "offline" });
  await open(page, CODES);
  await search(page, name);

  // Edit: only the name, expiry and auto tag; the parameters are shown read-only.
  await rowOf(page, name).locator("[data-test=pc-edit]").click();
  const form = page.locator("[data-test=pc-form]");
  await expect(form.locator("[data-test=pc-fixed]")).toContainText("创建后不可修改");
  await expect(form.locator('[data-test=pc-fixed] dd[data-param="source"]')).toHaveText("poster");
  await expect(form.locator('input[name="source"]')).toHaveCount(0);
  await expect(form.locator('select[name="target"]')).toHaveCount(0);
  const renamed = `${name}改`;
  await form.locator('input[name="name"]').fill(renamed);
  const saved = page.waitForResponse((r) => r.url().includes("/api/promotion/save") && r.request().method() === "POST");
  await form.locator('button[type="submit"]').click();
  expect((await saved).status()).toBe(200);
  await expect(form).toHaveCount(0);
  await search(page, renamed);
  await expect(rowOf(page, renamed).locator("[data-test=pc-params]")).toHaveText("utm_source=poster&utm_medium=offline");
  const link = await shortLinkOf(page, renamed);

  // Delete, after a warning that printed codes keep working and nothing collected is lost.
  await rowOf(page, renamed).locator("[data-test=pc-delete]").click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("已印刷的码仍可访问");
  await expect(confirm).toContainText("已收集的数据不会删除");
  await expect(confirm).toContainText(renamed);
  const deleted = page.waitForResponse((r) => r.url().includes("/api/promotion/delete"));
  await confirm.locator("button.danger").click();
  expect((await deleted).status()).toBe(200);
  await expect(rowOf(page, renamed)).toHaveCount(0);

  // Shown again with "显示已删除", marked deleted, without edit, delete or downloads.
  await page.locator("[data-test=pc-show-deleted]").check();
  const row = rowOf(page, renamed);
  await expect(row).toHaveCount(1);
  await expect(row.locator("[data-test=pc-status]")).toHaveText("已删除");
  await expect(row.locator("[data-test=pc-edit]")).toHaveCount(0);
  await expect(row.locator("[data-test=pc-delete]")).toHaveCount(0);
  await row.locator("[data-test=pc-detail]").click();
  await expect(page.locator("[data-test=pc-deleted-note]")).toBeVisible();
  await expect(page.locator("[data-test=pc-download-png]")).toHaveCount(0);
  await expect(page.locator("[data-test=pc-download-svg]")).toHaveCount(0);
  await expect(page.locator("[data-test=pc-detail-panel] [data-test=pc-short-link]")).toHaveText(link);

  // The printed link still opens the member centre.
  const landed = await visitOnPhone(browser, link);
  expect(landed.pathname).toBe("/c/profile");
  expect(landed.searchParams.get("utm_source")).toBe("poster");
  expect(landed.searchParams.get("utm_medium")).toBe("offline");
});

test("the analysis compares at most five codes: a sixth is refused in the browser", async ({ page }) => {
  await signIn(page);
  const prefix = `对比${uniq()}-`;
  const ids: number[] = [];
  for (let i = 1; i <= 6; i++) {
    ids.push(await createCode(page, `${prefix}${i}`, { source: `s${i}` }));
  }
  await open(page, ANALYSIS);
  await page.locator('input[name="code_filter"]').fill(prefix);
  const choices = page.locator("[data-test=pc-choice]").filter({ hasText: prefix });
  await expect(choices.filter({ visible: true })).toHaveCount(6);
  for (let i = 1; i <= 5; i++) {
    await choices.filter({ hasText: `${prefix}${i}` }).locator('input[type="checkbox"]').check();
  }
  await expect(page.locator("[data-test=pc-selected]")).toHaveText("已选 5 / 5");
  const sixth = choices.filter({ hasText: `${prefix}6` }).locator('input[type="checkbox"]');
  await sixth.click();
  await expect(sixth).not.toBeChecked();
  await expect(page.locator("[data-test=pc-too-many]")).toHaveText("最多同时对比 5 个推广码");
  await expect(page.locator("[data-test=pc-selected]")).toHaveText("已选 5 / 5");

  // The five are queried together (in the order chosen), and exported the same way.
  const answered = page.waitForResponse((r) => r.url().includes("/api/promotion/analysis"));
  await page.locator("[data-test=pc-query]").click();
  const answer = await answered;
  expect(answer.status()).toBe(200);
  expect(answer.request().postDataJSON().query.codes).toEqual(ids.slice(0, 5));
  await expect(page.locator("[data-test=pc-export]")).toHaveAttribute("href", new RegExp(`&codes=${ids.slice(0, 5).join(",")}&`));
  await expect(page.locator("[data-test=pc-series-table] tbody tr").filter({ hasText: `${prefix}6` })).toHaveCount(0);
});
