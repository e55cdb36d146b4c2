import { expect, test, type Page } from "@playwright/test";
import { identityURL } from "../playwright.config";
import { ask, expectNoHorizontalOverflow, newChat, signIn } from "./helpers";
import { answerOnDevice, askToBuy, authenticatorURL, orders } from "./purchase-helpers";

/**
 * Agent permissions as a person uses them: dave switches "Buy products" off, asks to buy, is told it is off and where
 * to switch it back on, nothing reaches his authenticator, and Activity shows the denial; switched back on, he buys.
 * Carol, the administrator, also sees the organisation's defaults; dave does not.
 */
async function openPermissions(page: Page) {
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Agent permissions" }).click();
  await expect(page.getByRole("heading", { name: "Agent permissions", level: 1 })).toBeVisible();
}

/** Flips a switch and waits until the server's answer has been shown (the page refreshes from FGA). */
async function setSwitch(page: Page, name: string, on: boolean) {
  const control = page.getByRole("switch", { name, exact: true });
  if ((await control.getAttribute("aria-checked")) !== String(on)) await control.click();
  await expect(control).toHaveAttribute("aria-checked", String(on));
  await expect(control).toBeEnabled();
}

test("a switched-off tool is refused with where to switch it back on, reaches no authenticator, shows in Activity; switched on, it buys", async ({ page, context }) => {
  test.setTimeout(120_000);
  await signIn(page, "dave@example.com");
  await openPermissions(page);
  const buying = page.getByRole("listitem", { name: "Buy products" });
  await expect(buying).toContainText("Spends money");
  await expect(buying).toContainText("Before each use: your permission on this page, then your approval on your phone, each time.");
  await setSwitch(page, "Buy products", false);
  await expect(buying).toContainText("Your choice; the default for everyone is on.");
  await page.reload();
  await expect(page.getByRole("switch", { name: "Buy products", exact: true })).toHaveAttribute("aria-checked", "false");
  await expect(page.getByRole("switch", { name: "Buy products for everyone" })).toHaveCount(0);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: "/tmp/permissions-desktop.png", fullPage: true });
  await expectNoHorizontalOverflow(page);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: "/tmp/permissions-375.png", fullPage: true });
  await expectNoHorizontalOverflow(page);
  await page.setViewportSize({ width: 1280, height: 900 });

  const before = await orders(page, "auth0|dave");
  await newChat(page);
  const reply = await ask(page, "Could you buy me 2 Acme Widgets?");
  await expect(reply).toContainText('You switched off "Buy products" for Delegate');
  await expect(reply).toContainText("Agent permissions (/permissions)");
  await expect(reply.getByRole("region", { name: "Approval required" })).toHaveCount(0);
  const device = await context.newPage();
  await device.goto(authenticatorURL(identityURL));
  const pending = device.getByRole("region", { name: "Pending requests" });
  await expect(pending).toBeVisible();
  await expect(pending.getByRole("article")).toHaveCount(0);
  await device.close();

  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Activity" }).click();
  const denial = page.getByRole("list", { name: "Activity" }).getByRole("listitem", { name: 'Asked for "Buy products" while it was unavailable' });
  const decision = denial.filter({ hasText: "tool.authorization" });
  await expect(decision).toContainText("denied");
  await expect(decision.getByRole("definition")).toContainText(["tool:buy_product", "no", "denied", "can_use", "tool-permission", "user"]);

  await openPermissions(page);
  await setSwitch(page, "Buy products", true);
  await newChat(page);
  const prompt = await askToBuy(page, "Could you buy me 2 Acme Widgets?");
  await expect(prompt).toContainText("Buy 2 x Acme Widget for at most 39.98 USD");
  await answerOnDevice(context, "Buy 2 x Acme Widget for at most 39.98", "Approve");
  await expect(page.getByRole("article", { name: "Assistant message" }).last()).toContainText(/ORD-\d+/, { timeout: 30_000 });
  expect(await orders(page, "auth0|dave")).toHaveLength(before.length + 1);
});

test("the administrator sets a default for everyone; a person's own choice still wins", async ({ browser }) => {
  test.setTimeout(120_000);
  const carol = await (await browser.newContext()).newPage();
  await signIn(carol, "carol@example.com");
  await openPermissions(carol);
  await expect(carol.getByText("You are an administrator")).toBeVisible();
  await expect(carol.getByRole("listitem", { name: "Buy products" }).getByRole("switch", { name: "Buy products for everyone" })).toBeVisible();
  await carol.screenshot({ path: "/tmp/permissions-admin-desktop.png", fullPage: true });
  await setSwitch(carol, "List Slack channels for everyone", false);

  try {
    const bob = await (await browser.newContext()).newPage();
    await signIn(bob, "bob@example.com");
    await openPermissions(bob);
    const slack = bob.getByRole("listitem", { name: "List Slack channels" });
    await expect(bob.getByRole("switch", { name: "List Slack channels", exact: true })).toHaveAttribute("aria-checked", "false");
    await expect(slack).toContainText("The default for everyone (off).");
    await setSwitch(bob, "List Slack channels", true);
    await expect(slack).toContainText("Your choice; the default for everyone is off.");
    await slack.getByRole("button", { name: "Use the default for List Slack channels" }).click();
    await expect(bob.getByRole("switch", { name: "List Slack channels", exact: true })).toHaveAttribute("aria-checked", "false");
  } finally {
    await setSwitch(carol, "List Slack channels for everyone", true);
  }
});
