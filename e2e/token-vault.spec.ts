import { expect, test, type Page } from "@playwright/test";
import {
  answerConsent,
  ask,
  confirmDisconnect,
  connectInPopup,
  connectionEntry,
  ensureConnected,
  ensureDisconnected,
  lastReply,
  newChat,
  signIn,
  waitForReply,
} from "./helpers";
import { recordResponses, type RecordedResponse } from "./response-recorder";

/**
 * Token Vault: tools that need a third-party account ask the user to connect it, resume by themselves once it is
 * connected, and never run (nor leak anything) otherwise. The server is shared by every test, so each test first
 * puts its user's connections in the state it needs.
 */

const CALENDAR_QUESTION = "What's on my calendar today?";
const CALENDAR_PERMISSION = "See the events on your calendars";
const NOT_CONNECTED = "Not connected. Nothing was done; you can try again.";

/** Seeded calendars, today. Alice's dentist appointment is hers alone. */
const ALICE_EVENTS = ["Team standup", "Dentist appointment"];
const BOB_EVENTS = ["Budget review"];
const CAROL_EVENTS = ["Sprint retro", "Yoga class"];
const ALICE_PRIVATE = ["Dentist appointment", "Bright Smile Dental", "alice/trip-planner", "alice/dotfiles"];

function connectPrompt(page: Page, label = "Google") {
  return lastReply(page).getByRole("region", { name: `Connect ${label}` });
}

/** Asks the calendar question with Google not connected and checks the prompt that comes back. */
async function askCalendarExpectingPrompt(page: Page) {
  const reply = await ask(page, CALENDAR_QUESTION);
  const prompt = reply.getByRole("region", { name: "Connect Google" });
  await expect(prompt).toContainText("Connect your Google account to continue.");
  await expect(prompt.getByRole("listitem")).toHaveText([CALENDAR_PERMISSION]);
  await expect(prompt.getByRole("button", { name: "Connect Google" })).toBeEnabled();
  // The tool did not run: no result card, no calendar data.
  await expect(reply.getByRole("region", { name: "Tool: Read your calendar" })).toHaveCount(0);
  return prompt;
}

/** After a successful connect the call resumes by itself; waits for the finished reply. */
async function expectCalendarReply(page: Page, events: readonly string[]) {
  const reply = lastReply(page);
  for (const event of events) await expect(reply).toContainText(event, { timeout: 30_000 });
  await expect(reply.getByRole("region", { name: "Tool: Read your calendar" })).toContainText("Done");
  await expect(page.getByRole("region", { name: "Connect Google" })).toHaveCount(0);
  await waitForReply(page);
  return reply;
}

