import { beforeAll, expect, it, vi } from "vitest";
import { getMessages } from "@/db/queries/chats";
import { CALENDAR_EVENTS_SCOPE } from "@/lib/ai/tools/get-calendar-events";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { session } from "./harness-session";
import { streamChunks, streamedText } from "./test-client";

// The identity server going away mid-conversation: a turn that needs a Token Vault token says in the chat that
// the identity service did not answer, and the conversation (the new message included) is stored as it was.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness();

beforeAll(async () => {
  const alice = await harness.sandbox.signIn("alice@example.com");
  await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR_EVENTS_SCOPE]);
  session.current = alice;
});

it("identity server unreachable: the reply says so, and the conversation and the new message are kept", async () => {
  const chatId = crypto.randomUUID();
  expect(streamedText((await harness.client.say(chatId, "Who am I?")).text)).toContain("alice@example.com");

  await harness.sandbox.stopIdentity();
  const reply = await harness.client.say(chatId, "What's on my calendar today? (the 10:30 one, with Zoë)");
  expect(reply.status).toBe(200);
  const explanation = "Could not get access to your Google account: the identity service did not answer. Nothing was done.";
  expect(streamChunks(reply.text).find((c) => c.type === "tool-output-available")).toMatchObject({ output: { error: explanation } });
  expect(streamedText(reply.text)).toContain(explanation);

  const stored = await getMessages({ chatId });
  expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  expect(stored[2]!.parts).toEqual([{ type: "text", text: "What's on my calendar today? (the 10:30 one, with Zoë)" }]);
  expect(JSON.stringify(stored[3]!.parts)).toContain(explanation);
});
