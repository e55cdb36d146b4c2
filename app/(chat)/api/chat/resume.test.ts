import { beforeAll, describe, expect, it, vi } from "vitest";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamedText } from "./test-client";

// Interrupt and resume through the chat route, against the whole sandbox (identity with Token Vault, provider
// APIs, scripted model, Postgres). Only the cookie session is replaced by the harness's real refresh tokens.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const JWT = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;

let alice: SignedInUser;
let carol: SignedInUser;
const bodies: string[] = [];
const logged: string[] = [];

// Before the sandbox starts, so whatever it logs is searched for tokens too.
beforeAll(() => {
  for (const level of ["log", "info", "warn", "error"] as const) {
    const original = console[level].bind(console);
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      original(...args);
    });
  }
});

const harness = setUpChatRouteHarness({ bodies });

beforeAll(async () => {
  alice = await harness.sandbox.signIn("alice@example.com");
  carol = await harness.sandbox.signIn("carol@example.com");
});

async function post(user: SignedInUser, body: object) {
  session.current = user;
  return harness.client.post(body);
}

const say = (user: SignedInUser, chatId: string, text: string) =>
  post(user, { id: chatId, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] } });
const resume = (user: SignedInUser, chatId: string, toolCallId: string) => post(user, { id: chatId, resume: { toolCallId } });

async function pendingCalls(chatId: string) {
  const rows = await harness.sql<{ tool_call_id: string }[]>`
    select tool_call_id from tool_interrupts where chat_id = ${chatId} and status = 'pending' order by updated_at`;
  return rows.map((r) => r.tool_call_id);
}

describe("interrupted tool calls", () => {
  it("stop at a connect prompt, and resume exactly once after the account is connected", async () => {
    const chatId = crypto.randomUUID();
    const first = await say(alice, chatId, "What's on my calendar today?");
    expect(first.status).toBe(200);
    expect(first.text).toContain('"code":"TOKEN_VAULT_ERROR"');
    expect(first.text).not.toContain("Dentist appointment");
    const [toolCallId] = await pendingCalls(chatId);
    expect(toolCallId).toBeDefined();

    // Resuming before connecting re-runs the call and asks again; it stays resumable.
    const early = await resume(alice, chatId, toolCallId!);
    expect(early.status).toBe(200);
    expect(early.text).toContain('"code":"TOKEN_VAULT_ERROR"');
    expect(await pendingCalls(chatId)).toEqual([toolCallId]);

    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    const [a, b] = await Promise.all([resume(alice, chatId, toolCallId!), resume(alice, chatId, toolCallId!)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    expect(winner.text).toContain('"type":"tool-output-available"');
    // The model continued from the real result: its own text names the event.
    expect(streamedText(winner.text)).toContain("Dentist appointment");
    expect((await resume(alice, chatId, toolCallId!)).status).toBe(409);

    const [message] = await harness.sql<{ parts: { type: string; output?: unknown }[] }[]>`
      select parts from messages where chat_id = ${chatId} and role = 'assistant'`;
    const toolPart = message?.parts.find((p) => p.type === "tool-get_calendar_events");
    expect(JSON.stringify(toolPart?.output)).toContain("Dentist appointment");
    expect(await harness.sql`select 1 from messages where chat_id = ${chatId}`).toHaveLength(2);
  });

  it("waits for every interrupt of a step before the model continues", async () => {
    const chatId = crypto.randomUUID();
    const first = await say(carol, chatId, "What's on my calendar today and list my GitHub repositories");
    const calls = await pendingCalls(chatId);
    expect(calls).toHaveLength(2);
    expect(first.text.match(/"code":"TOKEN_VAULT_ERROR"/g)).toHaveLength(2);

    await harness.sandbox.connect(carol, "google-oauth2", [CALENDAR]);
    await harness.sandbox.connect(carol, "github", ["repo"]);
    const one = await resume(carol, chatId, calls[0]!);
    expect(one.status).toBe(200);
    expect(streamedText(one.text)).toBe(""); // the other call still waits
    const two = await resume(carol, chatId, calls[1]!);
    expect(streamedText(two.text)).toContain("garden-sensors");
    expect(await pendingCalls(chatId)).toEqual([]);
  });

  it("cannot be resumed by another user or after the conversation moved on", async () => {
    const chatId = crypto.randomUUID();
    await say(carol, chatId, "List my Slack channels");
    const [toolCallId] = await pendingCalls(chatId);
    expect((await resume(alice, chatId, toolCallId!)).status).toBe(404);
    await say(carol, chatId, "Never mind");
    expect((await resume(carol, chatId, toolCallId!)).status).toBe(409);
  });

  it("keeps refresh and provider tokens out of responses, stored messages and logs", async () => {
    // A whole connect-and-resume of its own, so there are tokens to leak whichever tests ran before.
    const bob = await harness.sandbox.signIn("bob@example.com");
    const chatId = crypto.randomUUID();
    await say(bob, chatId, "What's on my calendar today?");
    const [toolCallId] = await pendingCalls(chatId);
    await harness.sandbox.connect(bob, "google-oauth2", [CALENDAR]);
    expect((await resume(bob, chatId, toolCallId!)).text).toContain('"type":"tool-output-available"');

    const stored = await harness.sql<{ data: string }[]>`
      select parts::text as data from messages union all select row_to_json(t)::text from tool_interrupts t`;
    const everything = [...bodies, ...stored.map((r) => r.data), ...logged];
    for (const text of everything) {
      expect(text).not.toMatch(JWT);
      for (const user of [alice, bob, carol]) expect(text).not.toContain(user.refreshToken);
    }
  });
});
