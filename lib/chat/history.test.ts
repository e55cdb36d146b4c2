import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@/lib/ai/types";
import { approximateTokens, historyWithinBudget } from "./history";

const user = (id: string, text: string): ChatMessage => ({ id, role: "user", parts: [{ type: "text", text }] });
const reply = (id: string, text: string): ChatMessage => ({ id, role: "assistant", parts: [{ type: "text", text }] });
const ids = (messages: ChatMessage[]) => messages.map((m) => m.id);

describe("history within a token budget", () => {
  const chat = [user("u1", "a".repeat(400)), reply("a1", "b".repeat(400)), user("u2", "c".repeat(400)), reply("a2", "d".repeat(400)), user("u3", "Who am I?")];
  const turn = approximateTokens(chat[0]!) + approximateTokens(chat[1]!);

  it("keeps everything that fits", () => {
    expect(historyWithinBudget(chat, 10_000)).toEqual(chat);
  });

  it("drops the oldest whole turns first, so the history still starts with the user", () => {
    const budget = approximateTokens(chat[4]!) + turn;
    expect(ids(historyWithinBudget(chat, budget))).toEqual(["u2", "a2", "u3"]);
    expect(ids(historyWithinBudget(chat, budget - 1))).toEqual(["u3"]);
  });

  it("always keeps the current turn, even alone over budget, and a reply being continued with it", () => {
    expect(ids(historyWithinBudget(chat, 1))).toEqual(["u3"]);
    const continuing = [...chat, reply("a3", "e".repeat(4_000))];
    expect(ids(historyWithinBudget(continuing, 1))).toEqual(["u3", "a3"]);
  });

  it("treats replies before the first user message as a turn of their own", () => {
    const orphan = [reply("a0", "hello"), user("u1", "hi")];
    expect(ids(historyWithinBudget(orphan, 10_000))).toEqual(["a0", "u1"]);
    expect(ids(historyWithinBudget(orphan, approximateTokens(orphan[1]!)))).toEqual(["u1"]);
  });
});
