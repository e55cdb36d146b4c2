import { expect, type Page } from "@playwright/test";

/** The Documents page's file field, once it takes files (it is disabled until the page is hydrated). */
export async function uploadField(page: Page) {
  const field = page.getByLabel("Upload document");
  await expect(field).toBeEnabled();
  return field;
}

/** Uploads a Markdown document on the Documents page and waits until it is listed. */
export async function upload(page: Page, name: string, text: string) {
  await page.goto("/documents");
  await (await uploadField(page)).setInputFiles({ name, mimeType: "text/markdown", buffer: Buffer.from(text) });
  await expect(page.getByRole("status").filter({ hasText: `${name} uploaded.` })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("listitem", { name })).toBeVisible();
}

/** The document's entry on the Documents page. */
export function documentItem(page: Page, name: string) {
  return page.getByRole("main").getByRole("listitem", { name, exact: true });
}

/** Opens the share dialog of the user's own document `name` on the Documents page. */
export async function openShareDialog(page: Page, name: string) {
  await page.goto("/documents");
  await documentItem(page, name).getByRole("button", { name: `Share ${name}`, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Share ${name}`, exact: true });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Shares the document with a person by email (`who`), or withdraws the first share, through the share dialog. */
export async function setSharing(page: Page, name: string, who: string, action: "Share" | "Unshare") {
  const dialog = await openShareDialog(page, name);
  const sharedWith = dialog.getByRole("list", { name: "Shared with" });
  if (action === "Share") {
    await dialog.getByRole("radio", { name: "A person" }).check();
    await dialog.getByRole("textbox", { name: "Email address" }).fill(who);
    await dialog.getByRole("button", { name: "Share", exact: true }).click();
    await expect(dialog.getByRole("status")).toHaveText("If a verified account uses that address, it now has access.");
    await expect(sharedWith).toBeVisible();
  } else {
    await sharedWith.getByRole("button", { name: /^Unshare with / }).first().click();
    await expect(sharedWith).toHaveCount(0);
  }
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toHaveCount(0);
}
