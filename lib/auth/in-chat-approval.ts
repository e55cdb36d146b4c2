import "server-only";
import { findToolDecision } from "@/db/queries/audit";
import { inputDigest } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { approvalRequestReason } from "./approval-deadline";
import type { Authorizer } from "./authorizer";

/**
 * The approval request the AI SDK shows in the chat before such a call runs. In-chat approvals can be answered
 * for APPROVAL_EXPIRY_MINUTES from the moment they are asked; the request is HMAC-signed over the call's id, name
 * and input (lib/ai/agent.ts), so one cannot be forged or moved to another call.
 */
export const inChatApprovalRequest = () => ({
  type: "user-approval" as const,
  reason: approvalRequestReason(new Date(Date.now() + getConfig().APPROVAL_EXPIRY_MINUTES * 60_000)),
});

export const NO_RECORDED_APPROVAL = "Your approval of this action is not on record, so nothing was done. Ask again if you still want it.";

/**
 * The in-chat approval authorizer. The AI SDK asks the user before it executes the call (agent.ts offers it every
 * tool that declares this authorizer) and runs it only once they approved. The user's answer is the decision, and
 * it is recorded once, when it is given, with the text the card showed (lib/chat/approvals.ts, fail closed).
 *
 * What this authorizer records is different, so the trail never shows two "granted" for one yes: "verified" —
 * the call about to run is the one the user approved, because their recorded answer names this call and the
 * digest of the very input the card showed. An auditor reads "Approved" (the person) followed by "Approval
 * verified" (the pipeline, naming the answer's event) for each run, a resume after connecting an account included.
 * Without such an answer, or for an input that differs from it, the call is refused (fail closed).
 */
export function inChatApproval(): Authorizer {
  return {
    kind: "in-chat-approval",
    label: "your approval in the chat, each time",
    async authorize(call, next) {
      const answer = await findToolDecision({ userId: call.context.user.sub, chatId: call.context.chatId, toolCallId: call.toolCallId, authorizer: "in-chat-approval", decision: "granted" });
      if (!answer || answer.inputDigest !== inputDigest(call.input)) {
        await call.decide({ authorizer: "in-chat-approval", decision: "refused", evidence: { reason: answer ? "input differs from the approved one" : "no recorded approval" } });
        return { error: NO_RECORDED_APPROVAL };
      }
      const { approvalId } = answer.evidence as { approvalId?: string };
      await call.decide({ authorizer: "in-chat-approval", decision: "verified", evidence: { approvalId, answerEvent: answer.id, answeredAt: answer.occurredAt.toISOString() } });
      return next({ input: call.input });
    },
  };
}
