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

/**
 * The in-chat approval authorizer. The AI SDK asks the user before it executes the call (agent.ts offers it every
 * tool that declares this authorizer), and runs the call only once they approved: reaching `authorize` means the
 * user said yes, which is recorded (the request and the user's answer are recorded when they happen, by
 * lib/chat). A declined call never reaches the pipeline.
 */
export function inChatApproval(): Authorizer {
  return {
    kind: "in-chat-approval",
    label: "your approval in the chat, each time",
    async authorize(call, next) {
      await call.decide({ authorizer: "in-chat-approval", decision: "granted", evidence: {} });
      return next({ input: call.input });
    },
  };
}
