import { expect, test, type Page } from "@playwright/test";
import { expectNoHorizontalOverflow, lastReply, newChat, send, signIn, waitForReply, watchPolicyViolations } from "./helpers";

/**
 * The frame around every page: the sidebar as a column on a desktop and as a drawer on a phone, the user menu with
 * the theme choice, "New chat" as a client navigation that still starts a fresh chat, and what a 404 says.
 */

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 800 };
const CHAT_URL = /\/chat\/([0-9a-f-]{36})$/;

function chatIdOf(page: Page) {
  return CHAT_URL.exec(page.url())?.[1];
}

test("on a phone the sidebar is a drawer: opened from the header, closed by Esc, its button or a link, focus back on the button", async ({ page }) => {
  const violations = watchPolicyViolations(page);
  await page.setViewportSize(PHONE);
  await signIn(page, "alice@example.com");
  // The column is not shown; the conversation has the whole width.
  await expect(page.getByRole("complementary", { name: "Chats" })).toBeHidden();
  expect((await page.getByRole("main").boundingBox())!.width).toBe(PHONE.width);

  const open = page.getByRole("button", { name: "Open sidebar" });
  const drawer = page.getByRole("dialog", { name: "Sidebar" });
  await open.click();
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole("link", { name: "New chat" })).toBeVisible();
  await expect(drawer.getByRole("navigation", { name: "Chat history" })).toBeVisible();
  for (const name of ["Documents", "Connections", "Agent permissions", "Activity"]) {
    await expect(drawer.getByRole("link", { name, exact: true })).toBeVisible();
  }
  await expect(drawer.getByRole("button", { name: "Alice Martin" })).toBeVisible();
  await page.screenshot({ path: "/tmp/shell-drawer-375.png" });
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(open).toBeFocused();

  await open.click();
  await drawer.getByRole("button", { name: "Close sidebar" }).click();
  await expect(drawer).toHaveCount(0);
  await expect(open).toBeFocused();

  await open.click();
  await drawer.getByRole("link", { name: "Documents", exact: true }).click();
  await expect(page).toHaveURL(/\/documents$/);
  await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
  await expect(drawer).toHaveCount(0);
  await expect(open).toBeFocused();

  // Growing to a desktop width shows the column and no drawer button.
  await page.setViewportSize(DESKTOP);
  await expect(page.getByRole("complementary", { name: "Chats" })).toBeVisible();
  await expect(open).toBeHidden();
  // The drawer's scroll lock adds a style with the page's nonce; nothing was blocked.
  expect(violations).toEqual([]);
});

test("every page fits a phone without sideways scrolling, and keeps the sidebar column on a desktop", async ({ page }) => {
  await signIn(page, "carol@example.com");
  for (const [path, heading] of [
    ["/", "How can I help?"],
    ["/documents", "Documents"],
    ["/connections", "Connections"],
    ["/permissions", "Agent permissions"],
    ["/activity", "Activity"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    const name = path === "/" ? "chat" : path.slice(1);
    for (const [width, viewport] of [["1280", DESKTOP], ["375", PHONE]] as const) {
      await page.setViewportSize(viewport);
      await expect(page.getByRole("complementary", { name: "Chats" })).toBeVisible({ visible: viewport === DESKTOP });
      await expectNoHorizontalOverflow(page);
      await page.screenshot({ path: `/tmp/shell-${name}-${width}.png` });
    }
    await page.setViewportSize(DESKTOP);
  }
});

test("New chat twice gives two fresh chats without reloading the page, and the earlier one is intact", async ({ page }) => {
  await signIn(page, "dave@example.com");
  // A full load would lose this mark: it shows that "New chat" is a client navigation.
  await page.evaluate(() => Object.assign(window, { shellMark: "same page" }));

  await send(page, "First question of the shell test");
  await waitForReply(page);
  await expect(page).toHaveURL(CHAT_URL);
  const first = chatIdOf(page);

  await newChat(page);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("article")).toHaveCount(0);
  await send(page, "Second question of the shell test");
  await waitForReply(page);
  await expect(page).toHaveURL(CHAT_URL);
  const second = chatIdOf(page);
  expect(second).not.toBe(first);
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["Second question of the shell test"]);

  await newChat(page);
  await expect(page.getByRole("article")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { shellMark?: string }).shellMark)).toBe("same page");

  // The first chat kept its own transcript.
  const history = page.getByRole("navigation", { name: "Chat history" });
  await history.getByRole("link", { name: "First question of the shell test" }).click();
  await expect(page).toHaveURL(`/chat/${first}`);
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["First question of the shell test"]);
  await expect(lastReply(page)).not.toBeEmpty();
});

