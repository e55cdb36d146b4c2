import "server-only";
import { getToolName, isToolUIPart, type DynamicToolUIPart, type ToolUIPart } from "ai";
import { saveMessage } from "@/db/queries/chats";
import { claimInterrupt, countPendingInterrupts, settleInterrupt } from "@/db/queries/interrupts";
import { createTools, declarationOf, type ToolName } from "@/lib/ai/tools";
import { cancelThroughPipeline } from "@/lib/ai/tools/pipeline";
import type { ChatMessage, ChatUITools } from "@/lib/ai/types";
import { isInterruptedOutput, type Interrupt } from "@/lib/auth/interrupts";
import type { ToolContext } from "@/lib/auth/tool-context";
import type { ResumedCall } from "./reply";

/** A tool call of this chat whose stored output is an interrupt: the only kind of call a resume may run. */
export interface InterruptedCall {
  message: ChatMessage;
  part: ToolUIPart<ChatUITools> | DynamicToolUIPart;
  interrupt: Interrupt;
  /** The user's message that started the call's turn (the audit trail's turn id). */
  turnId?: string;
}

/**
 * Finds the interrupted call `toolCallId` among this chat's messages, newest first. Ids are the model's and may
 * repeat (some servers number calls per response), so a completed call, an approval request or a call of another
 * chat that shares the id is never what this returns.
 */
export function findInterruptedCall(messages: ChatMessage[], toolCallId: string): InterruptedCall | null {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    for (const part of message.parts) {
      if (isToolUIPart(part) && part.toolCallId === toolCallId && part.state === "output-available" && isInterruptedOutput(part.output))
        return { message, part, interrupt: part.output.interrupt, turnId: messages.slice(0, index).findLast((m) => m.role === "user")?.id };
    }
  }
  return null;
}

/**
 * Runs an interrupted tool call again, exactly once, with the name and input stored in the chat — the client
 * sends only the call's id. Returns null when that call is not waiting (already resumed, being resumed, or its
 * pending row belongs to another message), changing nothing. `call.message` is updated in place.
 */
export async function resumeToolCall({
  chatId,
  call,
  cancel = false,
  context,
}: {
  chatId: string;
  call: InterruptedCall;
  /** End the call without running it. */
  cancel?: boolean;
  context: ToolContext;
}): Promise<ResumedCall | null> {
  const { message, part } = call;
  const { toolCallId } = part;
  const claim = await claimInterrupt({ chatId, toolCallId });
  if (!claim) return null;
  if (claim.messageId !== message.id) {
    // The pending row is another message's call with the same id: leave it exactly as it was.
    await settleInterrupt({ chatId, toolCallId, status: "pending" });
    return null;
  }

  let output: unknown;
  const callContext = { ...context, turnId: call.turnId };
  if (cancel) {
    const declaration = declarationOf(getToolName(part));
    if (declaration) await cancelThroughPipeline(declaration, callContext, part.input, toolCallId);
    output = { error: "The user cancelled this action in the chat. Nothing was done." };
  } else {
    // createTools' tools never throw (lib/ai/tools/guard.ts): a failure comes back as a fixed sentence.
    const tool = createTools(callContext)[getToolName(part) as ToolName];
    output = tool?.execute
      ? await tool.execute(part.input as never, { toolCallId, messages: [], context: {} })
      : { error: "This action is no longer available. Nothing was done." };
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
