import { describe, expect, it, vi } from "vitest";
import { createDraft } from "@/lib/integrations/google";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamChunks, streamedText } from "./test-client";

// The Token Vault tools that read Gmail, free/busy, GitHub activity and Slack channels, asked in plain words through
// the chat route against the whole sandbox: the user's own data comes back whole (non-ASCII, amounts, URLs), and
// never another user's.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const GMAIL_READ = "https://www.googleapis.com/auth/gmail.readonly";
const GMAIL_COMPOSE = "https://www.googleapis.com/auth/gmail.compose";
const FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy";
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

const harness = setUpChatRouteHarness({ sql: { onnotice: () => {} } });

/** What the result event of the user's latest tool call says entered the model's context. */
async function enteredOfLatestCall(user: SignedInUser) {
  const [row] = await harness.sql<{ evidence: { entered?: Record<string, string[]> } }[]>`
    select evidence from audit_events where user_id = ${user.sub} and action = 'tool.result' order by sequence desc limit 1`;
  return row?.evidence.entered;
}

/** Asks once in a new chat and returns the one tool call the answer made, with its output and the reply text. */
async function ask(user: SignedInUser, text: string) {
  session.current = user;
  const reply = await harness.client.post({ id: crypto.randomUUID(), timeZone: TIME_ZONE, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] } });
  expect(reply.status, reply.text).toBe(200);
  const chunks = streamChunks(reply.text);
  const calls = chunks.filter((chunk) => chunk.type === "tool-input-available");
  expect(calls, reply.text).toHaveLength(1);
  const output = chunks.find((chunk) => chunk.type === "tool-output-available")?.output;
  return { tool: String(calls[0]!.toolName), input: calls[0]!.input as Record<string, unknown>, output: output as Record<string, unknown>, text: streamedText(reply.text) };
}

async function signedInWith(email: string, connection: string, scopes: string[]) {
  const user = await harness.sandbox.signIn(email);
  await harness.sandbox.connect(user, connection, scopes);
  return user;
}

describe("search_gmail", () => {
  it("finds a message by a non-ASCII word and keeps its subject, amount and URL whole; another user's search does not", async () => {
    const alice = await signedInWith("alice@example.com", "google-oauth2", [GMAIL_READ, GMAIL_COMPOSE]);
    const subject = `Angebot für Café Zürich – 1.284,50 € (netto) ${"Ü".repeat(3)} ${crypto.randomUUID()}`;
    await createDraft(await harness.sandbox.providerToken(alice, "google-oauth2"), {
      to: "bob@example.com",
      subject,
      body: "Details: https://example.com/angebot?id=42&lang=de (gültig bis 31.12.)",
    });

    const found = await ask(alice, "Search my email for Zürich");
    expect(found.tool).toBe("search_gmail");
    expect(found.input).toEqual({ query: "Zürich" });
    const messages = found.output.messages as { subject: string; snippet: string }[];
    expect(messages.map((message) => message.subject)).toEqual([subject]);
    expect(messages[0]!.snippet).toContain("https://example.com/angebot?id=42");
    expect(found.text).toContain(subject);

    const bob = await signedInWith("bob@example.com", "google-oauth2", [GMAIL_READ]);
    const theirs = await ask(bob, "Search my email for Zürich");
    expect(theirs.output).toEqual({ query: "Zürich", messages: [] });
    expect(theirs.text).not.toContain("Angebot");
  });

  it("answers a plain question with the matching message, amount as written, and nothing else", async () => {
    const alice = await signedInWith("alice@example.com", "google-oauth2", [GMAIL_READ]);
    const { output, text } = await ask(alice, "Search my email for invoice");
    const messages = output.messages as { id: string; subject: string; from: string; snippet: string }[];
    expect(messages.map((message) => message.subject)).toEqual(["Invoice #1042 from Acme Supplies"]);
    // The trail names the Gmail messages the model read, by their Gmail ids.
    expect(messages[0]!.id).toMatch(/\S/);
    expect(await enteredOfLatestCall(alice)).toEqual({ gmailMessages: messages.map((message) => message.id) });
    expect(messages[0]!.from).toBe("Acme Supplies Billing <billing@acme-supplies.example>");
    expect(messages[0]!.snippet).toContain("Amount due: $1,284.50 (USD)");
    expect(text).toContain("Invoice #1042 from Acme Supplies");

    const none = await ask(alice, "Search my email for Quetzalcoatl");
    expect(none.output).toEqual({ query: "Quetzalcoatl", messages: [] });
  });
});

