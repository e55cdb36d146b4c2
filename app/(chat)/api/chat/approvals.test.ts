import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { gmailDraftCount } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { streamChunks } from "./test-client";

// In-chat approval of a side effect (a Gmail draft) through the chat route, against the whole sandbox.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const COMPOSE = "https://www.googleapis.com/auth/gmail.compose";
const DRAFT_REQUEST = 'Create a Gmail draft to bob@example.com with subject "Lunch" saying "See you at noon"';

const harness = setUpChatRouteHarness();
let alice: SignedInUser;

beforeAll(async () => {
  alice = await harness.sandbox.signIn("alice@example.com");
  await harness.sandbox.connect(alice, "google-oauth2", [COMPOSE]);
  session.current = alice;
});

async function askForDraft() {
  const chatId = crypto.randomUUID();
  const first = await harness.client.say(chatId, DRAFT_REQUEST);
  const request = streamChunks(first.text).find((c) => c.type === "tool-approval-request");
  expect(request, first.text).toBeDefined();
  return { chatId, approvalId: String(request?.approvalId), reason: String(request?.reason) };
}

const draftCount = () => gmailDraftCount(harness.sandbox, alice);

describe("in-chat approval", () => {
  it("runs nothing until approved, then creates the draft exactly once", async () => {
    const before = await draftCount();
    const { chatId, approvalId } = await askForDraft();
    expect(await draftCount()).toBe(before);

    const approved = await harness.client.answer(chatId, approvalId, true);
    expect(approved.status).toBe(200);
    const output = streamChunks(approved.text).find((c) => c.type === "tool-output-available");
    expect(JSON.stringify(output)).toContain("draftId");
    expect(await draftCount()).toBe(before + 1);

    // Replaying the same approval does nothing.
    expect((await harness.client.answer(chatId, approvalId, true)).status).toBe(409);
    expect(await draftCount()).toBe(before + 1);
  });

  it("a denial tells the model and creates nothing", async () => {
    const before = await draftCount();
    const { chatId, approvalId } = await askForDraft();
    const denied = await harness.client.answer(chatId, approvalId, false);
    expect(denied.status).toBe(200);
    expect(streamChunks(denied.text).some((c) => c.type === "tool-output-denied")).toBe(true);
    expect(await draftCount()).toBe(before);
    const [row] = await harness.sql<{ parts: { type: string; state?: string }[] }[]>`
      select parts from messages where chat_id = ${chatId} and role = 'assistant'`;
    expect(row?.parts.find((p) => p.type === "tool-create_gmail_draft")?.state).toBe("output-denied");
  });

  it("rejects forged approvals: unknown ids, other chats, other users", async () => {
    const { chatId, approvalId } = await askForDraft();
    const before = await draftCount();
    expect((await harness.client.answer(chatId, "forged-approval-id", true)).status).toBe(409);
    const other = await askForDraft();
    expect((await harness.client.answer(other.chatId, approvalId, true)).status).toBe(409);
    session.current = await harness.sandbox.signIn("bob@example.com");
    expect((await harness.client.answer(chatId, approvalId, true)).status).toBe(404);
    session.current = alice;
    // The client cannot smuggle in a different input either: the schema takes decisions only.
    const smuggled = await harness.client.post({ id: chatId, approvals: [{ approvalId, approved: true, input: { to: "eve@example.com" } }] });
    expect(smuggled.status).toBe(200);
    const output = streamChunks(smuggled.text).find((c) => c.type === "tool-output-available");
    expect(JSON.stringify(output)).toContain("bob@example.com");
    expect(JSON.stringify(output)).not.toContain("eve@example.com");
    expect(await draftCount()).toBe(before + 1);
  });
});

describe("approval expiry", () => {
  afterEach(() => vi.useRealTimers());

  it("asks for an answer within APPROVAL_EXPIRY_MINUTES (15 by default); the server keeps the same deadline", async () => {
    const { chatId, reason } = await askForDraft();
    expect(reason).toMatch(/^Answer by \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const deadline = Date.parse(reason.slice("Answer by ".length));
    expect(deadline - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(deadline - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const [row] = await harness.sql<{ expires_at: Date }[]>`select expires_at from tool_interrupts where chat_id = ${chatId}`;
    expect(row?.expires_at.getTime()).toBe(deadline);
  });

  it("an approval sent after the deadline is refused with 409 saying it expired, and no draft is created", async () => {
    const before = await draftCount();
    const { chatId, approvalId } = await askForDraft();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 16 * 60_000 });
    const late = await harness.client.answer(chatId, approvalId, true);
    vi.useRealTimers();
    expect(late.status).toBe(409);
    expect(JSON.parse(late.text)).toEqual({
      error: { code: "conflict", message: "This approval request has expired, so nothing was done. Ask again if you still want it." },
    });
    expect(await draftCount()).toBe(before);
  });

  it("the database refuses an approval past its recorded expiry, whatever the message says", async () => {
    const before = await draftCount();
    const { chatId, approvalId } = await askForDraft();
    await harness.sql`update tool_interrupts set expires_at = now() - interval '1 second' where chat_id = ${chatId}`;
    expect((await harness.client.answer(chatId, approvalId, true)).status).toBe(409);
    expect(await draftCount()).toBe(before);
  });
});
