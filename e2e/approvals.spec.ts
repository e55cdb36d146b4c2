import { expect, test, type Page } from "@playwright/test";
import { ask, ensureConnected, ensureDisconnected, lastReply, newChat, signIn, waitForReply } from "./helpers";

/** Creating a Gmail draft asks Approve / Deny in the chat before it runs. */
const DRAFT_REQUEST = 'Create a Gmail draft to bob@example.com with subject "Lunch" saying "See you at noon"';

/**
 * A body as untidy as real mail: over 3,000 characters with a Markdown table, a URL, an email address,
 * parentheses and non-ASCII text. (The sandbox model needs the words of the tool to dominate the message.)
 */
const TABLE = ["| Item | Amount (EUR) |", "| --- | ---: |", "| Café crème | 3.50 |", "| Straße (B-12) | 12.00 |"].join("\n");
const LINE = "Draft text (plain) of the email body: see https://example.com/draft?id=42&lang=de or email carol@example.org, Zürich, Kraków, 東京.";
const LAST_SENTENCE = "Last line of the draft (really), Ünïcödé ends here.";
const LONG_BODY = ["Hello Bob,", "", TABLE, "", ...Array.from({ length: 22 }, (_, i) => `${i + 1}. ${LINE}`), "", LAST_SENTENCE].join("\n");

async function askForDraft(page: Page, request = DRAFT_REQUEST) {
  const reply = await ask(page, request);
  const card = reply.getByRole("region", { name: "Tool: Write email drafts" });
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
  await expect(lastReply(page).getByRole("region", { name: "Tool: Write email drafts" })).toContainText("Done");
  await expect(lastReply(page)).toContainText("Draft id");
  await page.reload();
  await expect(lastReply(page).getByRole("button", { name: "Approve" })).toHaveCount(0);
});

test("a denied draft is not created and the reply says so", async ({ page }) => {
  const card = await askForDraft(page);
  await card.getByRole("button", { name: "Deny" }).click();
  await waitForReply(page);
  await expect(lastReply(page).getByRole("region", { name: "Tool: Write email drafts" })).toContainText("Denied");
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

test("the card shows every field of a long draft in full, the whole body scrollable", async ({ page }) => {
  expect(LONG_BODY.length).toBeGreaterThan(3_000);
  const card = await askForDraft(page, `Create a Gmail draft to bob@example.com with subject "Quarterly report (Q3) — Zürich" saying "${LONG_BODY}"`);
  await expect(card.getByRole("group", { name: "To", exact: true })).toHaveText("To: bob@example.com");
  await expect(card.getByRole("group", { name: "Subject", exact: true })).toHaveText("Subject: Quarterly report (Q3) — Zürich");
  const body = card.getByRole("group", { name: "Body", exact: true });
  // Exactly the text that will be drafted: nothing cut, no ellipsis, line breaks kept.
  await expect(body).toHaveJSProperty("textContent", `Body: ${LONG_BODY}`);

  /** Whether the body's last sentence lies inside the part of its scrolling box on show. */
  const lastSentenceShown = () =>
    body.evaluate((group, sentence) => {
      const box = group.lastElementChild as HTMLElement;
      const text = box.firstChild as Text;
      const range = document.createRange();
      range.setStart(text, text.data.lastIndexOf(sentence));
      range.setEnd(text, text.data.lastIndexOf(sentence) + sentence.length);
      const [shown, line] = [box.getBoundingClientRect(), range.getBoundingClientRect()];
      return getComputedStyle(box).whiteSpace === "pre-wrap" && line.top >= shown.top && line.bottom <= shown.bottom;
    }, LAST_SENTENCE);
  await body.scrollIntoViewIfNeeded();
  expect(await lastSentenceShown()).toBe(false);
  // The box scrolls by keyboard as well as by mouse.
  await body.evaluate((group) => (group.lastElementChild as HTMLElement).focus());
  await page.keyboard.press("End");
  await expect.poll(lastSentenceShown).toBe(true);
  await expect(body).toBeInViewport();
  await expect(card.getByRole("button", { name: "Approve" })).toBeVisible();
});

test("an approval left unanswered past its deadline shows as expired, with nothing left to press", async ({ page }) => {
  await page.clock.install();
  await page.goto("/");
  const card = await askForDraft(page);
  await expect(card.getByText(/^Answer by \d{1,2}:\d{2}/)).toBeVisible();
  // Approvals expire after APPROVAL_EXPIRY_MINUTES (15 by default).
  await page.clock.fastForward("16:00");
  await expect(card).toContainText("Expired — nothing was done");
  await expect(card.getByText(/^Answer by/)).toHaveCount(0);
  await expect(card.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(card.getByRole("button", { name: "Deny" })).toHaveCount(0);
  await expect(card.getByRole("group", { name: "To", exact: true })).toHaveText("To: bob@example.com");
});

test("an approval left behind when the conversation moves on can no longer be answered", async ({ page }) => {
  await askForDraft(page);
  await ask(page, "Who am I?");
  // The chat's first reply: lastReply() now names the newer one.
  const card = page.getByRole("article", { name: "Assistant message" }).first().getByRole("region", { name: "Tool: Write email drafts" });
  await expect(card).toContainText("Not answered — the conversation moved on");
  await expect(card.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(card.getByText(/^Answer by/)).toHaveCount(0);
  await expect(card.getByRole("group", { name: "Body", exact: true })).toHaveText("Body: See you at noon");
});
