import { beforeAll, describe, expect, it, vi } from "vitest";
import { CLAIM_LEASE_MS, settleInterrupt } from "@/db/queries/interrupts";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamedText } from "./test-client";

// An instance that claimed an interrupted call and died before settling it (killed, crashed, redeployed) must not
// leave the call stuck: after the claim's lease, another instance may run it, once. The dead instance is played by
// setting the row as its claim left it.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";

const harness = setUpChatRouteHarness();
let alice: SignedInUser;
let carol: SignedInUser;

beforeAll(async () => {
  alice = await harness.sandbox.signIn("alice@example.com");
  carol = await harness.sandbox.signIn("carol@example.com");
});

const chat = (user = alice) => {
  session.current = user;
  return harness.client;
};

/** A calendar question while Google is not connected: the call waits for a connect, pending. */
async function interruptedCall(chatId: string, user = alice): Promise<string> {
  const first = await chat(user).say(chatId, "What's on my calendar today?");
  expect(first.text).toContain('"code":"TOKEN_VAULT_ERROR"');
  const [row] = await harness.sql<{ tool_call_id: string }[]>`select tool_call_id from tool_interrupts where chat_id = ${chatId} and status = 'pending'`;
  return row!.tool_call_id;
}

/** The row as an instance leaves it when it dies after claiming the call, `ago` milliseconds back. */
async function claimedByADeadInstance(chatId: string, toolCallId: string, ago: number) {
  await harness.sql`update tool_interrupts set status = 'running', updated_at = now() - make_interval(secs => ${ago / 1000})
            where chat_id = ${chatId} and tool_call_id = ${toolCallId}`;
}

const statusOf = async (chatId: string) => (await harness.sql<{ status: string }[]>`select status from tool_interrupts where chat_id = ${chatId}`).map((r) => r.status);

describe("a claim whose instance died mid-run", () => {
  it("holds until its lease runs out; then exactly one resume runs the call", async () => {
    const chatId = crypto.randomUUID();
    const toolCallId = await interruptedCall(chatId);
    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);

    await claimedByADeadInstance(chatId, toolCallId, CLAIM_LEASE_MS - 10_000);
    expect((await chat().resume(chatId, toolCallId)).status).toBe(409);
    expect(await statusOf(chatId)).toEqual(["running"]);

    await claimedByADeadInstance(chatId, toolCallId, CLAIM_LEASE_MS + 1_000);
    const [a, b] = await Promise.all([chat().resume(chatId, toolCallId), chat().resume(chatId, toolCallId)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(streamedText(a.status === 200 ? a.text : b.text)).toContain("Dentist appointment");
    expect(await statusOf(chatId)).toEqual(["resolved"]);
    expect((await chat().resume(chatId, toolCallId)).status).toBe(409);
  });

  it("is abandoned when the conversation moves on, and is never taken over afterwards", async () => {
    const chatId = crypto.randomUUID();
    const toolCallId = await interruptedCall(chatId, carol);
    await claimedByADeadInstance(chatId, toolCallId, 1_000);
    await chat(carol).say(chatId, "Who am I?");
    expect(await statusOf(chatId)).toEqual(["abandoned"]);

    await harness.sql`update tool_interrupts set updated_at = now() - make_interval(secs => ${CLAIM_LEASE_MS / 1000 + 1}) where chat_id = ${chatId}`;
    expect((await chat(carol).resume(chatId, toolCallId)).status).toBe(409);
    expect(await statusOf(chatId)).toEqual(["abandoned"]);
  });

  it("stays abandoned when a run still going when the user moved on ends waiting again", async () => {
    const chatId = crypto.randomUUID();
    const toolCallId = await interruptedCall(chatId, carol);
    await claimedByADeadInstance(chatId, toolCallId, 1_000);
    await chat(carol).say(chatId, "Who am I?");
    await settleInterrupt({ chatId, toolCallId, status: "pending" });
    expect(await statusOf(chatId)).toEqual(["abandoned"]);
    expect((await chat(carol).resume(chatId, toolCallId)).status).toBe(409);
  });
});
