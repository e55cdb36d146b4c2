import "server-only";
import { claimInterrupt, closeInterrupt, findOutsideApproval, recordOutsideApproval, settleInterrupt } from "@/db/queries/interrupts";
import { AUDIT_UNAVAILABLE_MESSAGE, AuditUnavailableError, inputDigest } from "@/lib/audit/record";
import type { ToolContext } from "@/lib/auth/tool-context";
import { getConfig } from "@/lib/config";
import { recordApprovalDecision } from "./approvals";

/**
 * The in-chat approval for a call that was not made in a chat (an MCP client's): the user gives their yes on
 * Delegate's own approval page, signed in, where the call's every field is shown, and the same authorizer verifies
 * that recorded yes when the client calls again (lib/auth/in-chat-approval.ts). The client never sees the answer's
 * mechanics and cannot give it.
 */
export const NOT_WAITING = "This approval request is not waiting for an answer: it was answered, has expired or does not exist.";

/**
 * A call id for a call outside a chat: `mcp.<tool>.<digest of tool and arguments>.<random>`. The digest lets a call
 * made again with the same arguments find its approval; the tool's name lets the approval page name the tool.
 */
export function outsideCallPrefix(tool: string, input: unknown): string {
  return `mcp.${tool}.${inputDigest({ tool, input }).slice(0, 24)}.`;
}

export const toolOfOutsideCall = (toolCallId: string): string | undefined => /^mcp\.([a-z_]+)\./.exec(toolCallId)?.[1];

/** Where the user answers: the sign-in first (the client's token is no browser session), then the approval page. */
export const outsideApprovalPath = (chatId: string, toolCallId: string) =>
  `/auth/login?${new URLSearchParams({ returnTo: `/approve/${chatId}/${encodeURIComponent(toolCallId)}` })}`;

export async function askOutsideApproval({ context, toolCallId, tool, input }: { context: Pick<ToolContext, "user" | "chatId" | "via">; toolCallId: string; tool: string; input: unknown }) {
  const expiresAt = new Date(Date.now() + getConfig().APPROVAL_EXPIRY_MINUTES * 60_000);
  await recordOutsideApproval({ chatId: context.chatId, toolCallId, input, expiresAt });
  // Asking changes nothing, so it is recorded best effort; the answer, which does, is recorded fail closed.
  await recordApprovalDecision({ userId: context.user.sub, chatId: context.chatId, toolCallId, tool, input, approvalId: toolCallId, answerBy: expiresAt, decision: "requested", via: context.via }).catch(() => {});
  return { path: outsideApprovalPath(context.chatId, toolCallId), expiresAt };
}

/** The request as the approval page shows it, if it is the user's and still waiting. */
export async function waitingOutsideApproval({ userId, chatId, toolCallId }: { userId: string; chatId: string; toolCallId: string }) {
  const request = await findOutsideApproval({ userId, chatId, toolCallId });
  if (!request || request.status !== "pending" || !request.expiresAt || request.expiresAt.getTime() <= Date.now()) return null;
  return { ...request, expiresAt: request.expiresAt };
}

/**
 * Applies the user's answer once: the request is claimed (a second tab or a replay finds it taken), the decision
 * recorded (fail closed), then the call is left for the client's next call (granted) or closed (declined). Returns
 * why it is refused, or null.
 */
export async function answerOutsideApproval({ userId, chatId, toolCallId, approved }: { userId: string; chatId: string; toolCallId: string; approved: boolean }): Promise<string | null> {
  const request = await waitingOutsideApproval({ userId, chatId, toolCallId });
  const tool = toolOfOutsideCall(toolCallId);
  if (!request || !tool || !(await claimInterrupt({ chatId, toolCallId }))) return NOT_WAITING;
  try {
    await recordApprovalDecision({ userId, chatId, toolCallId, tool, input: request.input, approvalId: toolCallId, answerBy: request.expiresAt, decision: approved ? "granted" : "denied", via: { channel: "mcp" } });
  } catch (error) {
    if (!(error instanceof AuditUnavailableError)) throw error;
    await settleInterrupt({ chatId, toolCallId, status: "pending" });
    return AUDIT_UNAVAILABLE_MESSAGE;
  }
  if (approved) await settleInterrupt({ chatId, toolCallId, status: "resolved" });
  else await closeInterrupt({ chatId, toolCallId });
  return null;
}
