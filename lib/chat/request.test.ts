import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH } from "./limits";
import { chatRequestSchema, checkMessageText, messageText } from "./request";

const message = (text: string) => ({ id: "m1", role: "user", parts: [{ type: "text", text }] });

describe("chat requests", () => {
  it("accepts a chat id and one user text message", () => {
    const parsed = chatRequestSchema.parse({ id: crypto.randomUUID(), message: message("hi") });
    expect(messageText(parsed.message)).toBe("hi");
  });

  it("refuses assistant messages, tool parts and bad ids with a readable reason", () => {
    const id = crypto.randomUUID();
    const assistant = chatRequestSchema.safeParse({ id, message: { ...message("hi"), role: "assistant" } });
    expect(assistant.error?.issues[0]?.message).toBe("Only user messages can be sent.");
    const tool = chatRequestSchema.safeParse({ id, message: { id: "m1", role: "user", parts: [{ type: "tool-x" }] } });
    expect(tool.error?.issues[0]?.message).toBe("Only text parts can be sent.");
    expect(chatRequestSchema.safeParse({ id: "1", message: message("hi") }).error?.issues[0]?.message).toBe(
      "Chat id must be a UUID.",
    );
  });

  it("checks emptiness and length", () => {
    expect(checkMessageText(" \n ")).toBe("Message is empty.");
    expect(checkMessageText("x".repeat(MAX_MESSAGE_LENGTH))).toBeNull();
    expect(checkMessageText("x".repeat(MAX_MESSAGE_LENGTH + 1))).toContain("too long");
  });
});
