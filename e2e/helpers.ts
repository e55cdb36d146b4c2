import { readFile } from "node:fs/promises";
import { expect, type Locator, type Page } from "@playwright/test";
import { serverLogFile } from "../playwright.config";

export const PASSWORD = "delegate-demo";

/** Signs in through the sandbox identity server's own login page, exactly as a person would. */
export async function signIn(page: Page, email: string) {
  await page.goto("/");
  await page.getByRole("link", { name: "Log in" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  // The box is enabled once the page is hydrated: before that, menus and dialogs do not answer clicks.
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEnabled();
}

export async function send(page: Page, text: string) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/** Waits until the reply has finished streaming (the Stop button gives way to Send again). */
export async function waitForReply(page: Page) {
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeVisible({ timeout: 30_000 });
}

/** The latest assistant message in the open chat. */
export function lastReply(page: Page) {
  return page.getByRole("article", { name: "Assistant message" }).last();
}

/**
 * Opens a new chat from the sidebar's "New chat" link (a client navigation) and waits until the new chat has
 * replaced the old one: the page renders a fresh chat, so the old message box leaves the page.
 */
export async function newChat(page: Page) {
  const box = page.getByRole("textbox", { name: "Message" });
  const oldBox = (await box.count()) > 0 ? await box.elementHandle() : null;
  // On a phone "New chat" is in the drawer.
  const openSidebar = page.getByRole("button", { name: "Open sidebar" });
  if (await openSidebar.isVisible()) await openSidebar.click();
  await page.getByRole("link", { name: "New chat" }).click();
  if (oldBox) await expect.poll(() => oldBox.evaluate((box) => box.isConnected)).toBe(false);
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
}

/** Logs out from the user menu at the bottom of the sidebar (the button is named by the user's name). */
export async function logOut(page: Page, userName: RegExp | string) {
  const menuButton = page.getByRole("complementary", { name: "Chats" }).getByRole("button", { name: userName });
  const logOutItem = page.getByRole("menuitem", { name: "Log out" });
  // A click that lands before the menu is hydrated opens nothing: click again until the menu is there.
  await expect(async () => {
    if (!(await logOutItem.isVisible())) await menuButton.click();
    await expect(logOutItem).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await logOutItem.click();
  // Logging out passes through the identity server's end-session page and back: three navigations.
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible({ timeout: 30_000 });
}

/** Sends a message and waits until the reply has finished; returns the reply. */
export async function ask(page: Page, text: string) {
  const before = await page.getByRole("article", { name: "Assistant message" }).count();
  await send(page, text);
  await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(before + 1, { timeout: 30_000 });
  await waitForReply(page);
  return lastReply(page);
}

export type ConsentDecision = "Allow" | "Cancel";

/**
 * Clicks a "Connect …" control that opens the connect flow in a popup, answers the sandbox consent page, and
 * waits for the popup to report back and close by itself.
 */
export async function connectInPopup(page: Page, connect: Locator, decision: ConsentDecision) {
  const [popup] = await Promise.all([page.waitForEvent("popup"), connect.click()]);
  await answerConsent(popup, decision);
  if (!popup.isClosed()) await popup.waitForEvent("close");
}

/** Answers the sandbox identity server's consent page ("Allow" or "Cancel"). */
export async function answerConsent(page: Page, decision: ConsentDecision) {
  await expect(page.getByRole("heading", { name: /^Connect your .+ account to / })).toBeVisible();
  await page.getByRole("button", { name: decision }).click();
}

/** The connection's entry on the Connections page. */
export function connectionEntry(page: Page, label: string) {
  return page.getByRole("main").getByRole("listitem", { name: label, exact: true });
}

/** Makes sure `label` (Google, GitHub, Slack) is not connected, disconnecting it on the Connections page. */
export async function ensureDisconnected(page: Page, label: string) {
  await page.goto("/connections");
  const entry = connectionEntry(page, label);
  const disconnect = entry.getByRole("button", { name: `Disconnect ${label}` });
  const connect = entry.getByRole("link", { name: `Connect ${label}` });
  await expect(disconnect.or(connect)).toBeVisible();
  if (await disconnect.isVisible()) await confirmDisconnect(page, label);
  await expect(connect).toBeVisible();
  await expect(entry).toContainText("Not connected");
}

/** Clicks "Disconnect" on the Connections page and confirms in the dialog that asks first. */
export async function confirmDisconnect(page: Page, label: string) {
  const entry = connectionEntry(page, label);
  await entry.getByRole("button", { name: `Disconnect ${label}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Disconnect ${label}?` });
  await confirm.getByRole("button", { name: `Disconnect ${label}` }).click();
  await expect(confirm).toHaveCount(0);
  await expect(entry).toContainText("Not connected");
}

/** Connects `label` from the Connections page (the whole tab goes through consent) unless it already is. */
export async function ensureConnected(page: Page, label: string) {
  await page.goto("/connections");
  const entry = connectionEntry(page, label);
  const disconnect = entry.getByRole("button", { name: `Disconnect ${label}` });
  const connect = entry.getByRole("link", { name: `Connect ${label}` });
  await expect(disconnect.or(connect)).toBeVisible();
  if (await connect.isVisible()) {
    await connect.click();
    await answerConsent(page, "Allow");
    await expect(page).toHaveURL(/\/connections$/);
  }
  await expect(disconnect).toBeVisible();
}

/** How many lines the test server has printed so far that match `pattern` (its log is written synchronously). */
export async function serverLogLines(pattern: RegExp): Promise<number> {
  return (await readFile(serverLogFile, "utf8")).split("\n").filter((line) => pattern.test(line)).length;
}

/** Neither the page nor its main column scrolls sideways. */
export async function expectNoHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() =>
    [document.documentElement, document.querySelector("main")!].some((element) => element.scrollWidth > element.clientWidth),
  );
  expect(overflow).toBe(false);
}

/** Console errors Chromium reports when the Content-Security-Policy blocks something the app itself needs. */
export function watchPolicyViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}
