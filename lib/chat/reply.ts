import "server-only";
import { createUIMessageStream, createUIMessageStreamResponse, isToolUIPart, toUIMessageStream, type InferUIMessageChunk } from "ai";
import { startChatStream } from "@/db/queries/chat-streams";
import { saveMessage } from "@/db/queries/chats";
import { recordInterrupts } from "@/db/queries/interrupts";
import { retryOnceIfUnreachable } from "@/db/unreachable";
import { runAgent } from "@/lib/ai/agent";
import { usableToolsFor } from "@/lib/ai/tools";
import type { ChatMessage } from "@/lib/ai/types";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import type { ToolContext } from "@/lib/auth/tool-context";
import { logError } from "@/lib/log";
import { approvalsExpireAt, recordApprovalRequests } from "./approvals";
import { historyWithinBudget } from "./history";
import { recordStream } from "./resumable-stream";
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
 * reload shows what the user saw. The turn runs to its end even if the browser goes away (only the user's Stop,
 * recorded in the database, ends it early), and its chunks are recorded for a reload to resume
 * (./resumable-stream.ts). Tool calls that stopped for the user are recorded as pending interrupts.
 * If the reply cannot be stored (the database went away mid-turn), the user is told so instead of being shown a
 * finished reply that a reload would lose.
 */
export async function streamReply({
  chatId,
  messages,
  context,
  resumed,
}: {
  chatId: string;
  messages: ChatMessage[];
  context: ToolContext;
  resumed?: ResumedCall;
}): Promise<Response> {
  // The permission service is asked which tools the user allows while the stream is being recorded, not after it.
  // Its failure, if any, is the reply's to report (runAgent awaits it), so it is not an unhandled rejection meanwhile.
  const usable = resumed && !resumed.continueModel ? undefined : usableToolsFor(context.user.sub);
  usable?.catch(() => {});
  // Written while the agent starts; recordStream waits for it before the first chunk, and copes with its failure.
  const streamId = startChatStream({ chatId });
  streamId.catch(() => {});
  const stop = new AbortController();
  let unsaved = false;
  const unfinished: Promise<unknown>[] = [];
  const turnContext: ToolContext = { ...context, finishBeforeTurnEnds: (write) => void unfinished.push(write) };
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
      const { result, tools } = await runAgent({ context: turnContext, messages: historyWithinBudget(messages), abortSignal: stop.signal, usable });
      writer.merge(toUIMessageStream({ stream: result.stream, tools, onError: describeStreamError }));
    },
    onError: describeStreamError,
    onEnd: async ({ responseMessage }) => {
      // Best effort each (a failure is logged where it happens), but over before the turn is.
      await Promise.all(unfinished);
      if (responseMessage.parts.length === 0) return;
      try {
        // A restart closes the pool's connections while the reply streams, and the first query on such a connection
        // fails (57P01); the pool reconnects for the next, so the save (an upsert) is tried once more.
        await retryOnceIfUnreachable(() => saveMessage({ chatId, message: responseMessage }));
        await recordInterrupts({
          chatId,
          messageId: responseMessage.id,
          toolCallIds: interruptedCallIds(responseMessage),
          expiresAt: approvalsExpireAt(responseMessage),
        });
        await recordApprovalRequests({ userId: context.user.sub, chatId, messages: [...messages.filter((m) => m.id !== responseMessage.id), responseMessage] });
      } catch (error) {
        logError("chat", "reply not stored", error);
        unsaved = true;
      }
    },
  });
  const chunks = stream.pipeThrough(finishOnceStored(() => unsaved));
  return createUIMessageStreamResponse({ stream: recordStream({ streamId, chunks, stop }) });
}

const REPLY_NOT_SAVED = "This reply could not be saved, so it will be missing after a reload. Ask again in a moment.";

/**
 * Holds back the reply's closing chunk until onEnd has stored the reply (onEnd runs as the stream above ends), and
 * sends an error in its place if storing failed.
 */
function finishOnceStored(unsaved: () => boolean) {
  type Chunk = InferUIMessageChunk<ChatMessage>;
  let finish: Chunk | undefined;
  return new TransformStream<Chunk, Chunk>({
    transform(chunk, controller) {
      if (chunk.type === "finish") finish = chunk;
      else controller.enqueue(chunk);
    },
    flush(controller) {
      if (unsaved()) controller.enqueue({ type: "error", errorText: REPLY_NOT_SAVED });
      else if (finish) controller.enqueue(finish);
    },
  });
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
