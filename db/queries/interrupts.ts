import "server-only";
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { getDb } from "../client";
import { toolInterrupts } from "../schema";

export async function recordInterrupts({
  chatId,
  messageId,
  toolCallIds,
  expiresAt = null,
}: {
  chatId: string;
  messageId: string;
  toolCallIds: string[];
  /** For in-chat approval requests: when they stop being answerable. */
  expiresAt?: Date | null;
}) {
  if (toolCallIds.length === 0) return;
  await getDb()
    .insert(toolInterrupts)
    .values(toolCallIds.map((toolCallId) => ({ toolCallId, chatId, messageId, status: "pending" as const, expiresAt })))
    .onConflictDoUpdate({
      target: [toolInterrupts.chatId, toolInterrupts.toolCallId],
      set: { status: "pending", messageId, expiresAt, updatedAt: new Date() },
    });
}

/**
 * How long a claim lasts: past it, the instance that claimed the call is taken to have died mid-run (killed, crashed,
 * redeployed), and the call can be claimed again. Longer than any run can take: the chat route's maxDuration is 60 s,
 * and a tool's calls give up sooner (10 s timeouts, retries waiting 8 s at most).
 */
export const CLAIM_LEASE_MS = 120_000;

/**
 * Moves one pending interrupt of this chat to "running" and returns it, or null when it is not pending (already
 * resumed, being resumed, abandoned, or an approval request past its expiry). A single UPDATE … WHERE status = 'pending' makes concurrent resumes race
 * for one row: exactly one of them wins. A claim older than CLAIM_LEASE_MS counts as pending again, so a call whose
 * instance died mid-run is not stuck for good.
 */
export async function claimInterrupt({ chatId, toolCallId }: { chatId: string; toolCallId: string }) {
  const now = new Date();
  const [row] = await getDb()
    .update(toolInterrupts)
    .set({ status: "running", updatedAt: now })
    .where(
      and(
        eq(toolInterrupts.chatId, chatId),
        eq(toolInterrupts.toolCallId, toolCallId),
        or(
          eq(toolInterrupts.status, "pending"),
          and(eq(toolInterrupts.status, "running"), lt(toolInterrupts.updatedAt, new Date(now.getTime() - CLAIM_LEASE_MS))),
        ),
        or(isNull(toolInterrupts.expiresAt), gt(toolInterrupts.expiresAt, now)),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Ends this run's claim. Only a claim still "running" is settled: a call abandoned meanwhile (the user moved on)
 * must not become resumable again when its run ends.
 */
export async function settleInterrupt({ chatId, toolCallId, status }: { chatId: string; toolCallId: string; status: "pending" | "resolved" }) {
  await getDb()
    .update(toolInterrupts)
    .set({ status, updatedAt: new Date() })
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.toolCallId, toolCallId), eq(toolInterrupts.status, "running")));
}

/**
 * A new user message moves the conversation on: interrupts still waiting can no longer be resumed. Claimed ones
 * too, lest a claim whose instance died be taken over once its lease runs out; a live run settles its call anyway.
 * Returns the calls that were still waiting for the user (not claimed by an answer), in the same statement.
 */
export async function abandonInterrupts({ chatId }: { chatId: string }): Promise<string[]> {
  const abandon = (status: "pending" | "running") =>
    getDb()
      .update(toolInterrupts)
      .set({ status: "abandoned", updatedAt: new Date() })
      .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.status, status)));
  const waiting = getDb().$with("waiting").as(abandon("pending").returning({ toolCallId: toolInterrupts.toolCallId }));
  const claimed = getDb().$with("claimed").as(abandon("running").returning({ toolCallId: toolInterrupts.toolCallId }));
  const rows = await getDb().with(waiting, claimed).select({ toolCallId: waiting.toolCallId }).from(waiting);
  return rows.map((row) => row.toolCallId);
}

export async function countPendingInterrupts({ chatId, messageId }: { chatId: string; messageId: string }) {
  const rows = await getDb()
    .select({ id: toolInterrupts.toolCallId })
    .from(toolInterrupts)
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.messageId, messageId), eq(toolInterrupts.status, "pending")));
  return rows.length;
}
