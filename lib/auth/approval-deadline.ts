/**
 * An in-chat approval request can be answered until a deadline, fixed once when the request is made. It travels
 * in the request's reason — the one field the AI SDK carries from the server into the stored tool part — so the
 * card shows, and the server enforces (tool_interrupts.expires_at), the same instant.
 */
const PREFIX = "Answer by ";

export function approvalRequestReason(deadline: Date): string {
  return `${PREFIX}${deadline.toISOString()}`;
}

/** The deadline of an approval request, or null for one made without (before approvals expired). */
export function approvalDeadline(approval: { requestReason?: string } | undefined): Date | null {
  const reason = approval?.requestReason;
  if (!reason?.startsWith(PREFIX)) return null;
  const deadline = new Date(reason.slice(PREFIX.length));
  return Number.isNaN(deadline.getTime()) ? null : deadline;
}
