import "server-only";
import { getToolName, isToolUIPart } from "ai";
import { declarationOf } from "@/lib/ai/tools";
import type { ChatMessage } from "@/lib/ai/types";
import { isInterruptedOutput } from "@/lib/auth/interrupts";

type ToolPart = Extract<ChatMessage["parts"][number], { toolCallId: string }>;

/**
 * Whether a call may have run: it has a result that is not a wait for the user, or it was running when the answer
 * ended (approved, or its input complete). A failure counts too: a shop that timed out may still have placed the
 * order. Only calls that never ran are safe to forget: still streaming their input, denied, or waiting for the user.
 */
function mayHaveRun(part: ToolPart): boolean {
  switch (part.state) {
    case "output-available":
      return !isInterruptedOutput(part.output);
    case "output-error":
    case "input-available":
      return true;
    case "approval-responded":
      return part.approval.approved;
    default:
      return false;
  }
}

/**
 * The titles of the calls in these answers that may have changed something outside the chat (a write or a
 * spend). A retry or an edit would discard the answers, and the model, no longer seeing those calls, could make
 * them again; so while there are any, the turn is not run again.
 */
export function sideEffectsIn(answers: ChatMessage[]): string[] {
  return answers.flatMap((message) =>
    message.parts.flatMap((part) => {
      if (!isToolUIPart(part) || !mayHaveRun(part)) return [];
      const declaration = declarationOf(getToolName(part));
      // A call of a tool this deployment no longer knows is treated as one that changed something.
      if (declaration?.risk === "read") return [];
      return [declaration?.title ?? getToolName(part)];
    }),
  );
}

/**
 * Why the turn of `messageId` cannot be run again, or null. Only the last user message can be retried or edited:
 * earlier turns are history later answers build on.
 */
export function rewindRefusal(messages: ChatMessage[], messageId: string): string | null {
  const index = messages.findIndex((message) => message.id === messageId && message.role === "user");
  if (index === -1 || messages.slice(index + 1).some((message) => message.role === "user"))
    return "Only your last message can be retried or edited.";
  const effects = [...new Set(sideEffectsIn(messages.slice(index + 1)))];
  if (effects.length > 0)
    return `This answer is kept because it already acted for you (${effects.join(", ")}): running it again could do that twice. Send a new message instead.`;
  return null;
}
