import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { approveBackchannelRequest, readAuthenticator, signInToAuthenticator } from "@/sandbox/identity/test-authenticator";
import { purchaseDetail } from "@/sandbox/identity/test-ciba";
import { BAD_AUTHORIZATION_DETAILS } from "@/lib/auth/async-authorization-refusals";
import { startSandboxHarness, type SandboxHarness, type SignedInUser } from "@/sandbox/test-harness";
import { session } from "./harness-session";
import { chatClient, streamChunks, streamedText } from "./test-client";

// A purchase through the chat route: CIBA against the sandbox identity server (interval 1 s), approval on the
// sandbox authenticator, the order at the sandbox shop. Only the cookie session is replaced by the harness.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

let sandbox: SandboxHarness;
let client: ReturnType<typeof chatClient>;

beforeAll(async () => {
  sandbox = await startSandboxHarness();
  client = chatClient((await import("./route")).POST);
});

afterAll(async () => {
  await sandbox?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function orders(user: SignedInUser) {
  const response = await fetch(`${sandbox.shopUrl}/sandbox/orders?sub=${encodeURIComponent(user.sub)}`);
  return ((await response.json()) as { orders: { number: string; quantity: number }[] }).orders;
}

async function askToBuy(user: SignedInUser, text: string) {
  session.current = user;
  const chatId = crypto.randomUUID();
  const first = await client.say(chatId, text);
  const output = streamChunks(first.text).find((c) => c.type === "tool-output-available") as
    | { toolCallId: string; output: { interrupt: { code: string; bindingMessage: string; authorizationDetails: unknown[] } } }
    | undefined;
  expect(output?.output.interrupt.code, first.text).toBe("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
  return { chatId, toolCallId: output!.toolCallId, interrupt: output!.output.interrupt };
}

/** Checks again until the call stops waiting, as the approve-action prompt does every `interval` seconds. */
async function checkUntilSettled(chatId: string, toolCallId: string) {
  for (let attempt = 0; attempt < 20; attempt++) {
    await sleep(1_100);
    const answer = await client.resume(chatId, toolCallId);
    if (!answer.text.includes("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING")) return answer;
  }
  throw new Error("still pending after 20 checks");
}

describe("buying with async authorization", () => {
  it("waits for approval on the user's device, then orders exactly once and tells the model", async () => {
    const alice = await sandbox.signIn("alice@example.com");
    const { chatId, toolCallId, interrupt } = await askToBuy(alice, "Buy 2 Acme Widgets");
    expect(interrupt.bindingMessage).toBe("Buy 2 x Acme Widget for at most 39.98 USD");
    expect(interrupt.authorizationDetails).toEqual([purchaseDetail("Acme Widget", 2, "39.98")]);
    expect(await orders(alice)).toHaveLength(0);

    // Checking before the user answered keeps it pending and places nothing.
    const early = await client.resume(chatId, toolCallId);
    expect(early.text).toContain("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");

    await approveBackchannelRequest({ issuer: sandbox.issuer, email: alice.email, bindingMessage: interrupt.bindingMessage, decision: "approve" });
    const done = await checkUntilSettled(chatId, toolCallId);
    const [order] = await orders(alice);
    expect(order?.number).toMatch(/^ORD-/);
    expect(streamedText(done.text)).toContain(order!.number);

    expect((await client.resume(chatId, toolCallId)).status).toBe(409);
    expect(await orders(alice)).toHaveLength(1);
  });

  it("words a product name with parentheses in the characters Auth0 allows, and the device shows it", async () => {
    const alice = await sandbox.signIn("alice@example.com");
    const { chatId, toolCallId, interrupt } = await askToBuy(alice, "Buy 1 USB-C cable (2 m)");
    expect(interrupt.bindingMessage).toBe("Buy 1 x USB-C cable 2 m for at most 12.50 USD");
    // The full name still travels in the authorization details, which the device and the card show too.
    expect(interrupt.authorizationDetails).toEqual([purchaseDetail("USB-C cable (2 m)", 1, "12.50")]);
    const device = await readAuthenticator(await signInToAuthenticator({ issuer: sandbox.issuer, email: alice.email }));
    const request = device.requests.find((entry) => entry.bindingMessage === interrupt.bindingMessage);
    expect(request?.instruction).toBe("Buy 1 x USB-C cable (2 m) for at most 12.50 USD");
    expect(request?.details).toEqual(["Product: USB-C cable (2 m)", "Quantity: 1", "Maximum total: 12.50", "Currency: USD"]);
    await approveBackchannelRequest({ issuer: sandbox.issuer, email: alice.email, bindingMessage: interrupt.bindingMessage, decision: "approve" });
    const done = await checkUntilSettled(chatId, toolCallId);
    const [order] = (await orders(alice)).filter((o) => o.quantity === 1);
    expect(streamedText(done.text)).toContain(order!.number);
  });

  it("tells the model the user declined, and orders nothing", async () => {
    const bob = await sandbox.signIn("bob@example.com");
    const { chatId, toolCallId, interrupt } = await askToBuy(bob, "Buy 1 Noise-cancelling headphones");
    await approveBackchannelRequest({ issuer: sandbox.issuer, email: bob.email, bindingMessage: interrupt.bindingMessage, decision: "deny" });
    const done = await checkUntilSettled(chatId, toolCallId);
    expect(JSON.stringify(streamChunks(done.text))).toContain("declined this request on their device");
    expect(await orders(bob)).toHaveLength(0);
  });

  it("cancelled in the chat, a late approval on the device buys nothing", async () => {
    const carol = await sandbox.signIn("carol@example.com");
    const { chatId, toolCallId, interrupt } = await askToBuy(carol, "Buy 3 Acme Widgets");
    const cancelled = await client.resume(chatId, toolCallId, true);
    expect(JSON.stringify(streamChunks(cancelled.text))).toContain("cancelled this action");
    await approveBackchannelRequest({ issuer: sandbox.issuer, email: carol.email, bindingMessage: interrupt.bindingMessage, decision: "approve" });
    expect((await client.resume(chatId, toolCallId)).status).toBe(409);
    await sleep(1_100);
    expect(await orders(carol)).toHaveLength(0);
  });

  it("every purchase needs its own approval", async () => {
    const alice = await sandbox.signIn("alice@example.com");
    const before = (await orders(alice)).length;
    const { chatId, toolCallId } = await askToBuy(alice, "Buy 1 Acme Widget");
    await sleep(1_100);
    const stillWaiting = await client.resume(chatId, toolCallId);
    expect(stillWaiting.text).toContain("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING");
    expect(await orders(alice)).toHaveLength(before);
  });

  it("details outside Auth0 Guardian's schema never leave the app: the model is told it is the app's fault", async () => {
    const { withAsyncAuthorization } = await import("@/lib/auth/with-async-authorization");
    const alice = await sandbox.signIn("alice@example.com");
    const device = async () => readAuthenticator(await signInToAuthenticator({ issuer: sandbox.issuer, email: alice.email }));
    const before = (await device()).requests.length;
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
    expect((await device()).requests).toHaveLength(before);
  });
});
