import "server-only";
import { createUIMessageStream, createUIMessageStreamResponse, isToolUIPart, toUIMessageStream } from "ai";
import { saveMessage } from "@/db/queries/chats";
import { recordInterrupts } from "@/db/queries/interrupts";
import { runAgent } from "@/lib/ai/agent";
import type { ToolContext } from "@/lib/ai/tools/context";
import type { ChatMessage } from "@/lib/ai/types";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { approvalsExpireAt } from "./approvals";
import { historyWithinBudget } from "./history";
import { describeStreamError } from "./stream-errors";

/** A resumed tool call's new output, streamed into the assistant message it belongs to. */
export interface ResumedCall {
  messageId: string;
  toolCallId: string;
  output: unknown;
  /** False while other calls in the same step still wait for the user: the model waits for all of them. */
  continueModel: boolean;
}

/**
 * Streams the assistant's reply and stores it when the stream ends — completed, stopped or failed alike, so a
 * reload shows what the user saw. Tool calls that stopped for the user are recorded as pending interrupts.
 */
export function streamReply({
  chatId,
  messages,
  context,
  abortSignal,
  resumed,
}: {
  chatId: string;
  messages: ChatMessage[];
  context: ToolContext;
  abortSignal: AbortSignal;
  resumed?: ResumedCall;
}): Response {
  const stream = createUIMessageStream<ChatMessage>({
    originalMessages: messages,
    generateId: () => crypto.randomUUID(),
    execute: async ({ writer }) => {
      if (resumed) {
        writer.write({ type: "start", messageId: resumed.messageId });
        writer.write({ type: "tool-output-available", toolCallId: resumed.toolCallId, output: resumed.output });
        if (!resumed.continueModel) {
          writer.write({ type: "finish" });
          return;
        }
      }
      // The whole chat stays stored and shown; the model reads only the newest turns that fit its budget.
      const { result, tools } = await runAgent({ context, messages: historyWithinBudget(messages), abortSignal });
      writer.merge(toUIMessageStream({ stream: result.stream, tools, onError: describeStreamError }));
    },
    onError: describeStreamError,
    onEnd: async ({ responseMessage }) => {
      if (responseMessage.parts.length === 0) return;
      await saveMessage({ chatId, message: responseMessage });
      await recordInterrupts({
        chatId,
        messageId: responseMessage.id,
        toolCallIds: interruptedCallIds(responseMessage),
        expiresAt: approvalsExpireAt(responseMessage),
      });
    },
  });
  return createUIMessageStreamResponse({ stream });
}

/** Calls waiting for the user: interrupted by an authorizer, or asking for in-chat approval. */
function interruptedCallIds(message: ChatMessage): string[] {
  return message.parts.flatMap((part) =>
    isToolUIPart(part) &&
    ((part.state === "output-available" && isInterruptedOutput(part.output)) || part.state === "approval-requested")
      ? [part.toolCallId]
      : [],
  );
}
