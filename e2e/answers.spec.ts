import { expect, test, type Page } from "@playwright/test";
import { ask, ensureConnected, lastReply, signIn } from "./helpers";
import { answerOnDevice, askToBuy } from "./purchase-helpers";
import { answerNextWith, CODE_AND_TABLE_ANSWER } from "./answer-stream";

/**
 * Readable answers: tool results in their own views, Markdown code and tables, at desktop and phone widths, with
 * the production Content-Security-Policy reporting nothing blocked.
 */

/** Everything the Content-Security-Policy blocks on the page, from the console and from the DOM event. */
async function watchPolicyViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction("reportPolicyViolation", (violation: string) => violations.push(violation));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      (window as unknown as { reportPolicyViolation: (v: string) => void }).reportPolicyViolation(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`),
    );
  });
  return violations;
}

/** The page itself never scrolls sideways: whatever is wide scrolls inside its own box. */
async function expectNoHorizontalPageScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

/** Screenshots at 1280 and 375 px, the phone one checked for sideways scrolling; the page is restored to desktop. */
async function atBothWidths(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `/tmp/answers-${name}-1280.png` });
  await page.setViewportSize({ width: 375, height: 812 });
  await expectNoHorizontalPageScroll(page);
  await page.screenshot({ path: `/tmp/answers-${name}-375.png` });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("alice's calendar today shows as a list of times and titles", async ({ page }) => {
  const violations = await watchPolicyViolations(page);
  await signIn(page, "alice@example.com");
  await ensureConnected(page, "Google");
  await page.goto("/");
  const reply = await ask(page, "What's on my calendar today?");
  const card = reply.getByRole("region", { name: "Tool: Read your calendar" });
  const events = card.getByRole("list", { name: /^Events on \w+day \d+ \w+$/ });
  await expect(events.getByRole("listitem").filter({ hasText: "Team standup" })).toContainText(/^\d\d:\d\d–\d\d:\d\d/);
  await expect(events.getByRole("listitem").filter({ hasText: "Dentist appointment" })).toContainText("Bright Smile Dental");
  await reply.scrollIntoViewIfNeeded();
  await atBothWidths(page, "calendar");
  expect(violations).toEqual([]);
});

test("alice's GitHub repositories are links that show where they go", async ({ page }) => {
  const violations = await watchPolicyViolations(page);
  await signIn(page, "alice@example.com");
  await ensureConnected(page, "GitHub");
  await page.goto("/");
  const reply = await ask(page, "List my GitHub repositories");
  const repositories = reply.getByRole("region", { name: "Tool: List your GitHub repositories" }).getByRole("list", { name: "Repositories" });
  const tripPlanner = repositories.getByRole("listitem").filter({ hasText: "alice/trip-planner" });
  const link = tripPlanner.getByRole("link", { name: "alice/trip-planner" });
  await expect(link).toHaveAttribute("href", /^https:\/\/[^/]+\/alice\/trip-planner$/);
  await expect(link).toHaveAttribute("rel", "noopener noreferrer");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(tripPlanner).toContainText((await link.getAttribute("href"))!);
  await expect(tripPlanner).toContainText("Plan multi-city trips");
  await expect(repositories.getByRole("listitem").filter({ hasText: "alice/dotfiles" })).toContainText("Private");
  await reply.scrollIntoViewIfNeeded();
  await atBothWidths(page, "repositories");
  expect(violations).toEqual([]);
});

test("a purchase approved on the device shows as a receipt", async ({ page, context }) => {
  const violations = await watchPolicyViolations(page);
  await signIn(page, "dave@example.com");
  await askToBuy(page, "Buy 2 Acme Widgets");
  await answerOnDevice(context, "Buy 2 x Acme Widget for at most 39.98", "Approve");
  const card = lastReply(page).getByRole("region", { name: "Tool: Buy products" });
  await expect(card.getByRole("term")).toHaveText(["Product", "Quantity", "Total", "Order number", "Status"], { timeout: 30_000 });
  await expect(card.getByRole("definition")).toHaveText(["Acme Widget", "2", "39.98 USD", /^ORD-\d+$/, "confirmed"]);
  await page.reload();
  await expect(lastReply(page).getByRole("region", { name: "Tool: Buy products" }).getByRole("definition")).toHaveText(["Acme Widget", "2", "39.98 USD", /^ORD-\d+$/, "confirmed"]);
  await lastReply(page).scrollIntoViewIfNeeded();
  await atBothWidths(page, "receipt");
  expect(violations).toEqual([]);
});

test("a code block is highlighted and copied whole, and a wide table scrolls in its own box on a phone", async ({ page, context }) => {
  const violations = await watchPolicyViolations(page);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "bob@example.com");
  await answerNextWith(page, CODE_AND_TABLE_ANSWER);
  const reply = await ask(page, "Write a function that totals an order, and show my last order as a table");
  const code = reply.getByRole("group", { name: "Code (ts)" });
  await expect(code).toContainText("export function orderTotal");
  await code.getByRole("button", { name: "Copy code" }).click();
  await expect(code.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(CODE_AND_TABLE_ANSWER.split("```ts\n")[1]!.split("```")[0]);

  const table = reply.getByRole("region", { name: "Table: Product, Quantity, Unit price, Total, Order number, Status, Delivery address" });
  await expect(table.getByRole("cell", { name: "39.98 USD" })).toBeVisible();
  await page.setViewportSize({ width: 375, height: 812 });
  await expectNoHorizontalPageScroll(page);
  const overflows = (element: Element) => element.scrollWidth > element.clientWidth;
  expect(await table.evaluate(overflows)).toBe(true);
  // The code's own scrolling box is its <pre>, which has no role of its own.
  expect(await code.evaluate((group) => group.querySelector("pre")!.scrollWidth > group.querySelector("pre")!.clientWidth)).toBe(true);
  await reply.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/answers-code-375.png" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await reply.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/answers-code-1280.png" });
  expect(violations).toEqual([]);
});
