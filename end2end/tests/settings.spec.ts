import { test, expect } from "@playwright/test";
import { fieldError, MARKETING, open, signIn, uniq } from "./helpers";

test("the language switch turns the console into English and back", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator(".topbar .areas")).toContainText("Settings");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.locator(".topbar .areas")).toContainText("设置");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
});

test("a brand is created, edited and deleted, and bad input is refused next to the field", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/brands");
  await page.getByRole("button", { name: "新建" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator('button[type="submit"]').click();
  await expect(fieldError(page, "name")).toHaveText("必填");
  // Duplicate: refused by the server, shown on the field.
  await dialog.locator('input[name="name"]').fill("鲜享");
  await dialog.locator('button[type="submit"]').click();
  await expect(fieldError(page, "name")).toHaveText("已存在，不能重复");
  const name = `测试品牌${uniq()}`;
  await dialog.locator('input[name="name"]').fill(name);
  await dialog.locator('button[type="submit"]').click();
  await expect(page.locator("table.data tbody")).toContainText(name);
  const row = page.locator("table.data tbody tr", { hasText: name });
  await row.getByRole("button", { name: "编辑" }).click();
  await expect(dialog.locator('input[name="name"]')).toHaveValue(name);
  await dialog.locator('input[name="remark"]').fill("华东新品牌");
  await dialog.locator('button[type="submit"]').click();
  await expect(row).toContainText("华东新品牌");
  await row.getByRole("button", { name: "删除" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "确定" }).click();
  await expect(page.locator("table.data tbody")).not.toContainText(name);
});

test("a brand still used by products cannot be deleted, and the message names them", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/brands");
  const row = page.locator("table.data tbody tr", { hasText: "老坛" });
  await row.getByRole("button", { name: "删除" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "确定" }).click();
  await expect(page.locator(".toast.error")).toContainText("老坛酸菜");
});

test("a product with a wrong EAN-13 check digit is refused on the barcode field", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/products");
  await page.getByRole("button", { name: "新建" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator('input[name="name"]').fill("测试产品");
  await dialog.locator('select[name="brand_id"]').selectOption({ label: "鲜享" });
  await dialog.locator('input[name="barcode"]').fill("6901234567893");
  await dialog.locator('input[name="unit_price"]').fill("12.999");
  await dialog.locator('button[type="submit"]').click();
  await expect(fieldError(page, "barcode")).toContainText("EAN-13");
  await expect(fieldError(page, "unit_price")).toContainText("两位小数");
  await expect(fieldError(page, "name")).toHaveCount(0);
});

test("a position with bad input is refused next to the right fields", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/positions");
  await page.getByRole("button", { name: "新建" }).click();
  const dialog = page.getByRole("dialog");
  // The name box stops at 10 characters (the server refuses more: see tests/permissions.rs).
  await dialog.locator('input[name="name"]').fill("区域营销运营经理助理岗");
  await expect(dialog.locator('input[name="name"]')).toHaveValue("区域营销运营经理助理");
  await dialog.locator('input[name="name"]').fill("");
  await dialog.locator('button[type="submit"]').click();
  await expect(fieldError(page, "name")).toHaveText("必填");
  await expect(fieldError(page, "grants")).toHaveText("必填");
  // A taken name is refused by the server, on the name field.
  await dialog.locator('input[name="name"]').fill("营销运营");
  await dialog.locator('input[name="grant-Campaigns"][value="view"]').check();
  await dialog.locator('button[type="submit"]').click();
  await expect(fieldError(page, "name")).toHaveText("已存在，不能重复");
  await expect(fieldError(page, "grants")).toHaveCount(0);
});

test("an account with a bad mobile and email is refused on those fields", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/accounts");
  await page.getByRole("button", { name: "新建" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator('input[name="name"]').fill("钱多多");
  await dialog.locator('input[name="mobile"]').fill("1380000");
  await dialog.locator('input[name="email"]').fill("qian@");
  await dialog.locator('button[type="submit"]').click();
  await expect(fieldError(page, "mobile")).toHaveText("请输入 11 位中国大陆手机号");
  await expect(fieldError(page, "email")).toHaveText("邮箱格式不正确");
  await expect(fieldError(page, "position_id")).toHaveText("必填");
  await expect(fieldError(page, "name")).toHaveCount(0);
});

test("the audit log records a change with who, what and when", async ({ page }) => {
  await signIn(page);
  await open(page, "/settings/brands");
  const name = `审计品牌${uniq()}`;
  await page.getByRole("button", { name: "新建" }).click();
  await page.getByRole("dialog").locator('input[name="name"]').fill(name);
  await page.getByRole("dialog").locator('button[type="submit"]').click();
  await expect(page.locator("table.data tbody")).toContainText(name);
  await open(page, "/settings/audit");
  const row = page.locator("table.data tbody tr", { hasText: name });
  await expect(row).toContainText("周明");
  await expect(row).toContainText("新建");
  await expect(row).toContainText(`品牌「${name}」`);
});

test("a position without settings access sees neither the menu nor the pages' data", async ({ page }) => {
  await signIn(page, MARKETING);
  await expect(page.locator(".topbar .areas")).toContainText("消费者营销");
  await expect(page.locator(".topbar .areas")).not.toContainText("码管理");
  await open(page, "/settings/accounts");
  await expect(page.locator(".form-error")).toContainText("没有权限");
});
