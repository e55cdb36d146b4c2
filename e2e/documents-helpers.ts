import { expect, type Page } from "@playwright/test";

/** Uploads a Markdown document on the Documents page and waits until it is listed. */
export async function upload(page: Page, name: string, text: string) {
  await page.goto("/documents");
  await page.getByLabel("Upload document").setInputFiles({ name, mimeType: "text/markdown", buffer: Buffer.from(text) });
  await expect(page.getByRole("status").filter({ hasText: `${name} uploaded.` })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("listitem", { name })).toBeVisible();
}

/** The document's entry on the Documents page. */
export function documentItem(page: Page, name: string) {
  return page.getByRole("main").getByRole("listitem", { name, exact: true });
}

/** Shares the document with `who` (an email address), or withdraws the first share, from the Documents page. */
export async function setSharing(page: Page, name: string, who: string, action: "Share" | "Unshare") {
  await page.goto("/documents");
  const item = documentItem(page, name);
  await item.getByRole("button", { name: "Share", exact: true }).click();
  if (action === "Share") {
    await item.getByRole("textbox", { name: "Share with" }).fill(who);
    await item.getByRole("button", { name: "Share", exact: true }).last().click();
    await expect(item.getByRole("list", { name: "Shared with" })).toBeVisible();
  } else {
    await item.getByRole("button", { name: /^Unshare with / }).first().click();
    await expect(item.getByRole("list", { name: "Shared with" })).toHaveCount(0);
  }
}
