import "server-only";
import { getToolName, isToolUIPart } from "ai";
import { saveMessage } from "@/db/queries/chats";
import { claimInterrupt, settleInterrupt } from "@/db/queries/interrupts";
import { toolTitles } from "@/lib/ai/tools";
import type { ChatMessage } from "@/lib/ai/types";
import { AUDIT_UNAVAILABLE_MESSAGE, AuditUnavailableError, recordAuditEvent } from "@/lib/audit/record";
import { approvalDeadline } from "@/lib/auth/approval-deadline";
import type { ToolContext } from "@/lib/auth/tool-context";
import { getConfig } from "@/lib/config";
import type { ApprovalsRequest } from "./request";
import { approvalFields, toolTitle } from "./tool-summary";

const NOT_WAITING = "Those approval requests are not waiting for an answer.";
const EXPIRED = "This approval request has expired, so nothing was done. Ask again if you still want it.";

/**
 * Applies the user's approve/deny decisions to the stored approval requests, once. Only the decision comes from
 * the browser; the call's name, input and signed approval request come from the database. An approval id that
 * is not waiting in this chat (forged, replayed, expired, or someone else's) refuses the whole request.
 * `messages` is updated in place. Returns why the request is refused, or null when it was applied.
 */
export async function applyApprovals({
  userId,
  chatId,
  approvals,
  messages,
}: {
  userId: string;
  chatId: string;
  approvals: ApprovalsRequest["approvals"];
  messages: ChatMessage[];
}): Promise<string | null> {
  const last = messages.at(-1);
  if (last?.role !== "assistant") return NOT_WAITING;
  const targets = approvals.map((decision) => ({
    decision,
    part: last.parts.find((p) => isToolUIPart(p) && p.state === "approval-requested" && p.approval.id === decision.approvalId),
  }));
  if (targets.some(({ part }) => !part || !isToolUIPart(part))) return NOT_WAITING;
  const record = recorder(userId, chatId, messages);
  // The claim below refuses expired requests too; this only tells the user why.
  if (targets.some(({ part }) => isPastDeadline(part))) {
    for (const { part } of targets) if (isPastDeadline(part)) await record(part, "expired").catch(() => {});
    return EXPIRED;
  }

  const claimed: string[] = [];
  for (const { part } of targets) {
    if (!part || !isToolUIPart(part) || !(await claimInterrupt({ chatId, toolCallId: part.toolCallId }))) {
      // Another request got there first: give back what this one claimed.
      for (const toolCallId of claimed) await settleInterrupt({ chatId, toolCallId, status: "pending" });
      return NOT_WAITING;
    }
    claimed.push(part.toolCallId);
  }
  // The user's answer is an authorization decision: it takes effect only once recorded (fail closed).
  try {
    for (const { part, decision } of targets) await record(part, decision.approved ? "granted" : "denied", decision.reason);
  } catch (error) {
    if (!(error instanceof AuditUnavailableError)) throw error;
    for (const toolCallId of claimed) await settleInterrupt({ chatId, toolCallId, status: "pending" });
    return AUDIT_UNAVAILABLE_MESSAGE;
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
  return null;
}

type ToolPart = ChatMessage["parts"][number] | undefined;

const DECISION_WORDS = { requested: "Asked for approval", granted: "Approved", denied: "Declined", expired: "Did not answer in time" };

/**
 * Records the approval requests a reply asks, as the card shows them. Asking changes nothing, so this is best
 * effort: the answer, which does, is recorded fail-closed by applyApprovals.
 */
export async function recordApprovalRequests({ userId, chatId, messages }: { userId: string; chatId: string; messages: ChatMessage[] }) {
  const record = recorder(userId, chatId, messages);
  for (const part of messages.at(-1)?.parts ?? []) await record(part, "requested").catch(() => {});
}

/**
 * Records as lapsed the approval requests of the last reply that a new message or a retry moved on from while they
 * still waited (`toolCallIds`, as abandonInterrupts found them: an answer that claimed one first is not a lapse). The
 * request can no longer be answered (its card says so), and the trail shows how it ended instead of leaving it
 * "requested" for ever. Best effort, like asking: it changes nothing.
 */
export async function recordUnansweredApprovals({ userId, chatId, messages, toolCallIds }: { userId: string; chatId: string; messages: ChatMessage[]; toolCallIds: string[] }) {
  const last = messages.at(-1);
  if (last?.role !== "assistant" || toolCallIds.length === 0) return;
  const record = recorder(userId, chatId, messages);
  for (const part of last.parts) {
    if (isToolUIPart(part) && toolCallIds.includes(part.toolCallId)) await record(part, "expired", "not answered before the conversation moved on").catch(() => {});
  }
}

/**
 * Records the user's answer to an in-chat approval request with what the card showed them: its title, every field
 * of the call's input as labelled there, and the deadline. This is the one record of the user's decision; the
 * pipeline's in-chat approval authorizer records that it verified this answer before the call ran.
 */
function recorder(userId: string, chatId: string, messages: ChatMessage[]) {
  return async (part: ToolPart, decision: ApprovalDecision, reason?: string) => {
    if (!part || !isToolUIPart(part) || part.state !== "approval-requested") return;
    await recordApprovalDecision({
      userId,
      chatId,
      turnId: messages.findLast((message) => message.role === "user")?.id,
      toolCallId: part.toolCallId,
      tool: getToolName(part),
      input: part.input,
      approvalId: part.approval.id,
      answerBy: approvalDeadline(part.approval),
      decision,
      reason,
    });
  };
}

export type ApprovalDecision = "requested" | "granted" | "denied" | "expired";

/**
 * One in-chat approval decision as the trail keeps it, wherever it was asked (a chat's card, or the approval page
 * of an MCP client's call): its title, every field of the call's input as labelled there, and the deadline.
 */
export async function recordApprovalDecision({
  userId,
  chatId,
  turnId,
  toolCallId,
  tool,
  input,
  approvalId,
  answerBy,
  decision,
  reason,
  via,
}: {
  userId: string;
  chatId: string;
  turnId?: string;
  toolCallId: string;
  tool: string;
  input: unknown;
  approvalId: string;
  answerBy: Date | null;
  decision: ApprovalDecision;
  reason?: string;
  /** Asked for an MCP client's call: it brings its own model, and the trail names the client. */
  via?: ToolContext["via"];
}) {
  const title = toolTitle(tool, toolTitles());
  await recordAuditEvent({
    userId,
    modelId: via ? undefined : getConfig().OPENAI_MODEL,
    chatId,
    turnId,
    toolCallId,
    action: "tool.authorization",
    input,
    summary: `${DECISION_WORDS[decision]}: ${title}`,
    outcome: decision === "granted" ? "done" : decision === "requested" ? "interrupted" : "denied",
    evidence: {
      tool,
      ...(via ? { via } : {}),
      authorizer: "in-chat-approval",
      decision,
      approvalId,
      // The card as the user read it: its title, then every field of the call's input as labelled there.
      title,
      shown: approvalFields(input).map(({ label, value }) => `${label}: ${value}`),
      answerBy: answerBy?.toISOString() ?? null,
      ...(reason ? { reason } : {}),
    },
  });
}

function isPastDeadline(part: ChatMessage["parts"][number] | undefined): boolean {
  if (!part || !isToolUIPart(part) || part.state !== "approval-requested") return false;
  const deadline = approvalDeadline(part.approval);
  return deadline !== null && deadline.getTime() <= Date.now();
}

/**
 * When the reply's waiting calls stop being answerable: the earliest deadline of its approval requests, or null
 * when it asks for none. The model continues only once every waiting call of a reply is settled, so a reply
 * whose approval expired can no longer continue, and its other waiting calls expire with it.
 */
export function approvalsExpireAt(message: ChatMessage): Date | null {
  const deadlines = message.parts.flatMap((part) => {
    const deadline = isToolUIPart(part) && part.state === "approval-requested" ? approvalDeadline(part.approval) : null;
    return deadline ? [deadline.getTime()] : [];
  });
  return deadlines.length === 0 ? null : new Date(Math.min(...deadlines));
}
