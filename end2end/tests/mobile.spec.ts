import { test, expect } from "@playwright/test";
import { open, signIn } from "./helpers";

test("at 360 px the sign-in page and the mobile layout are usable", async ({ page }) => {
  await signIn(page);
  await open(page, "/m");
  await expect(page.locator(".mobile-bar")).toContainText("周明");
  await expect(page.locator("h1")).toHaveText("我的消息");
  // Nothing overflows the 360 px viewport horizontally.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
});

test("at 360 px the console pages still work", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/brands");
  await expect(page.locator("table.data tbody")).toContainText("鲜享");
});
