import { expect, it, vi } from "vitest";
import { SHOP_API_REGISTRATION } from "@/sandbox/shop/api";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { requestsOnDevice } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { streamChunks } from "./test-client";

// A tenant set up without the shop API's purchase authorization_details type: the identity server refuses every
// purchase approval, as Auth0 does, and the model is told what the administrator must register.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness({ sandbox: { shopApiRegistration: { ...SHOP_API_REGISTRATION, authorizationDetailsTypes: [] } } });

it("an unregistered authorization_details type: the tool says the administrator must register the purchase URN type on the shop API", async () => {
  const alice = await harness.sandbox.signIn("alice@example.com");
  session.current = alice;
  const reply = await harness.client.say(crypto.randomUUID(), "Buy 2 Acme Widgets");
  const output = streamChunks(reply.text).find((c) => c.type === "tool-output-available")?.output as { error?: string; interrupt?: unknown };
  expect(output?.interrupt, reply.text).toBeUndefined();
  expect(output?.error).toContain(
    "does not accept the `urn:auth0:schemas:authorization-details:v1:purchase` authorization_details type for the API urn:delegate-sandbox:shop. The administrator must register it on that API in Auth0",
  );
  expect(output?.error).toMatch(/No approval request was sent and nothing was done\.$/);
  expect(output?.error).not.toMatch(/invalid_authorization_details/);
  expect(await requestsOnDevice(harness.sandbox, alice)).toHaveLength(0);
});