test("a 404 says what was not found: someone else's or an unknown chat, or an unknown page", async ({ page, browser }) => {
  await signIn(page, "alice@example.com");
  await send(page, "A private question from Alice");
  await waitForReply(page);
  const aliceChat = page.url();

  const bobPage = await (await browser.newContext()).newPage();
  await signIn(bobPage, "bob@example.com");
  for (const url of [aliceChat, `/chat/${crypto.randomUUID()}`, "/chat/not-a-chat-id"]) {
    await bobPage.goto(url);
    await expect(bobPage.getByRole("heading", { level: 1, name: "Chat not found" })).toBeVisible();
    await expect(bobPage.getByText("A private question from Alice")).toHaveCount(0);
  }
  await bobPage.getByRole("link", { name: "Start a new chat" }).click();
  await expect(bobPage.getByRole("heading", { name: "How can I help?" })).toBeVisible();

  const response = await bobPage.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(bobPage.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await bobPage.screenshot({ path: "/tmp/shell-404-1280.png" });
  await bobPage.close();
});

/** The page's background colour as the browser computed it. */
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

async function chooseTheme(page: Page, theme: "Light" | "Dark" | "System") {
  await page.getByRole("complementary", { name: "Chats" }).getByRole("button", { name: "Bob Chen" }).click();
  await page.getByRole("menuitemradio", { name: theme }).click();
}

test("the user menu: email, a real log-out link, and a theme that follows the system until chosen and survives a reload", async ({ page }) => {
  const violations = watchPolicyViolations(page);
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page, "bob@example.com");
  // The message box is enabled once the page is hydrated: from then on the menu answers clicks.
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEnabled();
  const light = await background(page);

  const userButton = page.getByRole("complementary", { name: "Chats" }).getByRole("button", { name: "Bob Chen" });
  await userButton.click();
  const menu = page.getByRole("menu");
  await expect(menu).toContainText("bob@example.com");
  await expect(menu.getByRole("menuitem", { name: "Log out" })).toHaveAttribute("href", "/auth/logout");
  await expect(menu.getByRole("menuitemradio", { name: "System" })).toHaveAttribute("aria-checked", "true");
  await page.screenshot({ path: "/tmp/shell-user-menu-1280.png" });
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(userButton).toBeFocused();

  // "System" follows the device.
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await background(page);
  expect(dark).not.toBe(light);
  await page.emulateMedia({ colorScheme: "light" });
  expect(await background(page)).toBe(light);

  // A choice applies at once and is what the server renders after a reload, whatever the device prefers.
  await chooseTheme(page, "Dark");
  expect(await background(page)).toBe(dark);
  await page.reload();
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  expect(await background(page)).toBe(dark);
  await page.screenshot({ path: "/tmp/shell-dark-1280.png" });
  await page.setViewportSize(PHONE);
  await page.getByRole("button", { name: "Open sidebar" }).click();
  await page.screenshot({ path: "/tmp/shell-dark-drawer-375.png" });
  await page.keyboard.press("Escape");
  await page.setViewportSize(DESKTOP);

  await page.emulateMedia({ colorScheme: "dark" });
  await chooseTheme(page, "Light");
  await page.reload();
  expect(await background(page)).toBe(light);

  await chooseTheme(page, "System");
  await page.reload();
  expect(await background(page)).toBe(dark);
  expect(violations).toEqual([]);
});
