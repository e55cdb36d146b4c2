import { afterEach, describe, expect, it, vi } from "vitest";
import { clearFaults, injectFault } from "@/sandbox/faults";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { requestsOnDevice } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { storedApproval } from "./test-approvals";
import { streamChunks, untilPast } from "./test-client";

// Answers Auth0 documents but the sandbox has no natural way to give — rate limits on /bc-authorize and the token
// endpoint, a user without a device to ask, a server-chosen slow_down — are injected (sandbox/faults.ts); what the
// model and the approval card are told is checked.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const PENDING = "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING";
const CIBA_POLL = { path: "/oauth/token", params: { grant_type: "urn:openid:params:grant-type:ciba" } };

const harness = setUpChatRouteHarness();

afterEach(async () => {
  await clearFaults(harness.sandbox.issuer);
});

type Output = { error?: string; interrupt?: { code: string; request: { interval: number } } };

function outputOf(text: string): Output {
  const output = streamChunks(text).find((c) => c.type === "tool-output-available")?.output as Output | undefined;
  expect(output, text).toBeDefined();
  return output!;
}

async function buy(user: SignedInUser, text = "Buy 1 Acme Widget") {
  session.current = user;
  const chatId = crypto.randomUUID();
  const reply = await harness.client.say(chatId, text);
  const toolCallId = (streamChunks(reply.text).find((c) => c.type === "tool-output-available") as { toolCallId: string }).toolCallId;
  return { chatId, toolCallId, output: outputOf(reply.text) };
}

/** Until the app may poll the identity server again for this call (its interval, or the wait it was told). */
const untilNextPoll = async (chatId: string, toolCallId: string) => untilPast((await storedApproval(harness.sql, chatId, toolCallId)).next_poll_at);
const tooManyRequests = (retryAfter?: string) => ({
  status: 429,
  headers: retryAfter ? { "retry-after": retryAfter } : undefined,
  body: { error: "too_many_requests", error_description: "Rate limit exceeded" },
});

describe("approval requests the identity service refuses for now", () => {
  it("a 429 from /bc-authorize within the retry budget is waited out, and the request reaches the device", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    await injectFault(harness.sandbox.issuer, { path: "/bc-authorize", ...tooManyRequests("1") });
    const started = Date.now();
    const { output } = await buy(bob);
    expect(output.interrupt?.code).toBe(PENDING);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(await requestsOnDevice(harness.sandbox, bob)).toHaveLength(1);
  });

  it("a 429 asking for longer than a chat can wait tells the user when to try again, and sends nothing", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    await injectFault(harness.sandbox.issuer, { path: "/bc-authorize", ...tooManyRequests("120") });
    const { output } = await buy(carol);
    expect(output.interrupt).toBeUndefined();
    expect(output.error).toBe(
      "The approval service is limiting how many requests this app may send right now. Try again in 120 seconds. No approval request was sent and nothing was done.",
    );
    expect(await requestsOnDevice(harness.sandbox, carol)).toHaveLength(0);
  });

  it("a user the approval service cannot reach on a device is told to enrol Guardian", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    await injectFault(harness.sandbox.issuer, {
      path: "/bc-authorize",
      status: 400,
      body: { error: "unknown_user_id", error_description: "The user has no enrolled authenticator" },
    });
    const { output } = await buy(alice);
    expect(output.error).toMatch(/^The approval service has no device to ask this user on\. The user must enrol the Auth0 Guardian app for push notifications/);
    expect(output.error).not.toContain("unknown_user_id");
  });
});

describe("polling the approval", () => {
  it("slow_down: waits as long as the server says, else five seconds more, and never checks sooner", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const { chatId, toolCallId, output } = await buy(alice, "Buy 2 Acme Widgets");
    expect(output.interrupt?.request.interval).toBe(1);
    await untilNextPoll(chatId, toolCallId);

    // Auth0 names the wait in Retry-After.
    await injectFault(harness.sandbox.issuer, { ...CIBA_POLL, status: 400, headers: { "retry-after": "2" }, body: { error: "slow_down" } });
    expect(outputOf((await harness.client.resume(chatId, toolCallId)).text).interrupt?.request.interval).toBe(2);

    // Checking again before those 2 seconds are up does not poll: the queued denial stays unused.
    await injectFault(harness.sandbox.issuer, { ...CIBA_POLL, status: 400, body: { error: "access_denied" } });
    expect(outputOf((await harness.client.resume(chatId, toolCallId)).text).interrupt?.code).toBe(PENDING);
    await clearFaults(harness.sandbox.issuer);

    // A slow_down that names no wait adds RFC 8628's five seconds, on top of the interval already grown.
    await untilNextPoll(chatId, toolCallId);
    await injectFault(harness.sandbox.issuer, { ...CIBA_POLL, status: 400, body: { error: "slow_down" } });
    expect(outputOf((await harness.client.resume(chatId, toolCallId)).text).interrupt?.request.interval).toBe(7);
  });

  it("a 429 from the token endpoint keeps the request waiting and checks again after Retry-After", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    const { chatId, toolCallId } = await buy(bob, "Buy 3 Acme Widgets");
    await untilNextPoll(chatId, toolCallId);
    await injectFault(harness.sandbox.issuer, { ...CIBA_POLL, ...tooManyRequests("3") });
    const waiting = outputOf((await harness.client.resume(chatId, toolCallId)).text);
    expect(waiting.interrupt?.code).toBe(PENDING);
    expect(waiting.interrupt?.request.interval).toBe(3);
  });
});
