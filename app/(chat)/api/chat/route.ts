import { chatExists, createChat, getChat, getMessages, saveMessage } from "@/db/queries/chats";
import { abandonInterrupts } from "@/db/queries/interrupts";
import type { ChatMessage } from "@/lib/ai/types";
import { getAgentSession } from "@/lib/auth/session";
import { MAX_TITLE_LENGTH } from "@/lib/chat/limits";
import { applyApprovals } from "@/lib/chat/approvals";
import { streamReply } from "@/lib/chat/reply";
import { checkMessageText, messageText, schemaFor } from "@/lib/chat/request";
import { resumeToolCall } from "@/lib/chat/resume";
import { apiError } from "@/lib/errors";

export const maxDuration = 60;

export async function POST(request: Request) {
  const json = await request.json().catch(() => undefined);
  if (json === undefined) return apiError("bad_request", "Request body must be JSON.");
  const parsed = schemaFor(json).safeParse(json);
  if (!parsed.success) return apiError("bad_request", parsed.error.issues[0]?.message ?? "Invalid request.");
  const body = parsed.data;
  let text: string | undefined;
  if ("message" in body) {
    text = messageText(body.message);
    const problem = checkMessageText(text);
    if (problem) return apiError("bad_request", problem);
  }

  const session = await getAgentSession();
  if (!session) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const context = { ...session, chatId: body.id, timeZone: body.timeZone };
  const { id } = body;

  const chat = await getChat({ id, userId: session.user.sub });
  if (!chat) {
    // Someone else's chat id is answered exactly like a missing one.
    if (text === undefined || (await chatExists(id))) return apiError("not_found", "Chat not found.");
    await createChat({ id, userId: session.user.sub, title: titleFrom(text) });
  }
  const messages = await getMessages({ chatId: id });

  if ("approvals" in body) {
    const refusal = await applyApprovals({ chatId: id, approvals: body.approvals, messages });
    if (refusal) return apiError("conflict", refusal);
    return streamReply({ chatId: id, messages, context, abortSignal: request.signal });
  }

  if ("resume" in body) {
    const { toolCallId, cancel } = body.resume;
    const resumed = await resumeToolCall({ chatId: id, toolCallId, cancel, context, messages, abortSignal: request.signal });
    if (!resumed) return apiError("conflict", "That action is not waiting to be resumed.");
    return streamReply({ chatId: id, messages, context, abortSignal: request.signal, resumed });
  }

  const { message } = body;
  if (messages.some((m) => m.id === message.id)) return apiError("conflict", "This message was already sent.");
  const userMessage: ChatMessage = { id: message.id, role: "user", parts: message.parts };
  await abandonInterrupts({ chatId: id });
  await saveMessage({ chatId: id, message: userMessage });
  return streamReply({ chatId: id, messages: [...messages, userMessage], context, abortSignal: request.signal });
}

function titleFrom(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > MAX_TITLE_LENGTH ? `${line.slice(0, MAX_TITLE_LENGTH - 1)}…` : line;
}
