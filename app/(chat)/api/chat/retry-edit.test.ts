import { describe, expect, it, vi } from "vitest";
import { approveBackchannelRequest } from "@/sandbox/identity/test-authenticator";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { shopOrders, storedMessages } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { checkUntilSettled } from "./test-approvals";
import { streamChunks, streamedText } from "./test-client";

// Retry and edit through the chat route, against the sandbox model, identity server and shop: a turn runs again
// only when the answers it replaces changed nothing outside the chat.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const harness = setUpChatRouteHarness();

const stored = (chatId: string) => storedMessages(harness.sql, chatId);

const textOf = (row: { parts: { type: string; text?: string }[] }) => row.parts.map((part) => part.text ?? "").join("");

describe("retry and edit", () => {
  it("retries the last turn: the old answer is replaced by a new one, and the question stays", async () => {
    session.current = await harness.sandbox.signIn("alice@example.com");
    const chatId = crypto.randomUUID();
    await harness.client.say(chatId, "Who am I?");
    const [question, answer] = await stored(chatId);
    const again = await harness.client.retry(chatId, question!.id);
    expect(again.status, again.text).toBe(200);
    expect(streamedText(again.text)).toContain("alice@example.com");
    const after = await stored(chatId);
    expect(after.map((row) => row.role)).toEqual(["user", "assistant"]);
    expect(after[0]).toEqual(question);
    expect(after[1]!.id).not.toBe(answer!.id);
  });

  it("edits the last question: same message, new words, a new answer to them", async () => {
    session.current = await harness.sandbox.signIn("bob@example.com");
    const chatId = crypto.randomUUID();
    await harness.client.say(chatId, "Who am I?");
    await harness.client.say(chatId, "whats my emial");
    const [, , question] = await stored(chatId);
    const edited = await harness.client.edit(chatId, question!.id, "Who am I, please?");
    expect(edited.status, edited.text).toBe(200);
    const after = await stored(chatId);
    expect(after.map((row) => row.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(after[2]!.id).toBe(question!.id);
    expect(textOf(after[2]!)).toBe("Who am I, please?");
    expect(textOf(after[3]!)).toContain("bob@example.com");
  });

  it("runs only the last turn again, and refuses an empty edit without losing anything", async () => {
    session.current = await harness.sandbox.signIn("carol@example.com");
    const chatId = crypto.randomUUID();
    await harness.client.say(chatId, "Who am I?");
    await harness.client.say(chatId, "Who am I?");
    const before = await stored(chatId);
    const older = await harness.client.retry(chatId, before[0]!.id);
    expect(older.status).toBe(409);
    expect(older.text).toContain("Only your last message can be retried or edited.");
    expect((await harness.client.edit(chatId, before[2]!.id, "  ")).status).toBe(400);
    expect((await harness.client.retry(chatId, "no-such-message")).status).toBe(409);
    expect(await stored(chatId)).toEqual(before);
  });

  it("never buys twice: an answer that placed an order is kept, and neither retry nor edit runs it again", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    session.current = dave;
    const chatId = crypto.randomUUID();
    const first = await harness.client.say(chatId, "Buy 1 Acme Widget");
    const pending = streamChunks(first.text).find((chunk) => chunk.type === "tool-output-available") as
      | { toolCallId: string; output: { interrupt: { bindingMessage: string } } }
      | undefined;
    expect(pending?.output.interrupt.bindingMessage, first.text).toBeDefined();
    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: dave.email, bindingMessage: pending!.output.interrupt.bindingMessage, decision: "approve" });
    await checkUntilSettled(harness.client, harness.sql, chatId, pending!.toolCallId);
    const placed = await shopOrders(harness.sandbox, dave);
    expect(placed.length).toBeGreaterThan(0);
    const before = await stored(chatId);

    const retried = await harness.client.retry(chatId, before[0]!.id);
    expect(retried.status).toBe(409);
    expect(retried.text).toContain("already acted for you (Buy products)");
    const edited = await harness.client.edit(chatId, before[0]!.id, "Buy 2 Acme Widgets");
    expect(edited.status).toBe(409);
    expect(await shopOrders(harness.sandbox, dave)).toEqual(placed);
    expect(await stored(chatId)).toEqual(before);
  });

  it("may retry a purchase still waiting for approval: the wait ends, so the old request can no longer order", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    session.current = alice;
    const chatId = crypto.randomUUID();
    const first = await harness.client.say(chatId, "Buy 1 Acme Widget");
    const pending = streamChunks(first.text).find((chunk) => chunk.type === "tool-output-available") as { toolCallId: string } | undefined;
    expect(pending, first.text).toBeDefined();
    const [question] = await stored(chatId);
    const ordersBefore = await shopOrders(harness.sandbox, alice);
    expect((await harness.client.retry(chatId, question!.id)).status).toBe(200);
    expect((await harness.client.resume(chatId, pending!.toolCallId)).status).toBe(409);
    expect(await shopOrders(harness.sandbox, alice)).toEqual(ordersBefore);
  });
});
