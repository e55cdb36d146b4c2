import { expect, test } from "@playwright/test";
import { identityURL } from "../playwright.config";
import { expectNoHorizontalOverflow, lastReply, logOut, newChat, send, serverLogLines, signIn, waitForReply } from "./helpers";

test("alice asks who she is, the reply streams, and the conversation survives a reload", async ({ page }) => {
  await signIn(page, "alice@example.com");
  await expect(page.getByRole("status", { name: /Sandbox/ })).toBeVisible();
  await send(page, "Who am I?");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const reply = page.getByRole("article", { name: "Assistant message" }).last();
  await expect(reply).toContainText("alice@example.com");
  await expect(reply.getByRole("region", { name: "Tool: See your name and email" })).toContainText("Done");
  await waitForReply(page);

  await page.reload();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText("Who am I?");
  await expect(page.getByRole("article", { name: "Assistant message" }).last()).toContainText("alice@example.com");
  await expect(page.getByRole("navigation", { name: "Chat history" }).getByRole("link", { name: "Who am I?" })).toBeVisible();
});

test("bob cannot open alice's chat", async ({ browser }) => {
  const alice = await browser.newPage();
  await signIn(alice, "alice@example.com");
  await send(alice, "Who am I?");
  await waitForReply(alice);
  const aliceChatUrl = alice.url();
  await alice.close();

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  const response = await bob.goto(aliceChatUrl);
  expect(response?.status()).toBe(404);
  await expect(bob.getByRole("heading", { name: "Chat not found" })).toBeVisible();
  await expect(bob.getByText("alice@example.com")).toHaveCount(0);
});

test("Stop ends the reply part-way: no more text arrives, the model stops generating, and the stored reply is what was shown", async ({ page }) => {
  // The sandbox model logs each stream its client left before the end: the app passed the Stop on to the model.
  const cutShort = () => serverLogLines(/\[sandbox:model\] POST \/v1\/chat\/completions 200 .*\(client disconnected\)/);
  await signIn(page, "carol@example.com");
  const cutBefore = await cutShort();
  await send(page, "Tell me a long story");
  const reply = lastReply(page);
  // The story streams word by word for several seconds and ends with "The end."; Stop at its first words.
  await expect(reply).toContainText("Once upon a time");
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await waitForReply(page);
  const kept = (await reply.innerText()).trim();
  expect(kept).toContain("Once upon a time");
  expect(kept).not.toContain("The end.");

  // (At least one more: a stream an earlier test left may be logged as cut short meanwhile.)
  await expect.poll(cutShort).toBeGreaterThan(cutBefore);
  // Nothing more reached the page after the model stopped.
  expect((await reply.innerText()).trim()).toBe(kept);

  await page.reload();
  const persisted = (await lastReply(page).innerText()).trim();
  // Stored as the server had it when the stream was cut: what the page showed, perhaps a word or two more.
  expect(persisted.startsWith(kept)).toBe(true);
  expect(persisted).not.toContain("The end.");
});

test("Stop pressed before the first word arrives still stops the reply on the server", async ({ page }) => {
  const cutShort = () => serverLogLines(/\[sandbox:model\] POST \/v1\/chat\/completions 200 .*\(client disconnected\)/);
  await signIn(page, "carol@example.com");
  const cutBefore = await cutShort();
  // The question is held in the browser until Stop has been pressed: the server has not heard of the reply yet.
  let release!: () => void;
  const stopPressed = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/chat", async (route) => (await stopPressed, route.continue()), { times: 1 });
  await send(page, "Tell me a long story");
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  release();
  await waitForReply(page);
  await expect.poll(cutShort).toBeGreaterThan(cutBefore);
  await page.reload();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText(["Tell me a long story"]);
  // Whatever the server kept before the Stop reached it, the story did not run to its end.
  await expect(page.getByRole("main")).not.toContainText("The end.");
});

