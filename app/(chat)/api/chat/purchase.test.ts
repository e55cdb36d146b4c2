import { describe, expect, it, vi } from "vitest";
import { approveBackchannelRequest } from "@/sandbox/identity/test-authenticator";
import { pollToken, purchaseDetail } from "@/sandbox/identity/test-ciba";
import { BAD_AUTHORIZATION_DETAILS } from "@/lib/auth/async-authorization-refusals";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { requestsOnDevice, shopOrders } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { checkUntilSettled, storedApproval } from "./test-approvals";
import { streamChunks, streamedText, untilPast } from "./test-client";

// A purchase through the chat route: CIBA against the sandbox identity server (interval 1 s), approval on the
// sandbox authenticator, the order at the sandbox shop. Only the cookie session is replaced by the harness.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness();

async function askToBuy(user: SignedInUser, text: string, chatId: string = crypto.randomUUID()) {
  session.current = user;
  const first = await harness.client.say(chatId, text);
  const output = streamChunks(first.text).find((c) => c.type === "tool-output-available") as
    | { toolCallId: string; output: { interrupt: { code: string; bindingMessage: string; authorizationDetails: unknown[] } } }
    | undefined;
  expect(output?.output.interrupt.code, first.text).toBe("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
  return { chatId, toolCallId: output!.toolCallId, interrupt: output!.output.interrupt };
}

describe("buying with async authorization", () => {
  it("waits for approval on the user's device, then orders exactly once and tells the model", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const before = await shopOrders(harness.sandbox, alice);
    const { chatId, toolCallId, interrupt } = await askToBuy(alice, "Buy 2 Acme Widgets");
    expect(interrupt.bindingMessage).toBe("Buy 2 x Acme Widget for at most 39.98 USD");
    expect(interrupt.authorizationDetails).toEqual([purchaseDetail("Acme Widget", 2, "39.98")]);
    expect(await shopOrders(harness.sandbox, alice)).toEqual(before);

    // Checking before the user answered keeps it pending and places nothing.
    const early = await harness.client.resume(chatId, toolCallId);
    expect(early.text).toContain("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");

    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: alice.email, bindingMessage: interrupt.bindingMessage, decision: "approve" });
    const done = await checkUntilSettled(harness.client, harness.sql, chatId, toolCallId);
    const placed = await shopOrders(harness.sandbox, alice);
    expect(placed).toHaveLength(before.length + 1);
    expect(placed.at(-1)!.number).toMatch(/^ORD-/);
    expect(streamedText(done.text)).toContain(placed.at(-1)!.number);

    expect((await harness.client.resume(chatId, toolCallId)).status).toBe(409);
    expect(await shopOrders(harness.sandbox, alice)).toEqual(placed);
  });

  it("words a product name with parentheses in the characters Auth0 allows, and the device shows it", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const before = await shopOrders(harness.sandbox, alice);
    const { chatId, toolCallId, interrupt } = await askToBuy(alice, "Buy 1 USB-C cable (2 m)");
    expect(interrupt.bindingMessage).toBe("Buy 1 x USB-C cable 2 m for at most 12.50 USD");
    // The full name still travels in the authorization details, which the device and the card show too.
    expect(interrupt.authorizationDetails).toEqual([purchaseDetail("USB-C cable (2 m)", 1, "12.50")]);
    const request = (await requestsOnDevice(harness.sandbox, alice)).find((entry) => entry.bindingMessage === interrupt.bindingMessage);
    expect(request?.instruction).toBe("Buy 1 x USB-C cable (2 m) for at most 12.50 USD");
    expect(request?.details).toEqual(["Product: USB-C cable (2 m)", "Quantity: 1", "Maximum total: 12.50", "Currency: USD"]);
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: alice.email, bindingMessage: interrupt.bindingMessage, decision: "approve" });
    const done = await checkUntilSettled(harness.client, harness.sql, chatId, toolCallId);
    const placed = await shopOrders(harness.sandbox, alice);
    expect(placed).toHaveLength(before.length + 1);
    expect(streamedText(done.text)).toContain(placed.at(-1)!.number);
  });

  it("tells the model the user declined, and orders nothing", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    const before = await shopOrders(harness.sandbox, bob);
    const { chatId, toolCallId, interrupt } = await askToBuy(bob, "Buy 1 Noise-cancelling headphones");
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: bob.email, bindingMessage: interrupt.bindingMessage, decision: "deny" });
    const done = await checkUntilSettled(harness.client, harness.sql, chatId, toolCallId);
    expect(JSON.stringify(streamChunks(done.text))).toContain("declined this request on their device");
    expect(await shopOrders(harness.sandbox, bob)).toEqual(before);
  });

  it("cancelled in the chat, a late approval on the device buys nothing", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    const before = await shopOrders(harness.sandbox, carol);
    const { chatId, toolCallId, interrupt } = await askToBuy(carol, "Buy 3 Acme Widgets");
    const cancelled = await harness.client.resume(chatId, toolCallId, true);
    expect(JSON.stringify(streamChunks(cancelled.text))).toContain("cancelled this action");
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: carol.email, bindingMessage: interrupt.bindingMessage, decision: "approve" });
    expect((await harness.client.resume(chatId, toolCallId)).status).toBe(409);
    expect(await shopOrders(harness.sandbox, carol)).toEqual(before);
    // Nothing redeemed the approval: the identity server still hands its token out (once) — here, to the test.
    const { auth_req_id: authReqId, status } = await storedApproval(harness.sql, chatId, toolCallId);
    expect(status).toBe("cancelled");
    expect((await pollToken(harness.sandbox.issuer, authReqId)).status).toBe(200);
  });

  it("every purchase needs its own approval: a used one buys nothing more, however it is replayed", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    const first = await askToBuy(dave, "Buy 1 Acme Widget");
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: dave.email, bindingMessage: first.interrupt.bindingMessage, decision: "approve" });
    await checkUntilSettled(harness.client, harness.sql, first.chatId, first.toolCallId);
    const placed = await shopOrders(harness.sandbox, dave);
    expect(placed).toHaveLength(1);

    // The same purchase again in the same chat is a new call that asks the device again.
    const second = await askToBuy(dave, "Buy 1 Acme Widget", first.chatId);
    expect(second.toolCallId).not.toBe(first.toolCallId);
    expect((await requestsOnDevice(harness.sandbox, dave)).map((request) => request.bindingMessage)).toEqual([second.interrupt.bindingMessage]);
    const { auth_req_id: secondRequest, next_poll_at: nextPoll } = await storedApproval(harness.sql, second.chatId, second.toolCallId);
    const { auth_req_id: firstRequest } = await storedApproval(harness.sql, first.chatId, first.toolCallId);
    expect(secondRequest).not.toBe(firstRequest);
    await untilPast(nextPoll); // so the check below asks the identity server
    expect((await harness.client.resume(second.chatId, second.toolCallId)).text).toContain("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");

    // Resuming the call that was approved is refused.
    expect((await harness.client.resume(first.chatId, first.toolCallId)).status).toBe(409);
    // Pointing the waiting call at the spent approval: the identity server will not redeem it twice.
    await harness.sql`update async_authorizations set auth_req_id = ${firstRequest}, next_poll_at = now() where chat_id = ${second.chatId} and tool_call_id = ${second.toolCallId}`;
    const replayed = await harness.client.resume(second.chatId, second.toolCallId);
    expect(JSON.stringify(streamChunks(replayed.text))).toContain("The approval request failed at the identity service. Nothing was done.");
    expect(await shopOrders(harness.sandbox, dave)).toEqual(placed);
  });

  it("details outside Auth0 Guardian's schema never leave the app: the model is told it is the app's fault", async () => {
    const { withAsyncAuthorization } = await import("@/lib/auth/with-async-authorization");
    const alice = await harness.sandbox.signIn("alice@example.com");
    const before = (await requestsOnDevice(harness.sandbox, alice)).length;
    const context = { user: { ...alice, picture: null }, chatId: crypto.randomUUID(), refreshToken: undefined, timeZone: "UTC" };
    const detail = purchaseDetail("Acme Widget", 1, "19.99");
    const malformed = [
      [detail, detail],
      [{ type: detail.type, product: "Acme Widget", quantity: 1, max_total_price: "19.99", currency: "USD" }],
      [{ ...detail, properties: { ...detail.properties, quantity: { ...detail.properties.quantity, value: 1 } } }],
    ];
    for (const details of malformed) {
      const run = withAsyncAuthorization(
        context,
        {
          audience: "urn:delegate-sandbox:shop",
          scopes: ["orders:create"],
          bindingMessage: () => "Buy 1 x Acme Widget for at most 19.99 USD",
          // What a careless tool might build; the type system would refuse it, so it is forced here.
          authorizationDetails: () => details as never,
        },
        async () => "bought",
      );
      expect(await run({}, { toolCallId: crypto.randomUUID() })).toEqual({
        error: `${BAD_AUTHORIZATION_DETAILS} No approval request was sent and nothing was done.`,
      });
    }
    expect(await requestsOnDevice(harness.sandbox, alice)).toHaveLength(before);
  });
});
