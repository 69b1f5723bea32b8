import { test, expect, Page } from "@playwright/test";
import { fieldError, open, signIn, uniq } from "./helpers";

// The five-step wizard: each step refuses what its rule refuses (in the browser, and the server
// agrees on save), a draft survives a reload, the forecast and the preview follow the inputs,
// and the campaign goes through its states from the list.

/** A `datetime-local` value `days` from now (China time is what the form shows). */
function local(days: number): string {
  const t = new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000);
  return t.toISOString().slice(0, 16);
}

async function next(page: Page, step: number) {
  await page.locator("[data-test=wizard-next]").click();
  await expect(page).toHaveURL(new RegExp(`step=${step}`));
  await page.locator(`section.wz-step[data-step="${step}"]`).waitFor();
}

test("a nine-grid campaign through the five steps, validated at each, saved as a draft, launched, copied, ended", async ({ page }) => {
  await signIn(page);
  await open(page, "/marketing/campaigns");
  await page.locator("[data-test=new-nine_grid]").click();
  await page.locator('section.wz-step[data-step="1"]').waitFor();

  // 1. Basic: a name is required, and the end must come after the start.
  await page.locator("[data-test=wizard-next]").click();
  await expect(fieldError(page, "basic.name")).toBeVisible();
  const name = `春节扫码${uniq()}`;
  await page.locator('input[name="basic.name"]').fill(name);
  await page.locator('input[name="basic.starts_at"]').fill(local(3));
  await page.locator('input[name="basic.ends_at"]').fill(local(1));
  await page.locator("[data-test=wizard-next]").click();
  await expect(fieldError(page, "basic.ends_at")).toBeVisible();
  await page.locator('input[name="basic.ends_at"]').fill(local(30));
  await page.locator('textarea[name="basic.description"]').fill("每个瓶盖码可抽奖一次");
  await next(page, 2);

  // 2. Settings: at least one code spec.
  await page.locator("[data-test=wizard-next]").click();
  await expect(fieldError(page, "settings.spec_ids")).toBeVisible();
  await page.locator('input[name="settings.spec_ids"]').first().check();
  await next(page, 3);

  // 3. Prizes: at least one, each with a name.
  await page.locator("[data-test=wizard-next]").click();
  await expect(fieldError(page, "prizes")).toBeVisible();
  await page.locator("[data-test=add-prize]").click();
  await page.locator("[data-test=wizard-next]").click();
  await expect(fieldError(page, "prizes[0].name")).toBeVisible();
  await page.locator('input[name="prizes[0].name"]').fill("10 积分");
  await page.locator('input[name="prizes[0].points"]').fill("10");
  await page.locator('input[name="prizes[0].value_fen"]').fill("0.10");
  await next(page, 4);

  // 4. Delivery: a group's probabilities may not pass 100 %; the forecast follows them.
  await page.locator("[data-test=add-entry]").first().click();
  const pct = page.locator('input[name="delivery.default_plan.groups[0].entries[0].probability_ppm"]');
  await pct.fill("150");
  await page.locator("[data-test=wizard-next]").click();
  await expect(fieldError(page, "delivery.default_plan.groups[0].entries[0].probability_ppm")).toBeVisible();
  await pct.fill("50");
  await expect(page.locator("[data-test=group-total]").first()).toContainText("50");
  await expect(page.locator("[data-test=forecast-win-rate]")).toContainText("50");
  await next(page, 5);

  // 5. Page: a title is required; the preview shows what is typed.
  await page.locator("[data-test=wizard-launch]").click();
  await expect(fieldError(page, "page.title")).toBeVisible();
  await page.locator('input[name="page.title"]').fill("扫码赢积分");
  await expect(page.locator(".phone-preview, [data-test=preview]").first()).toContainText("扫码赢积分");

  // A draft survives a reload with what was entered.
  // Reloading before the save answered would lose it (the CI once did): wait for the answer.
  const saved = page.waitForResponse((r) => r.url().includes("/api/campaigns/save") && r.ok());
  await page.locator("[data-test=wizard-save]").click();
  await saved;
  await page.reload();
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.locator('input[name="page.title"]')).toHaveValue("扫码赢积分");

  // Launch: back to the list, where it is scheduled (it starts in 3 days).
  await page.locator("[data-test=wizard-launch]").click();
  await expect(page).toHaveURL(/\/marketing\/campaigns$/);

  // From the list: it cannot be paused before it runs, but it can be ended; a copy is a draft.
  await open(page, "/marketing/campaigns");
  // The original's row (the copy's name starts with the same text).
  const row = page.locator("table.data tbody tr").filter({ hasText: name, hasNotText: "副本" });
  await expect(row).toContainText("未开始");
  await row.locator("[data-test=campaign-copy]").click();
  const copy = page.locator("table.data tbody tr").filter({ hasText: `${name} 副本` });
  await expect(copy).toContainText("草稿");
  await row.locator("[data-test=campaign-end]").click();
  await page.getByRole("alertdialog").locator("button.danger").click();
  await expect(row).toContainText("已结束");
});
