import { beforeAll, expect, it, vi } from "vitest";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { shopOrders } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { streamChunks, untilPast } from "./test-client";

// An approval request nobody answers: with a 2-second expiry, the next check ends the call as expired.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness();

beforeAll(() => {
  process.env.ASYNC_AUTHORIZATION_EXPIRY_SECONDS = "2";
});

it("an unanswered purchase expires, the model is told, and nothing is ordered", async () => {
  session.current = await harness.sandbox.signIn("alice@example.com");
  const chatId = crypto.randomUUID();
  const first = streamChunks((await harness.client.say(chatId, "Buy 2 Acme Widgets")).text);
  const pending = first.find((c) => c.type === "tool-output-available") as { toolCallId: string; output: { interrupt: { request: { expiresAt: string } } } };
  expect(Date.parse(pending.output.interrupt.request.expiresAt) - Date.now()).toBeLessThanOrEqual(2_000);
  await untilPast(pending.output.interrupt.request.expiresAt);
  const expired = await harness.client.resume(chatId, pending.toolCallId);
  expect(JSON.stringify(streamChunks(expired.text))).toContain("expired before the user answered");
  expect(await shopOrders(harness.sandbox, session.current)).toHaveLength(0);
});
