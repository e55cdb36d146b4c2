import { expect, test, type Page } from "@playwright/test";
import { upload } from "./documents-helpers";
import { ask, ensureConnected, signIn } from "./helpers";

/**
 * The screenshots README.md shows, taken from the sandbox by `npm run screenshots` (after `npm run build`): every
 * page at a desktop and a phone width, and the chat in the dark theme too. Not part of `npm test`.
 */
const OUT = "public/screenshots";
const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

async function shoot(page: Page, name: string, open: () => Promise<void>) {
  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport);
    await open();
    await page.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== "running"));
    await page.screenshot({ path: `${OUT}/${name}-${viewport.name}.png` });
  }
}

test("README screenshots", async ({ page }) => {
  test.setTimeout(300_000);
  await page.emulateMedia({ colorScheme: "light" });
  await shoot(page, "landing", async () => {
    await page.goto("/");
    await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  });

  await signIn(page, "carol@example.com");
  await ensureConnected(page, "Google");
  await upload(page, "Travel policy (2026).md", "# Travel policy\n\nFlights under 6 hours: economy class, at most EUR 1,250.50.");
  await page.goto("/");
  await ask(page, "Who am I?");
  await ask(page, "What's on my calendar today?");
  const chat = page.url();
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await shoot(page, `chat-${colorScheme}`, async () => {
      await page.goto(chat);
      await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(2);
    });
  }
  await page.emulateMedia({ colorScheme: "light" });
  for (const [path, name] of [
    ["/documents", "documents"],
    ["/connections", "connections"],
    ["/permissions", "permissions"],
    ["/activity", "activity"],
  ] as const) {
    await shoot(page, name, async () => {
      await page.goto(path);
      await expect(page.getByRole("main")).not.toHaveAttribute("aria-busy", "true");
    });
  }
});
