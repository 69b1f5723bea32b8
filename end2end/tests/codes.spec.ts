import { test, expect, Page, Locator } from "@playwright/test";
import { execFileSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ADMIN, db, open, signIn, uniq } from "./helpers";

// Demo people (src/server/seed.rs): 李娜 the code administrator applies, 周明 (super
// administrator) reviews, 王建国 of the packaging factory receives the files, 李娜 the passwords.
const CODE_ADMIN = { login: "13800000001", password: "Tessera2026" };
const RECEIVER = { login: "receiver@huaxin-pack.cn", password: "Tessera2026" };

/** Picks the option of a <select> whose text contains `text`. */
async function choose(select: Locator, text: string) {
  const value = await select.locator("option", { hasText: text }).first().getAttribute("value");
  await select.selectOption(value!);
}

/** The newest outbox message whose subject contains `subject`. */
async function message(subject: string): Promise<string> {
  return db(async (c) => {
    const r = await c.query("SELECT body FROM outbox WHERE subject LIKE $1 ORDER BY id DESC LIMIT 1", [`%${subject}%`]);
    return r.rows[0]?.body as string;
  });
}

test("a package goes from spec to a queried code: apply, approve, generate, deliver, download, unzip, activate, query", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const admin = await (await browser.newContext()).newPage();
  const applicant = await (await browser.newContext()).newPage();
  const receiver = await (await browser.newContext({ acceptDownloads: true })).newPage();
  const specName = `瓶盖码${uniq()}`;
  const packageName = `端到端码包${uniq()}`;

  // 1. The administrator creates a spec with its review flow.
  await signIn(admin, ADMIN);
  await open(admin, "/codes/specs");
  await admin.getByRole("button", { name: "新建" }).click();
  const form = admin.getByRole("dialog");
  await form.locator('input[name="name"]').fill(specName);
  for (const f of ["serial", "code", "url", "pin"]) {
    await form.locator(`input[name="file_field"][value="${f}"]`).check();
  }
  await form.locator('select[name="pin_digits"]').selectOption("6");
  await form.locator('input[name="flow_name"]').fill("端到端审核");
  await choose(form.locator('select[name="applicants"]'), "李娜");
  await choose(form.locator('select[name="reviewers"]'), "周明");
  await choose(form.locator('select[name="file_receivers"]'), "王建国");
  await choose(form.locator('select[name="password_receivers"]'), "李娜");
  await form.locator('button[type="submit"]').click();
  await expect(admin.locator("table.data tbody")).toContainText(specName);

  // 2. The code administrator applies for 1,000 codes in 2 files.
  await signIn(applicant, CODE_ADMIN);
  await open(applicant, "/codes/packages");
  await applicant.getByRole("button", { name: "申请码包" }).click();
  const apply = applicant.getByRole("dialog");
  await apply.locator("label", { hasText: specName }).click();
  await apply.getByRole("button", { name: "下一步" }).click();
  await apply.locator('input[name="name"]').fill(packageName);
  await apply.locator('input[name="code_count"]').fill("1000");
  await apply.locator('input[name="file_count"]').fill("2");
  await expect(apply.getByTestId("codes-per-file")).toContainText("500");
  await choose(apply.locator('select[name="factory_id"]'), "华新包装厂");
  await apply.locator('button[type="submit"]').click();
  const mine = applicant.locator("table.data tbody tr", { hasText: packageName });
  await expect(mine).toContainText("待审核");

  // 3. The administrator approves it; the list shows the generation and then its end.
  await open(admin, "/codes/packages");
  await admin.getByRole("tab", { name: "待审核" }).click();
  const row = admin.locator("table.data tbody tr", { hasText: packageName });
  await row.getByRole("button", { name: "审核" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "通过" }).click();
  await admin.getByRole("tab", { name: "已审核" }).click();
  const reviewed = admin.locator("table.data tbody tr", { hasText: packageName });
  await expect(reviewed.locator(".progress, [data-status='generating'], [data-status='generated']").first()).toBeVisible();
  await expect(reviewed.locator("[data-status='generated']")).toBeVisible({ timeout: 60_000 });

  // 4. It is sent to the receivers: two separate messages.
  await reviewed.getByRole("link", { name: "查看" }).click();
  await admin.getByRole("button", { name: "发送给接收人" }).click();
  await admin.getByRole("alertdialog").getByRole("button", { name: "确定" }).click();
  // The two messages exist once the send has committed.
  await expect.poll(() => message(`「${packageName}」解压密码`), { timeout: 15_000 }).toBeTruthy();
  const linkMessage = await message(`「${packageName}」提取链接`);
  const passwordMessage = await message(`「${packageName}」解压密码`);
  const link = linkMessage.match(/\/codes\/receive\/[A-Za-z0-9_-]+/)![0];
  const extractionCode = linkMessage.match(/提取码：(\S+)/)![1];
  const password = passwordMessage.match(/批次 1：文件 \S+，解压密码：(\S+)/)![1];
  expect(linkMessage).not.toContain(password);

  // 5. The receiver extracts with the code and downloads batch 1.
  await signIn(receiver, RECEIVER);
  await open(receiver, link);
  await receiver.locator('input[name="code"]').fill(extractionCode);
  await receiver.getByRole("button", { name: "提取" }).click();
  const [download] = await Promise.all([
    receiver.waitForEvent("download"),
    receiver.locator("table.data tbody tr").first().getByRole("link", { name: "下载" }).click(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "tessera-e2e-zip-"));
  const zip = join(dir, download.suggestedFilename());
  await download.saveAs(zip);

  // 6. The ZIP opens with the password from the other message (7-Zip, AES-256).
  execFileSync("7z", ["x", `-p${password}`, `-o${dir}/out`, zip], { stdio: "pipe" });
  const csv = readdirSync(join(dir, "out"))[0];
  const lines = readFileSync(join(dir, "out", csv), "utf8").trim().split(/\r?\n/);
  expect(lines[0]).toBe("serial,code,url,pin");
  expect(lines.length).toBe(1 + 500);
  const [serial, code, url] = lines[10].split(",");
  expect(url).toContain(`/s/${code}`);
  expect(() => execFileSync("7z", ["t", "-pWRONGPASSWORD", zip], { stdio: "pipe" })).toThrow();

  // 7. The administrator enters info for serials 1–100 and activates them now.
  await open(admin, "/codes/activation");
  await choose(admin.locator('select[name="package_id"]'), packageName);
  await admin.getByRole("button", { name: "新增号段" }).click();
  const range = admin.getByRole("dialog");
  await range.locator('input[name="serial_start"]').fill("1");
  await range.locator('input[name="serial_end"]').fill("100");
  await choose(range.locator('select[name="product_id"]'), "鲜享特级生抽");
  await range.locator('button[type="submit"]').click();
  await admin.getByRole("button", { name: "按号段", exact: true }).click();
  const entered = admin.locator("table.data tbody tr").filter({ hasText: "00000100" });
  await entered.getByRole("button", { name: "激活", exact: true }).click();
  await admin.getByRole("dialog").locator('button[type="submit"]').click();
  await expect(admin.locator("table.data tbody tr").filter({ hasText: "00000100" })).toContainText("已激活");

  // 8. A code from the file is found: its package, serial and activation with the product.
  await open(admin, "/codes/query");
  await admin.locator('input[name="text"]').fill(url);
  await admin.getByRole("button", { name: "查询" }).first().click();
  const result = admin.locator("[data-result='valid']");
  await expect(result).toContainText(packageName);
  await expect(result).toContainText(serial);
  await expect(result).toContainText("已激活");
  await expect(result).toContainText("鲜享特级生抽");
});
