import { expect, Page } from "@playwright/test";
import { Client } from "pg";

export const ADMIN = { login: "13800000000", password: "Tessera2026" };
export const MARKETING = { login: "13800000002", password: "Tessera2026" };

/** Opens a page and waits until it is hydrated (interactive). */
export async function open(page: Page, url: string) {
  await page.goto(url);
  await page.locator("body[data-hydrated]").waitFor();
}

/** Signs in through the form and waits for the console. */
export async function signIn(page: Page, who = ADMIN) {
  await open(page, "/login");
  await page.locator('input[name="login"]').fill(who.login);
  await page.locator('input[name="password"]').fill(who.password);
  await page.locator('button[type="submit"]').click();
  await expect(page.locator(".topbar")).toBeVisible();
}

/** A suffix that keeps names unique across tests and runs. */
export function uniq(): string {
  return `${Date.now() % 100000}${Math.floor(Math.random() * 90 + 10)}`;
}

/** The error shown next to a form field. */
export function fieldError(page: Page, field: string) {
  return page.locator(`.field-error[data-field="${field}"]`);
}

/** The e2e server's own database (embedded cluster, see serve.sh), for reading the outbox. */
export async function db<T>(f: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({
    host: "/tmp/tessera-e2e/pg-socket",
    port: 54349,
    user: "postgres",
    database: "tessera",
  });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}
