import "server-only";
import { getToolName, isToolUIPart } from "ai";
import { saveMessage } from "@/db/queries/chats";
import { claimInterrupt, countPendingInterrupts, settleInterrupt } from "@/db/queries/interrupts";
import { createTools, type ToolName } from "@/lib/ai/tools";
import type { ToolContext } from "@/lib/ai/tools/context";
import type { ChatMessage } from "@/lib/ai/types";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { cancelAsyncAuthorization } from "@/lib/auth/with-async-authorization";
import type { ResumedCall } from "./reply";

/**
 * Runs an interrupted tool call again, exactly once, with the name and input stored in the chat — the client
 * sends only the call's id. Returns null when that call is not waiting (already resumed, or never was).
 * `messages` is updated in place with the call's new output.
 */
export async function resumeToolCall({
  chatId,
  toolCallId,
  cancel = false,
  context,
  messages,
  abortSignal,
}: {
  chatId: string;
  toolCallId: string;
  /** End the call without running it. */
  cancel?: boolean;
  context: ToolContext;
  messages: ChatMessage[];
  abortSignal: AbortSignal;
}): Promise<ResumedCall | null> {
  const claim = await claimInterrupt({ chatId, toolCallId });
  if (!claim) return null;
  const message = messages.find((m) => m.id === claim.messageId);
  const part = message?.parts.find((p) => isToolUIPart(p) && p.toolCallId === toolCallId);
  if (!message || !part || !isToolUIPart(part) || part.state !== "output-available") {
    await settleInterrupt({ chatId, toolCallId, status: "resolved" });
    return null;
  }

  let output: unknown;
  if (cancel) {
    // A CIBA request behind the call is never polled again, so a late approval on the device does nothing.
    await cancelAsyncAuthorization({ chatId, toolCallId, userId: context.user.sub });
    output = { error: "The user cancelled this action in the chat. Nothing was done." };
  } else {
    const tool = createTools(context)[getToolName(part) as ToolName];
    try {
      output = tool?.execute
        ? await tool.execute(part.input as never, { toolCallId, messages: [], abortSignal, context: {} })
        : { error: "This action is no longer available. Nothing was done." };
    } catch (error) {
      console.error(`[resume] ${getToolName(part)} failed:`, error);
      output = { error: "The action failed unexpectedly. Nothing more was done." };
    }
  }
  Object.assign(part, { output });
  await saveMessage({ chatId, message });
  const waiting = isInterruptedOutput(output);
  await settleInterrupt({ chatId, toolCallId, status: waiting ? "pending" : "resolved" });
  return {
    messageId: message.id,
    toolCallId,
    output,
    continueModel: !waiting && (await countPendingInterrupts({ chatId, messageId: message.id })) === 0,
  };
}
