import "server-only";
import { and, desc, eq, gt, isNotNull, isNull, like, lt, ne, or } from "drizzle-orm";
import { getDb } from "../client";
import { chats, toolInterrupts } from "../schema";

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

/**
 * An approval asked outside a chat's messages (an MCP client's call), kept with the input the approval page shows.
 * Answering it claims the row like a chat's approval (claimInterrupt), and settles it "resolved" once granted.
 */
export async function recordOutsideApproval({ chatId, toolCallId, input, expiresAt }: { chatId: string; toolCallId: string; input: unknown; expiresAt: Date }) {
  await getDb().insert(toolInterrupts).values({ chatId, toolCallId, messageId: toolCallId, status: "pending", expiresAt, input });
}

/** The approval request of one call, only if `userId` owns its chat: another user's id finds nothing. */
export async function findOutsideApproval({ chatId, toolCallId, userId }: { chatId: string; toolCallId: string; userId: string }) {
  const [row] = await getDb()
    .select({ toolCallId: toolInterrupts.toolCallId, status: toolInterrupts.status, expiresAt: toolInterrupts.expiresAt, input: toolInterrupts.input, clientId: chats.clientId })
    .from(toolInterrupts)
    .innerJoin(chats, eq(chats.id, toolInterrupts.chatId))
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.toolCallId, toolCallId), eq(chats.userId, userId), eq(chats.origin, "mcp"), isNotNull(toolInterrupts.input)))
    .limit(1);
  return row ?? null;
}

/** The latest approval request of the chat among calls whose ids start with `prefix` (the same tool and arguments). */
export async function latestOutsideApproval({ chatId, prefix }: { chatId: string; prefix: string }) {
  const [row] = await getDb()
    .select({ toolCallId: toolInterrupts.toolCallId, status: toolInterrupts.status, expiresAt: toolInterrupts.expiresAt })
    .from(toolInterrupts)
    .where(and(eq(toolInterrupts.chatId, chatId), like(toolInterrupts.toolCallId, `${prefix.replace(/[\\%_]/g, "\\$&")}%`), isNotNull(toolInterrupts.input)))
    .orderBy(desc(toolInterrupts.updatedAt))
    .limit(1);
  return row ?? null;
}

/**
 * Takes a granted call to run it: "resolved" becomes "abandoned" (nothing can resume it again) in one UPDATE, so of
 * two calls racing for one approval exactly one runs.
 */
export async function takeApprovedCall({ chatId, toolCallId }: { chatId: string; toolCallId: string }): Promise<boolean> {
  const rows = await getDb()
    .update(toolInterrupts)
    .set({ status: "abandoned", updatedAt: new Date() })
    // A yes lapses with its request: answered in time, it must still be acted on before the deadline it was given for.
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.toolCallId, toolCallId), eq(toolInterrupts.status, "resolved"), gt(toolInterrupts.expiresAt, new Date())))
    .returning({ toolCallId: toolInterrupts.toolCallId });
  return rows.length === 1;
}

/** Ends a claimed approval that was declined: it can be neither answered again nor run. */
export async function closeInterrupt({ chatId, toolCallId }: { chatId: string; toolCallId: string }) {
  await getDb()
    .update(toolInterrupts)
    .set({ status: "abandoned", updatedAt: new Date() })
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.toolCallId, toolCallId), eq(toolInterrupts.status, "running")));
}

/**
 * Holds one call outside a chat (an MCP client's, which the client may make again to check on it) while a request
 * runs it: of two requests for the same call at once, one gets it and the other is told to try again shortly, so a
 * purchase's approval is never polled, or acted on, twice at once. A lease older than CLAIM_LEASE_MS has lapsed.
 */
export async function leaseOutsideCall({ chatId, toolCallId }: { chatId: string; toolCallId: string }): Promise<boolean> {
  const now = new Date();
  const rows = await getDb()
    .insert(toolInterrupts)
    .values({ chatId, toolCallId, messageId: toolCallId, status: "running", updatedAt: now })
    .onConflictDoUpdate({
      target: [toolInterrupts.chatId, toolInterrupts.toolCallId],
      set: { status: "running", updatedAt: now },
      setWhere: and(isNull(toolInterrupts.input), or(ne(toolInterrupts.status, "running"), lt(toolInterrupts.updatedAt, new Date(now.getTime() - CLAIM_LEASE_MS)))),
    })
    .returning({ toolCallId: toolInterrupts.toolCallId });
  return rows.length === 1;
}

/** Gives the call back: "pending" while it still waits for the user, "resolved" once it has run its course. */
export async function releaseOutsideCall({ chatId, toolCallId, waiting }: { chatId: string; toolCallId: string; waiting: boolean }) {
  await getDb()
    .update(toolInterrupts)
    .set({ status: waiting ? "pending" : "resolved", updatedAt: new Date() })
    .where(and(eq(toolInterrupts.chatId, chatId), eq(toolInterrupts.toolCallId, toolCallId), isNull(toolInterrupts.input)));
}
