import "server-only";
import { isToolUIPart } from "ai";
import { saveMessage } from "@/db/queries/chats";
import { claimInterrupt, settleInterrupt } from "@/db/queries/interrupts";
import type { ChatMessage } from "@/lib/ai/types";
import type { ApprovalsRequest } from "./request";

/**
 * Applies the user's approve/deny decisions to the stored approval requests, once. Only the decision comes from
 * the browser; the call's name, input and signed approval request come from the database. An approval id that
 * is not waiting in this chat (forged, replayed, or someone else's) refuses the whole request.
 * `messages` is updated in place. Returns false when the request must be refused.
 */
export async function applyApprovals({
  chatId,
  approvals,
  messages,
}: {
  chatId: string;
  approvals: ApprovalsRequest["approvals"];
  messages: ChatMessage[];
}): Promise<boolean> {
  const last = messages.at(-1);
  if (last?.role !== "assistant") return false;
  const targets = approvals.map((decision) => ({
    decision,
    part: last.parts.find((p) => isToolUIPart(p) && p.state === "approval-requested" && p.approval.id === decision.approvalId),
  }));
  if (targets.some(({ part }) => !part || !isToolUIPart(part))) return false;

  const claimed: string[] = [];
  for (const { part } of targets) {
    if (!part || !isToolUIPart(part) || !(await claimInterrupt({ chatId, toolCallId: part.toolCallId }))) {
      // Another request got there first: give back what this one claimed.
      for (const toolCallId of claimed) await settleInterrupt({ chatId, toolCallId, status: "pending" });
      return false;
    }
    claimed.push(part.toolCallId);
  }
  for (const { part, decision } of targets) {
    if (!part || !isToolUIPart(part) || part.state !== "approval-requested") continue;
    Object.assign(part, {
      state: "approval-responded",
      approval: { ...part.approval, approved: decision.approved, reason: decision.reason },
    });
  }
  await saveMessage({ chatId, message: last });
  for (const toolCallId of claimed) await settleInterrupt({ chatId, toolCallId, status: "resolved" });
  return true;
}
