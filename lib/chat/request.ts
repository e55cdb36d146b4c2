import { z } from "zod";
import { MAX_MESSAGE_LENGTH } from "./limits";

/** What the browser may send: the chat id and the one new user message. History always comes from the database. */
export const chatRequestSchema = z.object({
  id: z.uuid({ error: "Chat id must be a UUID." }),
  message: z.object({
    id: z.string().min(1).max(100),
    role: z.literal("user", { error: "Only user messages can be sent." }),
    parts: z
      .array(z.object({ type: z.literal("text", { error: "Only text parts can be sent." }), text: z.string() }))
      .min(1, "A message needs a text part."),
  }),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;

export function messageText(message: { parts: { type: string; text?: string }[] }): string {
  return message.parts.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

/** Returns the reason the request is unusable, or null. */
export function checkMessageText(text: string): string | null {
  if (text.trim().length === 0) return "Message is empty.";
  if (text.length > MAX_MESSAGE_LENGTH)
    return `Message is too long (${text.length} characters; the limit is ${MAX_MESSAGE_LENGTH}).`;
  return null;
}
