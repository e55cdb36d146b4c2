import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH } from "./limits";
import { checkMessageText, editSchema, messageText, resumeSchema, retrySchema, schemaFor, sendMessageSchema } from "./request";

const message = (text: string) => ({ id: "m1", role: "user", parts: [{ type: "text", text }] });

describe("chat requests", () => {
  it("accepts a chat id and one user text message", () => {
    const parsed = sendMessageSchema.parse({ id: crypto.randomUUID(), message: message("hi") });
    expect(messageText(parsed.message)).toBe("hi");
    expect(parsed.timeZone).toBe("UTC");
  });

  it("refuses assistant messages, tool parts and bad ids with a readable reason", () => {
    const id = crypto.randomUUID();
    const assistant = sendMessageSchema.safeParse({ id, message: { ...message("hi"), role: "assistant" } });
    expect(assistant.error?.issues[0]?.message).toBe("Only user messages can be sent.");
    const tool = sendMessageSchema.safeParse({ id, message: { id: "m1", role: "user", parts: [{ type: "tool-x" }] } });
    expect(tool.error?.issues[0]?.message).toBe("Only text parts can be sent.");
    expect(sendMessageSchema.safeParse({ id: "1", message: message("hi") }).error?.issues[0]?.message).toBe(
      "Chat id must be a UUID.",
    );
  });

  it("tells a resume from a message, and resumes carry only a tool call id", () => {
    const id = crypto.randomUUID();
    expect(schemaFor({ id, resume: { toolCallId: "call_1" } })).toBe(resumeSchema);
    expect(schemaFor({ id, message: message("hi") })).toBe(sendMessageSchema);
    const parsed = resumeSchema.parse({ id, resume: { toolCallId: "call_1", input: { forged: true } }, timeZone: "Europe/Paris" });
    expect(parsed.resume).toEqual({ toolCallId: "call_1" });
    expect(resumeSchema.parse({ id, resume: { toolCallId: "c", cancel: true } }).resume.cancel).toBe(true);
    expect(resumeSchema.safeParse({ id, resume: {}, timeZone: "Nowhere/Else" }).success).toBe(false);
  });

  it("tells a retry and an edit apart; a retry names only the message, an edit carries its new text", () => {
    const id = crypto.randomUUID();
    expect(schemaFor({ id, retry: { messageId: "m1" } })).toBe(retrySchema);
    expect(schemaFor({ id, edit: { message: message("hi") } })).toBe(editSchema);
    expect(retrySchema.parse({ id, retry: { messageId: "m1", parts: [] } }).retry).toEqual({ messageId: "m1" });
    expect(editSchema.safeParse({ id, edit: { message: { ...message("hi"), role: "assistant" } } }).error?.issues[0]?.message).toBe(
      "Only user messages can be sent.",
    );
  });

  it("checks emptiness and length", () => {
    expect(checkMessageText(" \n ")).toBe("Message is empty.");
    expect(checkMessageText("x".repeat(MAX_MESSAGE_LENGTH))).toBeNull();
    expect(checkMessageText("x".repeat(MAX_MESSAGE_LENGTH + 1))).toContain("too long");
    expect(checkMessageText("my SSN is 123-45-6789\u0000")).toContain("NUL character");
  });
});
