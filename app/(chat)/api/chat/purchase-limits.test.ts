import { beforeAll, describe, expect, it, vi } from "vitest";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { requestsOnDevice } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { streamChunks } from "./test-client";

// Every purchase request reaches the user's phone (CIBA), so a chat has at most one waiting, and each user a few
// an hour (RATE_LIMIT_APPROVAL_REQUESTS_PER_HOUR, 3 here). A refused purchase sends no request at all.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const PENDING = "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING";

const harness = setUpChatRouteHarness();

beforeAll(() => {
  process.env.RATE_LIMIT_APPROVAL_REQUESTS_PER_HOUR = "3";
});

/** The purchase call's output in a reply: a pending interrupt or an error for the model. */
async function buy(user: SignedInUser, chatId: string, text: string) {
  session.current = user;
  const reply = await harness.client.say(chatId, text);
  expect(reply.status, reply.text).toBe(200);
  const output = streamChunks(reply.text).find((c) => c.type === "tool-output-available")?.output as
    | { interrupt?: { code: string }; error?: string }
    | undefined;
  expect(output, reply.text).toBeDefined();
  return output!;
}

async function waitingRows(chatId: string) {
  const [row] = await harness.sql<{ n: number }[]>`
    select count(*)::int as n from async_authorizations where chat_id = ${chatId} and status = 'pending'`;
  return row?.n;
}

describe("purchase approvals", () => {
  it("a chat has at most one waiting: a second purchase is refused with a clear reason and sends nothing", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const chatId = crypto.randomUUID();
    expect((await buy(alice, chatId, "Buy 2 Acme Widgets")).interrupt?.code).toBe(PENDING);
    expect(await requestsOnDevice(harness.sandbox, alice)).toHaveLength(1);

    const second = await buy(alice, chatId, "Buy 1 Noise-cancelling headphones");
    expect(second.interrupt).toBeUndefined();
    expect(second.error).toMatch(/^Another request in this chat is still waiting for the user's approval, and only one can wait at a time\..*No new request was sent and nothing was done\.$/);
    expect(second.error).toMatch(/expires in at most [1-5] minutes?/);
    expect(await requestsOnDevice(harness.sandbox, alice)).toHaveLength(1);
    expect(await waitingRows(chatId)).toBe(1);

    // Another chat is another conversation: its purchase is asked for.
    expect((await buy(alice, crypto.randomUUID(), "Buy 1 Noise-cancelling headphones")).interrupt?.code).toBe(PENDING);
    expect(await requestsOnDevice(harness.sandbox, alice)).toHaveLength(2);
  });

  it("two purchases racing in one chat send one request between them", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    session.current = carol;
    const chatId = crypto.randomUUID();
    expect((await harness.client.say(chatId, "Who am I?")).status).toBe(200);
    const replies = await Promise.all([harness.client.say(chatId, "Buy 3 Acme Widgets"), harness.client.say(chatId, "Buy 4 Acme Widgets")]);
    const outputs = replies.map((r) => streamChunks(r.text).find((c) => c.type === "tool-output-available")?.output as { interrupt?: unknown; error?: string });
    expect(outputs.filter((o) => o?.interrupt)).toHaveLength(1);
    expect(outputs.filter((o) => o?.error?.startsWith("Another request in this chat"))).toHaveLength(1);
    expect(await requestsOnDevice(harness.sandbox, carol)).toHaveLength(1);
    expect(await waitingRows(chatId)).toBe(1);
  });

  it("beyond the hourly allowance the model is told the limit and when to try again, and no request is sent", async () => {
    // The allowance is counted in clock-hour windows: start well inside one.
    const intoHour = Date.now() % 3_600_000;
    if (intoHour > 3_600_000 - 20_000) await new Promise((resolve) => setTimeout(resolve, 3_600_000 - intoHour + 100));
    const bob = await harness.sandbox.signIn("bob@example.com");
    for (const quantity of [1, 2, 3]) {
      expect((await buy(bob, crypto.randomUUID(), `Buy ${quantity} Acme Widgets`)).interrupt?.code).toBe(PENDING);
    }
    const chatId = crypto.randomUUID();
    const refused = await buy(bob, chatId, "Buy 5 Acme Widgets");
    expect(refused.interrupt).toBeUndefined();
    expect(refused.error).toMatch(
      /^You have reached the limit of 3 approval requests an hour\. Try again in \d+ (minutes?|seconds?)\. No approval request was sent and nothing was done\.$/,
    );
    expect(await requestsOnDevice(harness.sandbox, bob)).toHaveLength(3);
    // A refused request leaves nothing waiting in its chat.
    expect(await waitingRows(chatId)).toBe(0);
  });
});
