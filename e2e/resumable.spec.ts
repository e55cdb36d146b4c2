import { expect, test } from "@playwright/test";
import { lastReply, send, signIn, waitForReply } from "./helpers";

// A reply outlives the page that asked for it: reloading mid-answer shows the reply still streaming and then whole,
// and reloading after it finished shows it whole, once.
for (const width of [1280, 375]) {
  test(`reloading mid-answer follows the live reply to its end, at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    await signIn(page, "dave@example.com");
    await send(page, "Tell me a long story about otters");
    await expect(lastReply(page)).toContainText("Once upon a time");
    await expect(lastReply(page)).not.toContainText("The end.");

    await page.reload();
    // Still being written: the reply keeps growing under the Stop button, then ends.
    await expect(page.getByRole("button", { name: "Stop", exact: true })).toBeVisible();
    await expect(lastReply(page)).toContainText("A story about otters");
    await expect(lastReply(page)).toContainText("The end.", { timeout: 30_000 });
    await waitForReply(page);
    const finished = (await lastReply(page).innerText()).trim();
    await page.screenshot({ path: `/tmp/resumed-${width}.png` });

    await page.reload();
    await expect(lastReply(page)).toContainText("The end.");
    expect((await lastReply(page).innerText()).trim()).toBe(finished);
    await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);
    await expect(page.getByRole("button", { name: "Send", exact: true })).toBeVisible();
  });
}
