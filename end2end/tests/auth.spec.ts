import { test, expect } from "@playwright/test";
import { ADMIN, db, fieldError, open, signIn, uniq } from "./helpers";

test("sign-in with the demo administrator opens the console", async ({ page }) => {
  await signIn(page);
  await expect(page.locator(".user-menu .user")).toContainText("周明");
  await expect(page.locator(".topbar .areas")).toContainText("设置");
  await expect(page.locator("h1")).toContainText("欢迎");
});

test("a wrong password is refused with a clear message and no session", async ({ page }) => {
  await open(page, "/login");
  // An unknown login, so the demo accounts' throttles stay untouched.
  await page.locator('input[name="login"]').fill("13999999999");
  await page.locator('input[name="password"]').fill("wrong-password-1");
  await page.locator('button[type="submit"]').click();
  await expect(page.locator(".form-error")).toHaveText("账号或密码错误");
  await open(page, "/settings/brands");
  await expect(page).toHaveURL(/\/login$/);
});

test("the sign-in form checks its fields in the browser", async ({ page }) => {
  await open(page, "/login");
  await page.locator('input[name="login"]').fill("not-a-login");
  await page.locator('button[type="submit"]').click();
  await expect(fieldError(page, "login")).toHaveText("请输入手机号或邮箱");
  await expect(fieldError(page, "password")).toHaveText("必填");
});

test("sign-out ends the session", async ({ page }) => {
  await signIn(page);
  await page.locator(".user-menu .user").click();
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await open(page, "/settings/brands");
  await expect(page).toHaveURL(/\/login$/);
});

test("a new account receives its initial password in the outbox and must change it", async ({ page, browser }) => {
  await signIn(page);
  await open(page, "/settings/accounts");
  const mobile = `139${uniq().padStart(8, "0").slice(-8)}`;
  await page.getByRole("button", { name: "新建" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator('input[name="name"]').fill("赵新");
  await dialog.locator('input[name="mobile"]').fill(mobile);
  await dialog.locator('select[name="position_id"]').selectOption({ label: "营销运营" });
  await dialog.locator('button[type="submit"]').click();
  await expect(page.locator(".toast")).toContainText("初始密码已发送");

  const body: string = await db(async (c) => {
    const r = await c.query("SELECT body FROM outbox WHERE address = $1 AND channel = 'sms' ORDER BY id DESC LIMIT 1", [mobile]);
    return r.rows[0].body;
  });
  const password = /初始密码：([A-Za-z0-9]+)。/.exec(body)![1];

  const other = await (await browser.newContext()).newPage();
  await open(other, "/login");
  await other.locator('input[name="login"]').fill(mobile);
  await other.locator('input[name="password"]').fill(password);
  await other.locator('button[type="submit"]').click();
  await expect(other).toHaveURL(/\/change-password$/);
  await other.locator("body[data-hydrated]").waitFor();
  await other.locator('input[name="current"]').fill(password);
  await other.locator('input[name="new"]').fill("short");
  await other.locator('input[name="repeat"]').fill("short");
  await other.locator('button[type="submit"]').click();
  await expect(fieldError(other, "new")).toContainText("至少 8 位");
  await other.locator('input[name="new"]').fill("NewPass2026");
  await other.locator('input[name="repeat"]').fill("NewPass2026");
  await other.locator('button[type="submit"]').click();
  await expect(other.locator(".user-menu .user")).toContainText("赵新");
});

test("the administrator switches between the two demo enterprises", async ({ page }) => {
  await signIn(page, ADMIN);
  const switcher = page.locator('select[name="enterprise"]');
  await expect(switcher.locator("option:checked")).toHaveText("鲜享食品集团");
  await switcher.selectOption({ label: "山岚茶业" });
  // The switch reloads the console on its home page, now in the other enterprise.
  await expect(page.locator("main .hint")).toHaveText("山岚茶业 · 超级管理员");
  await open(page, "/settings/products");
  await expect(page.locator("table.data tbody")).toContainText("山岚明前龙井");
  await expect(page.locator("table.data tbody")).not.toContainText("鲜享特级生抽");
  await page.locator('select[name="enterprise"]').selectOption({ label: "鲜享食品集团" });
  await expect(page.locator("main .hint")).toHaveText("鲜享食品集团 · 超级管理员");
});
