import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamChunks } from "./test-client";

// Limits of the chat route (OWASP LLM10), attacked through the route handler against the whole sandbox, with an
// allowance of 3 chat turns a minute.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const TURNS_PER_MINUTE = 3;
const COMPOSE = "https://www.googleapis.com/auth/gmail.compose";
const MB = 1024 * 1024;

const harness = setUpChatRouteHarness();
let POST: (request: Request) => Promise<Response>;
const users: Record<"alice" | "bob" | "carol" | "dave", SignedInUser> = {} as never;

beforeAll(async () => {
  process.env.RATE_LIMIT_CHAT_TURNS_PER_MINUTE = String(TURNS_PER_MINUTE);
  for (const name of ["alice", "bob", "carol", "dave"] as const) users[name] = await harness.sandbox.signIn(`${name}@example.com`);
  ({ POST } = await import("./route"));
});

afterAll(() => {
  delete process.env.RATE_LIMIT_CHAT_TURNS_PER_MINUTE;
});

beforeEach(async () => {
  session.current = users.alice;
  await harness.sql`delete from rate_limits`;
});

/** A request body that counts how much of it the server pulled, with or without a (possibly false) content-length. */
function streamedBody(totalBytes: number, headers: Record<string, string> = {}) {
  const chunk = new TextEncoder().encode(`{"id":"${crypto.randomUUID()}","message":{"parts":[${'{"type":"text","text":"x"},'.repeat(2_000)}`.slice(0, 16 * 1024));
  const read = { bytes: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (read.bytes >= totalBytes) return controller.close();
        read.bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request("http://localhost:3000/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://localhost:3000", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  return { request, read };
}

const message = (parts: number, text = "Who am I?") => ({
  id: crypto.randomUUID(),
  role: "user",
  parts: Array.from({ length: parts }, (_, i) => ({ type: "text", text: i === 0 ? text : " " })),
});

describe("reading the request", () => {
  it("checks the session before reading a byte of the body", async () => {
    session.current = null;
    const { request, read } = streamedBody(5 * MB);
    const response = await POST(request);
    expect(response.status).toBe(401);
    expect(read.bytes).toBe(0);
  });

  it("stops reading a body past 64 KB, whether content-length is missing, false or true", async () => {
    const contentLengths: Record<string, string>[] = [{}, { "content-length": "100" }, { "content-length": String(5 * MB) }];
    for (const headers of contentLengths) {
      const { request, read } = streamedBody(5 * MB, headers);
      const response = await POST(request);
      expect(response.status, JSON.stringify(headers)).toBe(413);
      expect(await response.json()).toEqual({ error: { code: "payload_too_large", message: "The request is too large (the limit is 64 KB)." } });
      expect(read.bytes).toBeLessThanOrEqual(64 * 1024 + 2 * 16 * 1024);
    }
  });

  it("refuses a 50,000-part message, and any message over 20 parts with the limit named; stores nothing", async () => {
    const chatId = crypto.randomUUID();
    const huge = await harness.client.post({ id: chatId, message: message(50_000) });
    expect(huge.status).toBe(413);
    // Compact enough to pass the size cap: the part limit itself answers.
    const tooMany = await harness.client.post({ id: chatId, message: { ...message(21), parts: Array(21).fill({ type: "text", text: "" }) } });
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.text)).toEqual({ error: { code: "bad_request", message: "A message can have at most 20 parts." } });
    expect(await harness.sql`select 1 from chats where id = ${chatId}`).toHaveLength(0);

    const twenty = await harness.client.post({ id: chatId, message: message(20) });
    expect(twenty.status).toBe(200);
    expect(twenty.text).toContain("alice@example.com");
  });
});

/** Fixed one-minute windows: start a test early enough in one that it ends in the same. */
async function earlyInWindow() {
  const into = Date.now() % 60_000;
  if (into > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - into));
}