test("alice connects Google from the chat and the calendar question resumes without typing again", async ({ page }) => {
  await signIn(page, "alice@example.com");
  await ensureDisconnected(page, "Google");
  await newChat(page);

  const prompt = await askCalendarExpectingPrompt(page);
  const chatUrl = page.url();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveCount(1);
  await connectInPopup(page, prompt.getByRole("button", { name: "Connect Google" }), "Allow");

  await expectCalendarReply(page, ALICE_EVENTS);
  // Nothing was typed: still the one question, and the box is empty.
  await expect(page.getByRole("article", { name: "Your message" })).toHaveCount(1);
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("");
  expect(page.url()).toBe(chatUrl);

  // The resumed conversation was stored as resolved: a reload shows the events and asks nothing.
  await page.reload();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText([CALENDAR_QUESTION]);
  await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);
  const stored = lastReply(page);
  for (const event of ALICE_EVENTS) await expect(stored).toContainText(event);
  await expect(stored.getByRole("region", { name: "Tool: Read your calendar" })).toContainText("Done");
  await expect(page.getByRole("region", { name: "Connect Google" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Connect Google" })).toHaveCount(0);

  // Connected now: a new chat answers straight away.
  await newChat(page);
  const again = await ask(page, CALENDAR_QUESTION);
  await expect(again).toContainText("Dentist appointment");
  await expect(again.getByRole("region", { name: "Tool: Read your calendar" })).toContainText("Done");
  await expect(page.getByRole("region", { name: "Connect Google" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Connect Google" })).toHaveCount(0);
});

test("cancelling or closing the consent popup leaves Google not connected and runs nothing; trying again works", async ({ page }) => {
  await signIn(page, "carol@example.com");
  await ensureDisconnected(page, "Google");
  await newChat(page);

  const prompt = await askCalendarExpectingPrompt(page);
  const connect = prompt.getByRole("button", { name: "Connect Google" });
  const calendarCard = page.getByRole("region", { name: "Tool: Read your calendar" });

  // Cancel on the consent page.
  await connectInPopup(page, connect, "Cancel");
  await expect(prompt.getByRole("status")).toHaveText(NOT_CONNECTED);
  await expect(connect).toBeEnabled();
  await expect(calendarCard).toHaveCount(0);
  for (const event of CAROL_EVENTS) await expect(page.getByText(event)).toHaveCount(0);
  await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);

  // Close the popup without answering.
  const [popup] = await Promise.all([page.waitForEvent("popup"), connect.click()]);
  await expect(popup.getByRole("button", { name: "Allow" })).toBeVisible();
  await expect(connect).toBeDisabled(); // waiting for the popup
  await expect(prompt.getByRole("status")).toHaveCount(0);
  await popup.close();
  await expect(prompt.getByRole("status")).toHaveText(NOT_CONNECTED);
  await expect(connect).toBeEnabled();
  await expect(calendarCard).toHaveCount(0);
  for (const event of CAROL_EVENTS) await expect(page.getByText(event)).toHaveCount(0);

  // Nothing was connected on the way.
  const chatUrl = page.url();
  await page.goto("/connections");
  await expect(connectionEntry(page, "Google")).toContainText("Not connected");
  await page.goto(chatUrl);
  await expect(connect).toBeEnabled();

  // Third time, Allow: the call resumes.
  await connectInPopup(page, connect, "Allow");
  await expectCalendarReply(page, CAROL_EVENTS);
  await expect(page.getByRole("article", { name: "Your message" })).toHaveCount(1);
});

test("disconnecting Google on the Connections page makes the chat ask to connect again", async ({ page }) => {
  await signIn(page, "bob@example.com");
  await ensureDisconnected(page, "Google");
  await newChat(page);
  const prompt = await askCalendarExpectingPrompt(page);
  await connectInPopup(page, prompt.getByRole("button", { name: "Connect Google" }), "Allow");
  await expectCalendarReply(page, BOB_EVENTS);

  await page.getByRole("link", { name: "Connections" }).click();
  await expect(page.getByRole("heading", { name: "Connections" })).toBeVisible();
  for (const label of ["Google", "GitHub", "Slack"]) await expect(connectionEntry(page, label)).toBeVisible();
  const google = connectionEntry(page, "Google");
  await expect(google).toContainText("Connected on");
  await expect(google.getByRole("list", { name: "Permissions granted to Delegate on Google" })).toContainText(CALENDAR_PERMISSION);
  await confirmDisconnect(page, "Google");
  await expect(google.getByRole("link", { name: "Connect Google" })).toBeVisible();
  await expect(google.getByRole("button", { name: "Disconnect Google" })).toHaveCount(0);
  await expect(google.getByRole("list", { name: "Permissions granted to Delegate on Google" })).toHaveCount(0);
  // Still disconnected after a reload, i.e. at the identity server and not just on screen.
  await page.reload();
  await expect(connectionEntry(page, "Google")).toContainText("Not connected");

  await newChat(page);
  await askCalendarExpectingPrompt(page);
  for (const event of BOB_EVENTS) await expect(lastReply(page)).not.toContainText(event);
});

test("each user's tools see only that user's accounts", async ({ browser }) => {
  // Alice is connected and has just used her Google and GitHub tokens, so the app holds them.
  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, "alice@example.com");
  await ensureConnected(alice, "Google");
  await ensureConnected(alice, "GitHub");
  await newChat(alice);
  await expect(await ask(alice, CALENDAR_QUESTION)).toContainText("Dentist appointment");
  await newChat(alice);
  await expect(await ask(alice, "List my GitHub repositories")).toContainText("alice/trip-planner");
  await aliceContext.close();

  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signIn(bob, "bob@example.com");
  await ensureDisconnected(bob, "Google");
  await ensureDisconnected(bob, "GitHub");

  // Google, connected from the chat.
  await newChat(bob);
  const prompt = await askCalendarExpectingPrompt(bob);
  await connectInPopup(bob, prompt.getByRole("button", { name: "Connect Google" }), "Allow");
  const calendar = await expectCalendarReply(bob, BOB_EVENTS);
  for (const text of ALICE_PRIVATE) await expect(calendar).not.toContainText(text);

  // GitHub, connected from the Connections page.
  await ensureConnected(bob, "GitHub");
  await newChat(bob);
  const repos = await ask(bob, "List my GitHub repositories");
  await expect(repos.getByRole("region", { name: "Tool: List your GitHub repositories" })).toContainText("Done");
  await expect(repos).toContainText("bob/budget-tools");
  for (const text of ALICE_PRIVATE) await expect(repos).not.toContainText(text);
  for (const text of ALICE_PRIVATE) await expect(bob.getByRole("main")).not.toContainText(text);
  await bobContext.close();
});

test("with popups blocked the whole tab goes through consent and comes back to resume the call", async ({ page, context, baseURL }) => {
  await context.addInitScript(() => {
    window.open = () => null;
  });
  await signIn(page, "carol@example.com");
  await ensureDisconnected(page, "Google");
  await newChat(page);
  const prompt = await askCalendarExpectingPrompt(page);
  const chatPath = new URL(page.url()).pathname;

  const backToChat = page.waitForRequest(
    (request) => request.isNavigationRequest() && new RegExp(`^${baseURL}${chatPath}\\?resume=.+`).test(request.url()),
  );
  await prompt.getByRole("button", { name: "Connect Google" }).click();
  await answerConsent(page, "Allow");
  await backToChat;
  // Back in the same chat, with the resume parameter already taken out of the address.
  await expect(page).toHaveURL(`${baseURL}${chatPath}`);
  await expectCalendarReply(page, CAROL_EVENTS);
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText([CALENDAR_QUESTION]);

  // Resumed exactly once: a reload shows the one stored reply and asks nothing.
  await page.reload();
  await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);
  await expect(lastReply(page)).toContainText("Yoga class");
  await expect(page.getByRole("button", { name: "Connect Google" })).toHaveCount(0);
});

test("with popups blocked, cancelling brings the tab back to the chat saying Not connected", async ({ page, context, baseURL }) => {
  await context.addInitScript(() => {
    window.open = () => null;
  });
  await signIn(page, "carol@example.com");
  await ensureDisconnected(page, "Google");
  await newChat(page);
  const prompt = await askCalendarExpectingPrompt(page);
  const chatPath = new URL(page.url()).pathname;

  const backToChat = page.waitForRequest(
    (request) => request.isNavigationRequest() && new RegExp(`^${baseURL}${chatPath}\\?connect_failed=.+`).test(request.url()),
  );
  await prompt.getByRole("button", { name: "Connect Google" }).click();
  await answerConsent(page, "Cancel");
  await backToChat;
  await expect(page).toHaveURL(`${baseURL}${chatPath}`);
  await expect(connectPrompt(page).getByRole("status")).toHaveText(NOT_CONNECTED);
  await expect(page.getByRole("region", { name: "Tool: Read your calendar" })).toHaveCount(0);
  for (const event of CAROL_EVENTS) await expect(page.getByText(event)).toHaveCount(0);
});

test("no token reaches the browser while signing in, connecting, chatting and managing connections", async ({ page, context, baseURL }) => {
  const recorder = await recordResponses(context, baseURL!);

  await signIn(page, "alice@example.com");
  await ensureDisconnected(page, "Google");
  await newChat(page);
  const prompt = await askCalendarExpectingPrompt(page);
  await connectInPopup(page, prompt.getByRole("button", { name: "Connect Google" }), "Allow");
  await expectCalendarReply(page, ALICE_EVENTS);
  await page.reload();
  await expect(lastReply(page)).toContainText("Dentist appointment");
  await page.getByRole("link", { name: "Connections" }).click();
  const google = connectionEntry(page, "Google");
  await expect(google).toContainText("Connected on");
  await confirmDisconnect(page, "Google");
  await page.waitForLoadState("networkidle");
  const responses = await recorder.stop();

  expect(responses.filter((r) => r.source === "lost").map((r) => `${r.method} ${r.url}`)).toEqual([]);
  // Provider tokens and My Account tokens are JWTs; the session's refresh token never leaves the server either.
  const forbidden = [/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/, /refresh_token/, /access_token/];
  for (const { method, url, text } of responses) {
    for (const pattern of forbidden) expect(text, `${method} ${url} matches ${pattern}`).not.toMatch(pattern);
  }

  // The check saw what matters: pages, RSC payloads, the JSON API, both chat streams and the popup's pages.
  const path = (r: RecordedResponse) => new URL(r.url).pathname;
  const seen = responses.filter((r) => r.source !== "replayed");
  expect(seen.length).toBeGreaterThan(30);
  const streams = seen.filter((r) => path(r) === "/api/chat" && r.contentType.startsWith("text/event-stream"));
  expect(streams).toHaveLength(2); // the question, then the resumed call
  expect(streams[0]!.text).toContain("Connect your Google account to continue.");
  expect(streams[1]!.text).toContain("Dentist appointment");
  for (const stream of streams) expect(stream.text).toContain("data: [DONE]");
  // A page may have been read again (the popup can close before its body is read); it was still checked.
  const found = (predicate: (r: RecordedResponse) => boolean) => responses.some(predicate);
  expect(found((r) => path(r).startsWith("/chat/") && r.contentType.startsWith("text/html") && r.text.includes("Dentist appointment"))).toBe(true);
  expect(found((r) => r.contentType.startsWith("text/x-component"))).toBe(true);
  expect(found((r) => path(r) === "/api/chats" && r.contentType.startsWith("application/json"))).toBe(true);
  expect(found((r) => path(r) === "/auth/callback")).toBe(true);
  expect(found((r) => path(r) === "/connect/complete")).toBe(true);
  expect(found((r) => path(r).startsWith("/api/connections/") && r.method === "DELETE")).toBe(true);
});