describe("check_availability", () => {
  it("reads the user's own free/busy: free in a gap, busy over a meeting, in the user's time zone", async () => {
    const alice = await signedInWith("alice@example.com", "google-oauth2", [FREEBUSY]);
    const gap = await ask(alice, "Am I free today at 12:30?");
    expect(gap.tool).toBe("check_availability");
    expect(gap.output).toMatchObject({ from: "12:30", to: "13:00", free: true, calendars: [{ calendar: "your calendar", status: "free", busy: [] }] });

    // The standup runs 09:30–09:45: a 30-minute slot from 09:30 overlaps it.
    const standup = await ask(alice, "Am I free today at 09:30?");
    expect(standup.output).toMatchObject({ free: false, calendars: [{ calendar: "your calendar", status: "busy", busy: [{ from: "09:30", to: "09:45" }] }] });
  });

  it("checks other people by email, and never reports a calendar it could not read as free", async () => {
    const alice = await signedInWith("alice@example.com", "google-oauth2", [FREEBUSY]);
    const carol = await ask(alice, "Is carol@example.com free today at 16:00?");
    expect(carol.input).toMatchObject({ time: "16:00", people: ["carol@example.com"] });
    const calendars = carol.output.calendars as { calendar: string; status: string }[];
    expect(calendars.map(({ calendar, status }) => [calendar, status])).toEqual([
      ["your calendar", "free"],
      ["carol@example.com", "busy"],
    ]);
    expect(carol.output.free).toBe(false);
    // Whose calendars entered the model's context, by Google's calendar ids.
    expect(await enteredOfLatestCall(alice)).toEqual({ googleCalendars: ["primary", "carol@example.com"] });

    const stranger = "anna-lena.obrien+planning@mail.example.co.uk";
    const unknown = await ask(alice, `Is ${stranger} free today at 12:30?`);
    expect(unknown.input).toMatchObject({ people: [stranger] });
    expect(unknown.output).toMatchObject({
      free: "unknown",
      calendars: [
        { calendar: "your calendar", status: "free" },
        { calendar: stranger, status: "not checked", why: "Google does not know this calendar, or it is not shared with you" },
      ],
      note: `Could not check ${stranger}: do not report them as free.`,
    });
    expect(await enteredOfLatestCall(alice)).toEqual({ googleCalendars: ["primary", stranger] });
  });
});

describe("get_github_activity", () => {
  it("lists the user's own recent events, newest first, with issue titles; another user's list holds none of them", async () => {
    const alice = await signedInWith("alice@example.com", "github", ["read:user"]);
    const { tool, output } = await ask(alice, "Show my recent GitHub activity");
    expect(tool).toBe("get_github_activity");
    const activity = output.activity as { repository: string; summary: string; at: string }[];
    expect(activity.length).toBeGreaterThanOrEqual(5);
    expect(activity.every((event) => event.repository.startsWith("alice/"))).toBe(true);
    expect(activity.map((event) => event.summary)).toContain("Opened issue #13: Currency conversion rounds to whole euros");
    expect(activity.map((event) => event.summary)).toContain("Created branch feature/budget-split");
    const times = activity.map((event) => Date.parse(event.at));
    expect(times.every(Number.isFinite)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const bob = await signedInWith("bob@example.com", "github", ["read:user"]);
    const bobs = (await ask(bob, "Show my recent GitHub activity")).output.activity as { repository: string; summary: string }[];
    expect(bobs.map((event) => event.summary)).toContain("Closed issue #8: CSV export drops the header row");
    // Bob starred Alice's repository: his event, shown as what he did.
    expect(bobs).toContainEqual(expect.objectContaining({ repository: "alice/trip-planner", summary: "Starred the repository" }));
    expect(bobs.map((event) => event.summary)).not.toContain("Opened issue #13: Currency conversion rounds to whole euros");
  });
});

describe("list_slack_channels", () => {
  it("lists the workspace's public, unarchived channels with non-ASCII names, and whether this user joined each", async () => {
    const alice = await signedInWith("alice@example.com", "sign-in-with-slack", ["channels:read"]);
    const { tool, output, text } = await ask(alice, "List my Slack channels");
    expect(tool).toBe("list_slack_channels");
    const channels = output.channels as { name: string; member: boolean; members: number }[];
    expect(channels.map(({ name, member }) => [name, member])).toEqual([
      ["#general", true],
      ["#design-review", true],
      ["#engineering", false],
      ["#random", true],
      ["#東京オフィス", false],
      ["#équipe-paris", true],
    ]);
    expect(output.note).toBeUndefined();
    // Private channels (even Alice's own #release-crew) and the archived #launch-2023 are not listed.
    expect(JSON.stringify(output)).not.toMatch(/finance|release-crew|launch-2023/);
    expect(text).toContain("#東京オフィス");

    const carol = await signedInWith("carol@example.com", "sign-in-with-slack", ["channels:read"]);
    const carols = (await ask(carol, "List my Slack channels")).output.channels as { name: string; member: boolean }[];
    expect(carols.find((channel) => channel.name === "#engineering")?.member).toBe(true);
    expect(carols.find((channel) => channel.name === "#design-review")?.member).toBe(true);
    expect(carols.find((channel) => channel.name === "#random")?.member).toBe(true);
  });
});
