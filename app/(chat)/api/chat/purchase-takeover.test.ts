import { describe, expect, it, vi } from "vitest";
import { CLAIM_LEASE_MS } from "@/db/queries/interrupts";
import { placeOrder } from "@/lib/integrations/shop";
import { approveBackchannelRequest } from "@/sandbox/identity/test-authenticator";
import { pollToken } from "@/sandbox/identity/test-ciba";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { shopOrders } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { checkUntilSettled, storedApproval } from "./test-approvals";
import { streamChunks, streamedText } from "./test-client";

// An instance that collected the purchase's access token and died before reporting the outcome (killed,
// redeployed) leaves the approval spent and the order unknown. The instance taking over must neither claim the
// purchase was made nor buy twice: it asks the device once more, and the order's per-call idempotency key makes
// the second approval find the order the dead instance placed, or place it. The dead instance is played by
// redeeming the approval and (or not) ordering with its token, then leaving the rows as its claim left them.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness();

type PendingInterrupt = { code: string; bindingMessage: string; message: string };

const interruptOf = (text: string) =>
  (streamChunks(text).find((c) => c.type === "tool-output-available") as { output: { interrupt?: PendingInterrupt } } | undefined)?.output.interrupt;

/** Alice asks to buy; she approves on her device; a dead instance then redeems the approval, optionally ordering. */
async function approvalCollectedByADeadInstance(alice: SignedInUser, { ordered }: { ordered: boolean }) {
  session.current = alice;
  const chatId = crypto.randomUUID();
  const first = await harness.client.say(chatId, "Please buy 3 Acme Widgets for me");
  const interrupt = interruptOf(first.text);
  expect(interrupt?.code, first.text).toBe("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
  const [row] = await harness.sql<{ tool_call_id: string }[]>`
    select tool_call_id from tool_interrupts where chat_id = ${chatId} and status = 'pending'`;
  const toolCallId = row!.tool_call_id;
  await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: alice.email, bindingMessage: interrupt!.bindingMessage, decision: "approve" });

  const { auth_req_id: authReqId } = await storedApproval(harness.sql, chatId, toolCallId);
  const token = (await (await pollToken(harness.sandbox.issuer, authReqId)).json()) as { access_token?: string };
  expect(token.access_token).toBeTruthy();
  if (ordered) {
    await placeOrder(harness.sandbox.shopUrl, token.access_token!, {
      productId: "acme-widget",
      quantity: 3,
      maxTotalPrice: 59.97,
      idempotencyKey: `${chatId}:${toolCallId}`,
    });
  }
  await harness.sql`update async_authorizations set status = 'approved' where chat_id = ${chatId} and tool_call_id = ${toolCallId}`;
  await harness.sql`update tool_interrupts set status = 'running', updated_at = now() - make_interval(secs => ${CLAIM_LEASE_MS / 1000 + 1})
            where chat_id = ${chatId} and tool_call_id = ${toolCallId}`;
  return { chatId, toolCallId: toolCallId, spentAuthReqId: authReqId };
}

async function takeOverAndApproveAgain(alice: SignedInUser, chatId: string, toolCallId: string, spentAuthReqId: string) {
  session.current = alice;
  const takeover = await harness.client.resume(chatId, toolCallId);
  const again = interruptOf(takeover.text);
  expect(again?.code, takeover.text).toBe("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
  expect(again?.message).toMatch(/stopped before it finished.*Approve once more.*not be done twice/);
  expect(streamedText(takeover.text)).not.toMatch(/already approved and carried out/);
  const renewed = await storedApproval(harness.sql, chatId, toolCallId);
  expect(renewed.status).toBe("pending");
  expect(renewed.auth_req_id).not.toBe(spentAuthReqId);

  await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: alice.email, bindingMessage: again!.bindingMessage, decision: "approve" });
  return checkUntilSettled(harness.client, harness.sql, chatId, toolCallId);
}

describe("a purchase whose approval was collected by an instance that then died", () => {
  it("asks the device again and places the order once when the dead instance had not ordered", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const before = await shopOrders(harness.sandbox, alice);
    const { chatId, toolCallId, spentAuthReqId } = await approvalCollectedByADeadInstance(alice, { ordered: false });
    expect(await shopOrders(harness.sandbox, alice)).toEqual(before);

    const done = await takeOverAndApproveAgain(alice, chatId, toolCallId, spentAuthReqId);
    const placed = await shopOrders(harness.sandbox, alice);
    expect(placed).toHaveLength(before.length + 1);
    expect(placed.at(-1)!.quantity).toBe(3);
    expect(streamedText(done.text)).toContain(placed.at(-1)!.number);
    expect((await storedApproval(harness.sql, chatId, toolCallId)).status).toBe("approved");
    expect((await harness.client.resume(chatId, toolCallId)).status).toBe(409);
  });

  it("reports the order the dead instance placed, without buying again", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    const before = await shopOrders(harness.sandbox, alice);
    const { chatId, toolCallId, spentAuthReqId } = await approvalCollectedByADeadInstance(alice, { ordered: true });
    const placedByTheDeadInstance = await shopOrders(harness.sandbox, alice);
    expect(placedByTheDeadInstance).toHaveLength(before.length + 1);

    const done = await takeOverAndApproveAgain(alice, chatId, toolCallId, spentAuthReqId);
    expect(await shopOrders(harness.sandbox, alice)).toEqual(placedByTheDeadInstance);
    expect(streamedText(done.text)).toContain(placedByTheDeadInstance.at(-1)!.number);
  });
});
