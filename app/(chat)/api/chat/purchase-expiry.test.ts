import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startSandboxHarness, type SandboxHarness } from "@/sandbox/test-harness";
import { session } from "./harness-session";
import { chatClient, streamChunks, untilPast } from "./test-client";

// An approval request nobody answers: with a 2-second expiry, the next check ends the call as expired.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

let sandbox: SandboxHarness;

beforeAll(async () => {
  sandbox = await startSandboxHarness();
  process.env.ASYNC_AUTHORIZATION_EXPIRY_SECONDS = "2";
});

afterAll(async () => {
  await sandbox?.close();
});

it("an unanswered purchase expires, the model is told, and nothing is ordered", async () => {
  const client = chatClient((await import("./route")).POST);
  session.current = await sandbox.signIn("alice@example.com");
  const chatId = crypto.randomUUID();
  const first = streamChunks((await client.say(chatId, "Buy 2 Acme Widgets")).text);
  const pending = first.find((c) => c.type === "tool-output-available") as { toolCallId: string; output: { interrupt: { request: { expiresAt: string } } } };
  expect(Date.parse(pending.output.interrupt.request.expiresAt) - Date.now()).toBeLessThanOrEqual(2_000);
  await untilPast(pending.output.interrupt.request.expiresAt);
  const expired = await client.resume(chatId, pending.toolCallId);
  expect(JSON.stringify(streamChunks(expired.text))).toContain("expired before the user answered");
  const orders = await (await fetch(`${sandbox.shopUrl}/sandbox/orders?sub=${encodeURIComponent(session.current.sub)}`)).json();
  expect(orders.orders).toHaveLength(0);
});
