import "server-only";
import { and, eq, gt, inArray, isNull, or } from "drizzle-orm";
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
 * Moves one pending interrupt of this chat to "running" and returns it, or null when it is not pending (already
 * resumed, being resumed, abandoned, or an approval request past its expiry). A single UPDATE … WHERE status = 'pending' makes concurrent resumes race
 * for one row: exactly one of them wins.
 */
export async function claimInterrupt({ chatId, toolCallId }: { chatId: string; toolCallId: string }) {
  const [row] = await getDb()
    .update(toolInterrupts)
    .set({ status: "running", updatedAt: new Date() })
    .where(
      and(
        eq(toolInterrupts.chatId, chatId),
        eq(toolInterrupts.toolCallId, toolCallId),
        eq(toolInterrupts.status, "pending"),
        or(isNull(toolInterrupts.expiresAt), gt(toolInterrupts.expiresAt, new Date())),
      ),
    )
    .returning();
  return row ?? null;
}

export async function settleInterrupt({ chatId, toolCallId, status }: { chatId: string; toolCallId: string; status: "pending" | "resolved" }) {
  await getDb()
    .update(toolInterrupts)
    .set({ status, updatedAt: new Date() })
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.toolCallId, toolCallId)));
}

/** A new user message moves the conversation on: interrupts still waiting can no longer be resumed. */
export async function abandonInterrupts({ chatId }: { chatId: string }) {
  await getDb()
    .update(toolInterrupts)
    .set({ status: "abandoned", updatedAt: new Date() })
    .where(and(eq(toolInterrupts.chatId, chatId), inArray(toolInterrupts.status, ["pending"])));
}

export async function countPendingInterrupts({ chatId, messageId }: { chatId: string; messageId: string }) {
  const rows = await getDb()
    .select({ id: toolInterrupts.toolCallId })
    .from(toolInterrupts)
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.messageId, messageId), eq(toolInterrupts.status, "pending")));
  return rows.length;
}