test("chats are listed newest first and can be deleted", async ({ page }) => {
  await signIn(page, "carol@example.com");
  await send(page, "First question");
  await waitForReply(page);
  await newChat(page);
  await send(page, "Second question");
  await waitForReply(page);
  const history = page.getByRole("navigation", { name: "Chat history" });
  await expect(history.getByRole("link").first()).toHaveText("Second question");
  const options = history.getByRole("button", { name: "Options for chat “Second question”" });

  // Deleting asks first; Esc cancels and keeps the chat.
  await options.click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete this chat?" });
  await expect(confirm).toContainText("“Second question” and its messages will be deleted.");
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(options).toBeFocused();
  await expect(history.getByRole("link", { name: "Second question" })).toBeVisible();

  await options.click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await confirm.getByRole("button", { name: "Delete chat" }).click();
  await expect(history.getByRole("link", { name: "Second question" })).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  await expect(history.getByRole("link", { name: "First question" })).toBeVisible();
  // Focus is on the chat that took the deleted one's place, not lost.
  await expect(history.getByRole("link", { name: "First question" })).toBeFocused();
});

const UNTIDY_NAME = "Trip to Zürich (Q3) — 1,250.50 € budget";

test("a chat is renamed from its menu by keyboard: a blank name is refused with the text kept, and the name outlives a reload and later turns", async ({ page }) => {
  await signIn(page, "dave@example.com");
  await send(page, "What is my email address?");
  await waitForReply(page);
  const chatId = new URL(page.url()).pathname.split("/").at(-1)!;
  const history = page.getByRole("navigation", { name: "Chat history" });

  // The menu is the next stop after the chat's link, and shows when it has focus.
  await history.getByRole("link", { name: "What is my email address?" }).focus();
  await page.keyboard.press("Tab");
  const options = history.getByRole("button", { name: "Options for chat “What is my email address?”" });
  await expect(options).toBeFocused();
  await expect(options).toHaveCSS("opacity", "1");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "Rename" })).toBeFocused();
  await page.keyboard.press("Enter");

  const dialog = page.getByRole("dialog", { name: "Rename chat" });
  const field = dialog.getByRole("textbox", { name: "Chat name" });
  await expect(field).toHaveValue("What is my email address?");
  await expect(field).toBeFocused();
  await field.fill("   ");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Enter a name for the chat.");
  await expect(field).toHaveValue("   ");
  await expect(field).toHaveAttribute("aria-invalid", "true");

  await field.fill(`  ${UNTIDY_NAME} `);
  await field.press("Enter");
  await expect(dialog).toHaveCount(0);
  const renamed = history.getByRole("button", { name: `Options for chat “${UNTIDY_NAME}”` });
  await expect(renamed).toBeFocused();
  await expect(history.getByRole("link", { name: UNTIDY_NAME, exact: true })).toHaveAttribute("href", `/chat/${chatId}`);

  // Another turn and a reload: the name the user gave stays; the automatic title does not come back.
  await send(page, "Who am I?");
  await waitForReply(page);
  await page.reload();
  await expect(history.getByRole("link", { name: UNTIDY_NAME, exact: true })).toBeVisible();
  await expect(history.getByRole("link", { name: "What is my email address?" })).toHaveCount(0);
});

test("renaming refuses a request from another origin and a body that is not JSON", async ({ page }) => {
  await signIn(page, "dave@example.com");
  await send(page, "Who am I?");
  await waitForReply(page);
  const chatId = new URL(page.url()).pathname.split("/").at(-1)!;
  // page.request carries dave's session cookie, as a request from another site's page would.
  const crossSite = await page.request.patch(`/api/chats/${chatId}`, { headers: { origin: identityURL }, data: { title: "Renamed by another site" } });
  expect(crossSite.status()).toBe(403);
  const plainText = await page.request.patch(`/api/chats/${chatId}`, { headers: { "content-type": "text/plain" }, data: JSON.stringify({ title: "Sent as text" }) });
  expect(plainText.status()).toBe(415);
  // The same rename from the app's own origin is accepted, so the refusals were for the origin and the body type.
  const { chats } = (await (await page.request.get("/api/chats")).json()) as { chats: { id: string; title: string }[] };
  expect(chats.find((chat) => chat.id === chatId)?.title).toBe("Who am I?");
  const own = await page.request.patch(`/api/chats/${chatId}`, { headers: { origin: new URL(page.url()).origin }, data: { title: "Dave’s profile" } });
  expect(own.status()).toBe(200);
});

