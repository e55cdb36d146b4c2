import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "../client";
import { toolInterrupts } from "../schema";

export async function recordInterrupts({ chatId, messageId, toolCallIds }: { chatId: string; messageId: string; toolCallIds: string[] }) {
  if (toolCallIds.length === 0) return;
  await getDb()
    .insert(toolInterrupts)
    .values(toolCallIds.map((toolCallId) => ({ toolCallId, chatId, messageId, status: "pending" as const })))
    .onConflictDoUpdate({ target: toolInterrupts.toolCallId, set: { status: "pending", updatedAt: new Date() } });
}

/**
 * Moves one pending interrupt to "running" and returns it, or null when it is not pending (already resumed,
 * being resumed, or abandoned). A single UPDATE … WHERE status = 'pending' makes concurrent resumes race
 * for one row: exactly one of them wins.
 */
export async function claimInterrupt({ chatId, toolCallId }: { chatId: string; toolCallId: string }) {
  const [row] = await getDb()
    .update(toolInterrupts)
    .set({ status: "running", updatedAt: new Date() })
    .where(and(eq(toolInterrupts.toolCallId, toolCallId), eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.status, "pending")))
    .returning();
  return row ?? null;
}

export async function settleInterrupt({ toolCallId, status }: { toolCallId: string; status: "pending" | "resolved" }) {
  await getDb().update(toolInterrupts).set({ status, updatedAt: new Date() }).where(eq(toolInterrupts.toolCallId, toolCallId));
}

/** A new user message moves the conversation on: interrupts still waiting can no longer be resumed. */
export async function abandonInterrupts({ chatId }: { chatId: string }) {
  await getDb()
    .update(toolInterrupts)
    .set({ status: "abandoned", updatedAt: new Date() })
    .where(and(eq(toolInterrupts.chatId, chatId), inArray(toolInterrupts.status, ["pending"])));
}

export async function countPendingInterrupts({ messageId }: { messageId: string }) {
  const rows = await getDb()
    .select({ id: toolInterrupts.toolCallId })
    .from(toolInterrupts)
    .where(and(eq(toolInterrupts.messageId, messageId), eq(toolInterrupts.status, "pending")));
  return rows.length;
}
