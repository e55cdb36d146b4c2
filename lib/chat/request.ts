import { z } from "zod";
import { apiError } from "@/lib/errors";
import { capBody } from "@/lib/http/capped-body";
import { isTimeZone } from "@/lib/time";
import { MAX_CHAT_REQUEST_BYTES, MAX_MESSAGE_LENGTH, MAX_MESSAGE_PARTS } from "./limits";

const chatId = z.uuid({ error: "Chat id must be a UUID." });
const timeZone = z
  .string()
  .refine(isTimeZone, { error: "Time zone must be an IANA name such as Europe/Paris." })
  .default("UTC");

/**
 * What the browser may send: the chat id plus either one new user message or the id of a tool call to resume.
 * History, tool inputs and tool results always come from the database, never from the client.
 */
const messageId = z.string().min(1).max(100);
const userMessage = z.object({
  id: messageId,
  role: z.literal("user", { error: "Only user messages can be sent." }),
  parts: z
    .array(z.object({ type: z.literal("text", { error: "Only text parts can be sent." }), text: z.string() }))
    .min(1, "A message needs a text part.")
    .max(MAX_MESSAGE_PARTS, `A message can have at most ${MAX_MESSAGE_PARTS} parts.`),
});

export const sendMessageSchema = z.object({ id: chatId, timeZone, message: userMessage });

/**
 * Runs the turn of the chat's last user message again: the answers after it are replaced. The server refuses when
 * those answers hold a call that may have changed something (lib/chat/rewind.ts), so a retry never repeats it.
 */
export const retrySchema = z.object({ id: chatId, timeZone, retry: z.object({ messageId }) });

/** Rewrites the chat's last user message (same id, new text) and runs its turn again, on the same terms as a retry. */
export const editSchema = z.object({ id: chatId, timeZone, edit: z.object({ message: userMessage }) });

export const resumeSchema = z.object({
  id: chatId,
  timeZone,
  /** `cancel` ends the call without running it: the model is told the user cancelled. */
  resume: z.object({ toolCallId: z.string().min(1).max(200), cancel: z.boolean().optional() }),
});

/** The user's decisions on in-chat approval requests: the decision only, never the call's input. */
export const approvalsSchema = z.object({
  id: chatId,
  timeZone,
  approvals: z
    .array(z.object({ approvalId: z.string().min(1).max(200), approved: z.boolean(), reason: z.string().max(500).optional() }))
    .min(1)
    .max(20),
});

export type ApprovalsRequest = z.infer<typeof approvalsSchema>;

/** A body naming `resume` resumes a tool call, one naming `approvals` answers approval requests; else a message. */
export function schemaFor(body: unknown) {
  if (typeof body === "object" && body !== null) {
    if ("resume" in body) return resumeSchema;
    if ("approvals" in body) return approvalsSchema;
    if ("retry" in body) return retrySchema;
    if ("edit" in body) return editSchema;
  }
  return sendMessageSchema;
}

export type SendMessageRequest = z.infer<typeof sendMessageSchema>;
export type ResumeRequest = z.infer<typeof resumeSchema>;
export type RetryRequest = z.infer<typeof retrySchema>;
export type EditRequest = z.infer<typeof editSchema>;
export type ChatRequest = SendMessageRequest | ResumeRequest | ApprovalsRequest | RetryRequest | EditRequest;

/** The message whose text the request carries: a new one, or an edited one. */
export const carriedMessage = (body: ChatRequest) => ("message" in body ? body.message : "edit" in body ? body.edit.message : null);

/**
 * Reads and validates a chat request: the body is capped while it streams in, then parsed and checked. Returns
 * the request, or the error response that refuses it.
 */
export async function readChatRequest(request: Request): Promise<{ ok: true; body: ChatRequest } | { ok: false; response: Response }> {
  const refuse = (response: Response) => ({ ok: false as const, response });
  const { body, exceeded } = capBody(request, MAX_CHAT_REQUEST_BYTES);
  const json: unknown = await body.json().catch(() => undefined);
  if (exceeded()) return refuse(apiError("payload_too_large", `The request is too large (the limit is ${MAX_CHAT_REQUEST_BYTES / 1024} KB).`));
  if (json === undefined) return refuse(apiError("bad_request", "Request body must be JSON."));
  const parsed = schemaFor(json).safeParse(json);
  if (!parsed.success) return refuse(apiError("bad_request", parsed.error.issues[0]?.message ?? "Invalid request."));
  const carried = carriedMessage(parsed.data);
  if (carried) {
    const problem = checkMessageText(messageText(carried));
    if (problem) return refuse(apiError("bad_request", problem));
  }
  return { ok: true, body: parsed.data };
}

export function messageText(message: { parts: { type: string; text?: string }[] }): string {
  return message.parts.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

/** Returns the reason the request is unusable, or null. */
export function checkMessageText(text: string): string | null {
  if (text.trim().length === 0) return "Message is empty.";
  // Postgres text cannot hold NUL: refused here, it could only fail later, after the chat had moved on.
  if (text.includes("\u0000")) return "Message contains a NUL character, which cannot be stored.";
  if (text.length > MAX_MESSAGE_LENGTH)
    return `Message is too long (${text.length} characters; the limit is ${MAX_MESSAGE_LENGTH}).`;
  return null;
}
