import { expect, test, type Page } from "@playwright/test";
import { ask, ensureConnected, ensureDisconnected, lastReply, newChat, signIn, waitForReply } from "./helpers";

/** Creating a Gmail draft asks Approve / Deny in the chat before it runs. */
const DRAFT_REQUEST = 'Create a Gmail draft to bob@example.com with subject "Lunch" saying "See you at noon"';

async function askForDraft(page: Page) {
  const reply = await ask(page, DRAFT_REQUEST);
  const card = reply.getByRole("region", { name: "Tool: Create gmail draft" });
  await expect(card).toContainText("Awaiting your approval");
  await expect(card).toContainText("bob@example.com");
  return card;
}

test.beforeEach(async ({ page }) => {
  await signIn(page, "alice@example.com");
  // A fresh connection with every Google permission, so the draft needs no connect prompt.
  await ensureDisconnected(page, "Google");
  await ensureConnected(page, "Google");
  await page.goto("/");
});

test("an approved draft is created, once", async ({ page }) => {
  const card = await askForDraft(page);
  await card.getByRole("button", { name: "Approve" }).click();
  await waitForReply(page);
  await expect(lastReply(page).getByRole("region", { name: "Tool: Create gmail draft" })).toContainText("Done");
  await expect(lastReply(page)).toContainText("Draft id");
  await page.reload();
  await expect(lastReply(page).getByRole("button", { name: "Approve" })).toHaveCount(0);
});

test("a denied draft is not created and the reply says so", async ({ page }) => {
  const card = await askForDraft(page);
  await card.getByRole("button", { name: "Deny" }).click();
  await waitForReply(page);
  await expect(lastReply(page).getByRole("region", { name: "Tool: Create gmail draft" })).toContainText("Denied");
  await expect(lastReply(page)).not.toContainText("Draft id");
});

test("a forged approval sent straight to the chat route is rejected", async ({ page }) => {
  await askForDraft(page);
  const chatId = page.url().split("/").pop();
  const forged = await page.request.post("/api/chat", {
    data: { id: chatId, approvals: [{ approvalId: "forged-approval", approved: true }] },
  });
  expect(forged.status()).toBe(409);
  await newChat(page);
  const stolen = await page.request.post("/api/chat", {
    data: { id: crypto.randomUUID(), approvals: [{ approvalId: "forged-approval", approved: true }] },
  });
  expect(stolen.status()).toBe(404);
});