test("on a phone a chat is renamed through the drawer, and the menu shows without hover", async ({ browser }) => {
  // A touch screen: no hover, so every chat's menu button is shown, not only the open chat's.
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await signIn(page, "carol@example.com");
  await send(page, "Plan the offsite in Lisbon");
  await waitForReply(page);
  await newChat(page);
  await send(page, "What's on my calendar today?");
  await waitForReply(page);

  await page.getByRole("button", { name: "Open sidebar" }).click();
  const drawer = page.getByRole("dialog", { name: "Sidebar" });
  const options = drawer.getByRole("button", { name: "Options for chat “Plan the offsite in Lisbon”" });
  await expect(options).toHaveCSS("opacity", "1");
  await options.tap();
  await page.getByRole("menuitem", { name: "Rename" }).tap();
  const dialog = page.getByRole("dialog", { name: "Rename chat" });
  await dialog.getByRole("textbox", { name: "Chat name" }).fill(UNTIDY_NAME);
  await expectNoHorizontalOverflow(page);
  await dialog.getByRole("button", { name: "Save" }).tap();
  await expect(dialog).toHaveCount(0);
  await expect(drawer.getByRole("link", { name: UNTIDY_NAME, exact: true })).toBeVisible();
  await expect(drawer.getByRole("button", { name: `Options for chat “${UNTIDY_NAME}”` })).toBeFocused();
  await context.close();
});

test("an expired session asks to sign in again and keeps the typed text", async ({ page, context }) => {
  await signIn(page, "bob@example.com");
  // Let in-flight requests finish first: each one rolls the session and would set the cookie again.
  await page.waitForLoadState("networkidle");
  await context.clearCookies();
  await send(page, "Please keep this text");
  await expect(page.getByText("Your session has expired")).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in again" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("Please keep this text");
  await expect(page).toHaveURL(/\/$/);

  // After signing in again the draft is still there.
  await page.getByRole("link", { name: "Sign in again" }).click();
  await page.getByLabel("Email").fill("bob@example.com");
  await page.getByLabel("Password").fill("delegate-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("Please keep this text");
});

/** The session cookies a response sets (the SDK splits a large session into __session__0, __session__1…). */
const sessionCookiesSet = async (response: { headersArray(): { name: string; value: string }[] | Promise<{ name: string; value: string }[]> }) =>
  (await response.headersArray()).filter((header) => header.name.toLowerCase() === "set-cookie" && /^__session(__\d+)?=[^;]/.test(header.value));

test("a fetch still on its way when the person logs out does not sign them back in; pages still extend the session", async ({ page, context }) => {
  await signIn(page, "bob@example.com");
  // A page the browser navigates to extends the session (a rolling session), so it sets the cookie again.
  expect(await sessionCookiesSet((await page.goto("/"))!)).not.toEqual([]);
  const cookieHeader = (await context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
  await logOut(page, "Bob Chen");
  // The page's own requests, sent with the session just before "Log out" and answered just after.
  const inFlight: { path: string; headers: Record<string, string> }[] = [
    { path: "/api/chats", headers: { "sec-fetch-mode": "cors", "sec-fetch-dest": "empty" } },
    { path: "/documents", headers: { "sec-fetch-mode": "cors", "sec-fetch-dest": "empty", rsc: "1", "next-router-prefetch": "1" } },
  ];
  for (const { path, headers } of inFlight) {
    const response = await page.request.get(path, { headers: { ...headers, cookie: cookieHeader } });
    expect(response.ok()).toBe(true);
    expect(await sessionCookiesSet(response)).toEqual([]);
  }
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
});

test("sign-out returns to the landing page", async ({ page }) => {
  await signIn(page, "bob@example.com");
  await logOut(page, "Bob Chen");
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
});
