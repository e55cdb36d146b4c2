import { expect, test } from "@playwright/test";
import { lastReply, logOut, newChat, send, serverLogLines, signIn, waitForReply } from "./helpers";

test("alice asks who she is, the reply streams, and the conversation survives a reload", async ({ page }) => {
  await signIn(page, "alice@example.com");
  await expect(page.getByRole("status", { name: /Sandbox/ })).toBeVisible();
  await send(page, "Who am I?");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const reply = page.getByRole("article", { name: "Assistant message" }).last();
  await expect(reply).toContainText("alice@example.com");
  await expect(reply.getByRole("region", { name: "Tool: Get user profile" })).toContainText("Done");
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
  const deleteSecond = history.getByRole("button", { name: "Delete chat “Second question”" });

  // Deleting asks first; Esc cancels and keeps the chat.
  await deleteSecond.click();
  const confirm = page.getByRole("alertdialog", { name: "Delete this chat?" });
  await expect(confirm).toContainText("“Second question” and its messages will be deleted.");
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(deleteSecond).toBeFocused();
  await expect(history.getByRole("link", { name: "Second question" })).toBeVisible();

  await deleteSecond.click();
  await confirm.getByRole("button", { name: "Delete chat" }).click();
  await expect(history.getByRole("link", { name: "Second question" })).toHaveCount(0);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  await expect(history.getByRole("link", { name: "First question" })).toBeVisible();
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
