import { expect, it, vi } from "vitest";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamChunks } from "./test-client";

// A call's result event is written while the model goes on with its output (it need not hold up the answer), but
// the turn ends only once it is written: a reply that has finished has its whole trail.
vi.mock("@/lib/auth/session", () => import("./harness-session"));
vi.mock("@/lib/audit/record", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/audit/record")>();
  return {
    ...original,
    // A slow database for this one kind of write: the result comes long after the model has the tool's output.
    recordAuditEvent: async (event: Parameters<typeof original.recordAuditEvent>[0]) => {
      if (event.action === "tool.result") await new Promise((resolve) => setTimeout(resolve, 1_500));
      return original.recordAuditEvent(event);
    },
  };
});

const harness = setUpChatRouteHarness({ sql: { onnotice: () => {} } });

it("ends the turn only once the result of each call is recorded, however long that takes", async () => {
  const dave = await harness.sandbox.signIn("dave@example.com");
  session.current = dave;
  const { text } = await harness.client.say(crypto.randomUUID(), "Who am I, and which email address do I sign in with?");
  const call = streamChunks(text).find((chunk) => chunk.type === "tool-output-available") as { toolCallId: string } | undefined;
  expect(call, text).toBeDefined();
  expect(streamChunks(text).at(-1)).toMatchObject({ type: "finish" });
  const events = await harness.sql<{ action: string; outcome: string }[]>`
    select action, outcome from audit_events where user_id = ${dave.sub} and tool_call_id = ${call!.toolCallId} order by sequence`;
  expect(events.map((e) => e.action)).toEqual(["tool.call", "tool.authorization", "tool.result"]);
  expect(events.at(-1)?.outcome).toBe("done");
});
