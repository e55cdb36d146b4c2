import { createChat, findChatFor, getMessages, rewindChat, saveMessage } from "@/db/queries/chats";
import { abandonInterrupts } from "@/db/queries/interrupts";
import { isDatabaseUnreachable, retryOnceIfUnreachable } from "@/db/unreachable";
import type { ChatMessage } from "@/lib/ai/types";
import { chatCaller, type ChatCaller } from "@/lib/chat/caller";
import { applyApprovals, recordUnansweredApprovals } from "@/lib/chat/approvals";
import { MAX_TITLE_LENGTH } from "@/lib/chat/limits";
import { streamReply } from "@/lib/chat/reply";
import { carriedMessage, messageText, readChatRequest, type ChatRequest } from "@/lib/chat/request";
import { findInterruptedCall, resumeToolCall } from "@/lib/chat/resume";
import { rewindRefusal } from "@/lib/chat/rewind";
import { apiError } from "@/lib/errors";
import { logError } from "@/lib/log";
import { rateLimitedResponse, takeRateLimit } from "@/lib/rate-limit";

export const maxDuration = 60;

export async function POST(request: Request) {
  // Nobody gets a byte of the body read, let alone parsed, without a session or an access token for this API.
  const { caller: session, refusal: unauthenticated } = await chatCaller(request);
  if (unauthenticated) return unauthenticated;
  const read = await readChatRequest(request);
  if (!read.ok) return read.response;
  try {
    return await handleTurn(read.body, session);
  } catch (error) {
    // Thrown before the reply started. A new message was not stored (the browser puts it back in the box); a resume
    // or an approval may have got partway, so the chat, reloaded, says where it stands.
    if (!isDatabaseUnreachable(error)) throw error;
    logError("chat", "database unreachable", error);
    return apiError(
      "unavailable",
      carriedMessage(read.body)
        ? "The database is not answering, so your message was not saved. Try again in a moment."
        : "The database is not answering, so this could not be completed. Reload the chat in a moment to see where it stands.",
    );
  }
}

/**
 * Runs one turn. The browser's request does not bound it: a reload or a closed tab leaves the turn running to its
 * end (lib/chat/reply.ts), and only the user's Stop ends it early.
 */
async function handleTurn(body: ChatRequest, session: ChatCaller): Promise<Response> {
  const { id } = body;
  const userId = session.user.sub;
  const context = { ...session, chatId: id, timeZone: body.timeZone };

  // The turn's first query: after a database restart, it may meet a pooled connection the restart closed (57P01),
  // and the pool reconnects for the next. A read, so it is tried once more.
  const { chat, takenByAnother } = await retryOnceIfUnreachable(() => findChatFor({ id, userId }));
  // Someone else's chat id is answered exactly like a missing one, and cannot be taken for a new chat.
  if (!chat && (!("message" in body) || takenByAnother)) return apiError("not_found", "Chat not found.");
  const messages = chat ? await getMessages<ChatMessage>({ chatId: id }) : [];

  if ("approvals" in body) {
    const refusal = await applyApprovals({ userId, chatId: id, approvals: body.approvals, messages });
    if (refusal) return apiError("conflict", refusal);
    return streamReply({ chatId: id, messages, context });
  }

  if ("resume" in body) {
    const { toolCallId, cancel } = body.resume;
    const call = findInterruptedCall(messages, toolCallId);
    if (!call) return apiError("conflict", "That action is not waiting to be resumed.");
    const refusal = !cancel && call.interrupt.code === "TOKEN_VAULT_ERROR" ? await turnRefusal(userId) : null;
    if (refusal) return refusal;
    const resumed = await resumeToolCall({ chatId: id, call, cancel, context });
    // Claimed by another request (a second tab or instance) or settled since this chat was loaded.
    if (!resumed) return apiError("conflict", "That action is no longer waiting: it is being carried out or has finished. Reload the chat to see where it stands.");
    return streamReply({ chatId: id, messages, context, resumed });
  }

  if ("retry" in body || "edit" in body) {
    const rewind = "retry" in body ? { messageId: body.retry.messageId } : { messageId: body.edit.message.id, parts: body.edit.message.parts };
    const conflict = rewindRefusal(messages, rewind.messageId);
    if (conflict) return apiError("conflict", conflict);
    const refusal = await turnRefusal(userId);
    if (refusal) return refusal;
    await recordUnansweredApprovals({ userId, chatId: id, messages, toolCallIds: await abandonInterrupts({ chatId: id }) });
    // Rewound under the same rule by a second tab meanwhile: the message is gone or no longer last.
    if (!(await rewindChat({ chatId: id, ...rewind }))) return apiError("conflict", "That message is no longer in this chat. Reload it.");
    const kept = messages.slice(0, messages.findIndex((m) => m.id === rewind.messageId));
    const userMessage: ChatMessage = { id: rewind.messageId, role: "user", parts: rewind.parts ?? messages[kept.length]!.parts };
    return streamReply({ chatId: id, messages: [...kept, userMessage], context });
  }

  const { message } = body;
  if (messages.some((m) => m.id === message.id)) return apiError("conflict", "This message was already sent.");
  const refusal = await turnRefusal(userId);
  if (refusal) return refusal;
  const userMessage: ChatMessage = { id: message.id, role: "user", parts: message.parts };
  if (chat) {
    await recordUnansweredApprovals({ userId, chatId: id, messages, toolCallIds: await abandonInterrupts({ chatId: id }) });
    await saveMessage({ chatId: id, message: userMessage });
  } else await createChat({ id, userId, title: titleFrom(messageText(message)), firstMessage: userMessage, origin: session.via?.channel === "terminal" ? "terminal" : "web" });
  return streamReply({ chatId: id, messages: [...messages, userMessage], context });
}

/**
 * Counts one chat turn against the user's allowance; returns the 429 when it is used up. Counted is what the user
 * can repeat at will: new messages, and running again a call that waits for a connected account (each run asks
 * the identity service for a token). Not counted: checks on a purchase waiting for approval on another device,
 * which the prompt sends every few seconds and the server passes on at most as often as the identity service
 * allows; cancels; and answers to approval requests. Those end or continue a call a counted message started,
 * and each is accepted once.
 */
async function turnRefusal(userId: string): Promise<Response | null> {
  const decision = await takeRateLimit(userId, "chat_turn");
  return decision.allowed ? null : rateLimitedResponse(decision);
}

/**
 * The chat's automatic title, from its first message. It is given once, when the chat is created, and never again,
 * so a name the user chose (PATCH /api/chats/<id>) outlives later turns, retries and edits.
 */
function titleFrom(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > MAX_TITLE_LENGTH ? `${line.slice(0, MAX_TITLE_LENGTH - 1)}…` : line;
}
