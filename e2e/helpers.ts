import { expect, type Page } from "@playwright/test";

export const PASSWORD = "delegate-demo";

/** Signs in through the sandbox identity server's own login page, exactly as a person would. */
export async function signIn(page: Page, email: string) {
  await page.goto("/");
  await page.getByRole("link", { name: "Log in" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
}

export async function send(page: Page, text: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** Waits until the reply has finished streaming (the Stop button gives way to Send again). */
export async function waitForReply(page: Page) {
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible({ timeout: 30_000 });
}