function refusedAsRateLimited({ status, headers, text }: { status: number; headers: Headers; text: string }) {
  expect(status).toBe(429);
  const retryAfter = Number(headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(JSON.parse(text)).toEqual({
    error: {
      code: "rate_limited",
      message: `You have reached the limit of ${TURNS_PER_MINUTE} messages a minute. Try again in ${retryAfter} second${retryAfter === 1 ? "" : "s"}.`,
    },
  });
}

function say(user: SignedInUser, chatId: string, text: string) {
  session.current = user;
  return harness.client.say(chatId, text);
}

describe("per-user rate limit on chat turns", { timeout: 90_000 }, () => {
  it("refuses messages over the allowance with 429 and Retry-After, stores nothing, and leaves other users alone", async () => {
    await earlyInWindow();
    const { dave, bob } = users;
    const chatId = crypto.randomUUID();
    for (let turn = 1; turn <= TURNS_PER_MINUTE; turn++) expect((await say(dave, chatId, `Question ${turn}`)).status).toBe(200);
    refusedAsRateLimited(await say(dave, chatId, "One too many"));
    const newChat = crypto.randomUUID();
    refusedAsRateLimited(await say(dave, newChat, "A new chat, also too many"));
    expect(await harness.sql`select 1 from messages where chat_id = ${chatId} and role = 'user'`).toHaveLength(TURNS_PER_MINUTE);
    expect(await harness.sql`select 1 from chats where id = ${newChat}`).toHaveLength(0);
    expect((await say(bob, crypto.randomUUID(), "Who am I?")).status).toBe(200);
  });

  it("does not count the checks a pending purchase makes every few seconds", async () => {
    await earlyInWindow();
    const { alice } = users;
    const chatId = crypto.randomUUID();
    const buy = streamChunks((await say(alice, chatId, "Buy 2 Acme Widgets")).text);
    const pending = buy.find((c) => c.type === "tool-output-available") as { toolCallId: string } | undefined;
    expect(pending, JSON.stringify(buy)).toBeDefined();
    for (let check = 0; check < TURNS_PER_MINUTE + 3; check++) {
      const answer = await harness.client.resume(chatId, pending!.toolCallId);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
    }
    for (let turn = 2; turn <= TURNS_PER_MINUTE; turn++) expect((await say(alice, chatId, `Question ${turn}`)).status).toBe(200);
    refusedAsRateLimited(await say(alice, chatId, "One too many"));
  });

  it("counts running a call again that waits for an account, but never blocks cancelling it", async () => {
    await earlyInWindow();
    const { carol } = users;
    const chatId = crypto.randomUUID();
    const first = streamChunks((await say(carol, chatId, "What's on my calendar today?")).text);
    const { toolCallId } = first.find((c) => c.type === "tool-output-available") as { toolCallId: string };
    for (let turn = 2; turn <= TURNS_PER_MINUTE; turn++) expect((await harness.client.resume(chatId, toolCallId)).status).toBe(200);
    refusedAsRateLimited(await harness.client.resume(chatId, toolCallId));
    const [row] = await harness.sql`select status from tool_interrupts where chat_id = ${chatId}`;
    expect(row).toEqual({ status: "pending" });
    const cancelled = await harness.client.resume(chatId, toolCallId, true);
    expect(cancelled.status).toBe(200);
    expect(cancelled.text).toContain("cancelled this action");
  });

  it("does not count answering an approval request", async () => {
    await earlyInWindow();
    const { bob } = users;
    await harness.sandbox.connect(bob, "google-oauth2", [COMPOSE]);
    const chatId = crypto.randomUUID();
    const asked = await say(bob, chatId, 'Create a Gmail draft to alice@example.com with subject "Lunch" saying "See you at noon"');
    const approval = streamChunks(asked.text).find((c) => c.type === "tool-approval-request");
    expect(approval, asked.text).toBeDefined();
    expect((await harness.client.answer(chatId, String(approval?.approvalId), true)).status).toBe(200);
    for (let turn = 2; turn <= TURNS_PER_MINUTE; turn++) expect((await say(bob, chatId, `Question ${turn}`)).status).toBe(200);
    refusedAsRateLimited(await say(bob, chatId, "One too many"));
  });
});
