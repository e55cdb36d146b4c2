import { createUIMessageStream, createUIMessageStreamResponse, toUIMessageStream } from "ai";
import { chatExists, createChat, getChat, getMessages, saveMessage } from "@/db/queries/chats";
import { runAgent } from "@/lib/ai/agent";
import type { ChatMessage } from "@/lib/ai/types";
import { getCurrentUser } from "@/lib/auth/session";
import { MAX_TITLE_LENGTH } from "@/lib/chat/limits";
import { chatRequestSchema, checkMessageText, messageText } from "@/lib/chat/request";
import { describeStreamError } from "@/lib/chat/stream-errors";
import { apiError } from "@/lib/errors";

export const maxDuration = 60;

export async function POST(request: Request) {
  const json = await request.json().catch(() => undefined);
  if (json === undefined) return apiError("bad_request", "Request body must be JSON.");
  const parsed = chatRequestSchema.safeParse(json);
  if (!parsed.success) return apiError("bad_request", parsed.error.issues[0]?.message ?? "Invalid request.");
  const { id, message } = parsed.data;
  const text = messageText(message);
  const problem = checkMessageText(text);
  if (problem) return apiError("bad_request", problem);

  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");

  const chat = await getChat({ id, userId: user.sub });
  if (!chat) {
    // Someone else's chat id is answered exactly like a missing one.
    if (await chatExists(id)) return apiError("not_found", "Chat not found.");
    await createChat({ id, userId: user.sub, title: titleFrom(text) });
  }
  const history = (await getMessages({ chatId: id })).map(toChatMessage);
  if (history.some((m) => m.id === message.id)) return apiError("conflict", "This message was already sent.");

  const userMessage: ChatMessage = { id: message.id, role: "user", parts: message.parts };
  await saveMessage({ chatId: id, message: userMessage });
  const messages = [...history, userMessage];

  const stream = createUIMessageStream<ChatMessage>({
    originalMessages: messages,
    generateId: () => crypto.randomUUID(),
    execute: async ({ writer }) => {
      const { result, tools } = await runAgent({ user, messages, abortSignal: request.signal });
      writer.merge(toUIMessageStream({ stream: result.stream, tools, onError: describeStreamError }));
    },
    onError: describeStreamError,
    onEnd: async ({ responseMessage }) => {
      // Aborted and failed turns are kept too: the user keeps whatever they already saw.
      if (responseMessage.parts.length > 0) await saveMessage({ chatId: id, message: responseMessage });
    },
  });
  return createUIMessageStreamResponse({ stream });
}

function titleFrom(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > MAX_TITLE_LENGTH ? `${line.slice(0, MAX_TITLE_LENGTH - 1)}…` : line;
}

function toChatMessage(row: { id: string; role: "user" | "assistant"; parts: unknown }): ChatMessage {
  return { id: row.id, role: row.role, parts: row.parts as ChatMessage["parts"] };
}
