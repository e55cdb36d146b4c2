import { expect, test, type Page } from "@playwright/test";
import { ask, lastReply, newChat, send, signIn, waitForReply } from "./helpers";
import { answerOnDevice, askToBuy, orders } from "./purchase-helpers";

// How the conversation behaves around the answers: following the stream, Copy, Retry and Edit, Esc, suggestions.
// Every test runs at a desktop and a phone width.

const answerActions = (page: Page) => page.getByRole("group", { name: "Actions for the answer" }).last();
const questionActions = (page: Page) => page.getByRole("group", { name: "Actions for your message" }).last();
const composer = (page: Page) => page.getByRole("textbox", { name: "Message" });

/** How far the newest text is below the composer's top edge: at most a few pixels when the view follows it. */
async function distanceBelowView(page: Page) {
  const reply = await lastReply(page).boundingBox();
  const box = await composer(page).boundingBox();
  return reply!.y + reply!.height - box!.y;
}

for (const [width, height] of [
  [1280, 720],
  [375, 740],
] as const) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height }, permissions: ["clipboard-read", "clipboard-write"] });

    test("follows a streaming answer, lets go when the reader scrolls up, and Jump to latest brings them back", async ({ page }) => {
      await signIn(page, "carol@example.com");
      await send(page, "Tell me a long story about otters");
      const reply = lastReply(page);
      await expect(reply).toContainText("Once upon a time");
      await expect(reply).toContainText("Word spread", { timeout: 20_000 });
      // Still streaming, and the newest words are in view, not under the composer.
      await expect(page.getByRole("button", { name: "Stop", exact: true })).toBeVisible();
      await expect.poll(() => distanceBelowView(page)).toBeLessThanOrEqual(80);
      await expect(page.getByRole("button", { name: /Jump to latest/ })).toHaveCount(0);

      await reply.hover();
      await page.mouse.wheel(0, -600);
      const jump = page.getByRole("button", { name: /Jump to latest/ });
      await expect(jump).toBeVisible();
      const heldAt = (await reply.boundingBox())!.y;
      await page.waitForTimeout(1500);
      // The words keep coming, but the view stays where the reader put it.
      expect((await reply.boundingBox())!.y).toBe(heldAt);
      await page.screenshot({ path: `/tmp/chat-jump-${width}.png` });

      await jump.click();
      await expect(jump).toHaveCount(0);
      await expect.poll(() => distanceBelowView(page)).toBeLessThanOrEqual(80);
      await waitForReply(page);
      await expect.poll(() => distanceBelowView(page)).toBeLessThanOrEqual(80);
    });

    test("copies a message, retries the answer and edits the question; the stored chat agrees after a reload", async ({ page }) => {
      await signIn(page, "bob@example.com");
      await ask(page, "Who am I?");
      await expect(page.getByRole("status").filter({ hasText: "Delegate answered" })).toContainText("Delegate answered:");

      await answerActions(page).getByRole("button", { name: "Copy" }).click();
      await expect(answerActions(page).getByRole("button", { name: "Copied" })).toBeVisible();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toContain("bob@example.com");
      await questionActions(page).getByRole("button", { name: "Copy" }).click();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("Who am I?");

      const firstAnswerUrl = page.url();
      await answerActions(page).getByRole("button", { name: "Retry" }).click();
      await expect(composer(page)).toBeFocused();
      await waitForReply(page);
      await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);
      await expect(lastReply(page)).toContainText("bob@example.com");
      await page.reload();
      expect(page.url()).toBe(firstAnswerUrl);
      await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["Who am I?"]);
      await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);

      await questionActions(page).getByRole("button", { name: "Edit" }).click();
      const box = page.getByRole("textbox", { name: "Edit your message" });
      await expect(box).toBeFocused();
      await expect(box).toHaveValue("Who am I?");
      await box.fill("How many vacation days do we get?");
      await page.screenshot({ path: `/tmp/chat-edit-${width}.png` });
      await page.getByRole("button", { name: "Save and send" }).click();
      await waitForReply(page);
      await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["How many vacation days do we get?"]);
      await expect(lastReply(page)).toContainText("25 days");
      await page.screenshot({ path: `/tmp/chat-actions-${width}.png` });
      await page.reload();
      await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["How many vacation days do we get?"]);
      await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);
      await expect(lastReply(page)).toContainText("25 days");
      await expect(lastReply(page)).not.toContainText("bob@example.com");
    });

    test("Retry after a purchase does not buy twice: the server keeps the answer and says why", async ({ page, context }) => {
      await signIn(page, "dave@example.com");
      const before = await orders(page, "auth0|dave");
      await askToBuy(page, "Buy 1 Acme Widget");
      await answerOnDevice(context, "Buy 1 x Acme Widget for at most 19.99", "Approve");
      await expect(lastReply(page)).toContainText(/ORD-\d+/, { timeout: 30_000 });
      await waitForReply(page);
      const number = (await lastReply(page).innerText()).match(/ORD-\d+/)![0];
      expect(await orders(page, "auth0|dave")).toHaveLength(before.length + 1);

      await answerActions(page).getByRole("button", { name: "Retry" }).click();
      await expect(page.getByRole("alert").filter({ hasText: "already acted for you (Buy products)" })).toBeVisible();
      await expect(lastReply(page)).toContainText(number);
      await questionActions(page).getByRole("button", { name: "Edit" }).click();
      await page.getByRole("textbox", { name: "Edit your message" }).fill("Buy 3 Acme Widgets");
      await page.getByRole("button", { name: "Save and send" }).click();
      await expect(page.getByRole("alert").filter({ hasText: "already acted for you (Buy products)" })).toBeVisible();
      await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["Buy 1 Acme Widget"]);

      await page.reload();
      await expect(lastReply(page)).toContainText(number);
      expect(await orders(page, "auth0|dave")).toHaveLength(before.length + 1);
    });

    test("Esc stops the answer and gives the composer back", async ({ page }) => {
      await signIn(page, "carol@example.com");
      await send(page, "Tell me a long story");
      await expect(lastReply(page)).toContainText("Once upon a time");
      await page.keyboard.press("Escape");
      await waitForReply(page);
      await expect(composer(page)).toBeFocused();
      const kept = (await lastReply(page).innerText()).trim();
      expect(kept).not.toContain("The end.");
      await page.waitForTimeout(1000);
      expect((await lastReply(page).innerText()).trim()).toBe(kept);
    });

    test("a suggestion on the empty chat sends its question", async ({ page }) => {
      await signIn(page, "alice@example.com");
      await newChat(page);
      const suggestions = page.getByRole("list", { name: "Suggestions" });
      await expect(suggestions.getByRole("button")).toHaveCount(6);
      await page.screenshot({ path: `/tmp/chat-empty-${width}.png` });
      await suggestions.getByRole("button", { name: "How many vacation days do we get?" }).click();
      await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["How many vacation days do we get?"]);
      await waitForReply(page);
      await expect(lastReply(page)).toContainText("25 days");
      await expect(suggestions).toHaveCount(0);
    });
  });
}
