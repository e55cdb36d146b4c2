import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { HISTORY_TOKEN_BUDGET } from "@/lib/chat/history";
import { MAX_MESSAGE_LENGTH } from "@/lib/chat/limits";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { startModelProxy, type ModelRequest } from "./recording-proxy";

// What the model reads of a long chat: the newest whole turns within the token budget, sent through the route
// to the sandbox model behind a recording proxy.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness();
let proxy: Awaited<ReturnType<typeof startModelProxy>>;

beforeAll(async () => {
  proxy = await startModelProxy(process.env.OPENAI_BASE_URL!);
  // This test is about the history, not the rate limit: it sends thirty messages in a few seconds.
  Object.assign(process.env, { OPENAI_BASE_URL: proxy.url, RATE_LIMIT_CHAT_TURNS_PER_MINUTE: "1000" });
  session.current = await harness.sandbox.signIn("dave@example.com");
});

afterAll(async () => {
  delete process.env.RATE_LIMIT_CHAT_TURNS_PER_MINUTE;
  await proxy?.close();
});

/** A note as long as a message may be, in words no tool answers to. */
const note = (n: number) => `Note ${n}: ${"lorem ipsum dolor sit amet ".repeat(400)}`.slice(0, MAX_MESSAGE_LENGTH);
const text = (message: ModelRequest["messages"][number]) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? ""));

it("sends the newest whole turns that fit the budget, every tool call with its result, and keeps the chat whole", async () => {
  const chatId = crypto.randomUUID();
  for (let n = 1; n <= 14; n++) {
    expect((await harness.client.say(chatId, note(n))).status).toBe(200);
    expect((await harness.client.say(chatId, "Who am I?")).text).toContain("dave@example.com");
  }
  const first = proxy.requests.length;
  expect((await harness.client.say(chatId, "What is my email address?")).status).toBe(200);
  const sent = proxy.requests[first]!.messages.filter((m) => m.role !== "system");

  expect(sent[0]?.role).toBe("user");
  expect(text(sent.at(-1)!)).toBe("What is my email address?");
  const notes = sent.flatMap((m) => /^Note (\d+):/.exec(text(m))?.[1] ?? []).map(Number);
  // The newest notes, none skipped; the oldest ones left out.
  expect(notes).toEqual(Array.from({ length: notes.length }, (_, i) => 15 - notes.length + i));
  expect(notes.length).toBeGreaterThanOrEqual(8);
  expect(notes).not.toContain(1);
  expect(sent.reduce((sum, m) => sum + text(m).length + JSON.stringify(m.tool_calls ?? []).length, 0) / 4).toBeLessThanOrEqual(HISTORY_TOKEN_BUDGET);

  // Every tool call is followed by its result, and every result follows its call.
  sent.forEach((message, index) => {
    const calls = (message.tool_calls ?? []).map((c) => c.id);
    const results = sent.slice(index + 1, index + 1 + calls.length).map((m) => m.role === "tool" && m.tool_call_id);
    expect(results).toEqual(calls);
    if (message.role === "tool") expect(sent[index - 1]?.role === "tool" || (sent[index - 1]?.tool_calls?.length ?? 0) > 0).toBe(true);
  });
  expect(sent.filter((m) => m.role === "tool").length).toBeGreaterThan(0);

  expect(await harness.sql`select 1 from messages where chat_id = ${chatId}`).toHaveLength(2 * (2 * 14 + 1));
});
