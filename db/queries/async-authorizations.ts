import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import { getDb } from "../client";
import { asyncAuthorizations } from "../schema";

type Row = typeof asyncAuthorizations.$inferSelect;

type Key = { chatId: string; toolCallId: string; userId: string };
const byKey = ({ chatId, toolCallId, userId }: Key) =>
  and(eq(asyncAuthorizations.chatId, chatId), eq(asyncAuthorizations.toolCallId, toolCallId), eq(asyncAuthorizations.userId, userId));

export async function findAsyncAuthorization(key: Key): Promise<Row | null> {
  const [row] = await getDb().select().from(asyncAuthorizations).where(byKey(key));
  return row ?? null;
}

/**
 * Claims the chat's one pending request for this tool call, before the request is sent: the row is written
 * unless another request of the chat still waits for the user's answer, in which case that request's expiry is
 * returned. A per-chat advisory lock makes concurrent calls (parallel tool calls, two tabs) take turns, so only
 * one of them can find the chat free. The caller completes the row once the identity server has answered.
 */
export async function reserveAsyncAuthorization(
  row: Pick<Row, "chatId" | "toolCallId" | "userId" | "authorizedInput" | "expiresAt" | "intervalSeconds">,
): Promise<{ reserved: true } | { reserved: false; pendingUntil: Date }> {
  return getDb().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('async_authorizations'), hashtext(${row.chatId}))`);
    const [pending] = await tx
      .select({ expiresAt: asyncAuthorizations.expiresAt })
      .from(asyncAuthorizations)
      .where(and(eq(asyncAuthorizations.chatId, row.chatId), eq(asyncAuthorizations.status, "pending"), gt(asyncAuthorizations.expiresAt, new Date())))
      .limit(1);
    if (pending) return { reserved: false, pendingUntil: pending.expiresAt };
    // Not polled before the request is sent and the row completed; no auth_req_id exists yet.
    await tx.insert(asyncAuthorizations).values({ ...row, authReqId: "", nextPollAt: row.expiresAt, status: "pending" });
    return { reserved: true };
  });
}

/** The tool call of the chat whose request still waits for the user's answer on their device, if any. */
export async function findWaitingAsyncCall({ chatId, userId }: { chatId: string; userId: string }): Promise<string | null> {
  const [row] = await getDb()
    .select({ toolCallId: asyncAuthorizations.toolCallId })
    .from(asyncAuthorizations)
    .where(and(eq(asyncAuthorizations.chatId, chatId), eq(asyncAuthorizations.userId, userId), eq(asyncAuthorizations.status, "pending"), gt(asyncAuthorizations.expiresAt, new Date())))
    .limit(1);
  return row?.toolCallId ?? null;
}

/** Gives back a reservation whose request was never sent. */
export async function releaseAsyncAuthorization(key: Key) {
  await getDb().delete(asyncAuthorizations).where(and(byKey(key), eq(asyncAuthorizations.authReqId, "")));
}

/** Clears an approval whose run never finished, so the call can ask the user's device again. */
export async function forgetApprovedAsyncAuthorization(key: Key) {
  await getDb().delete(asyncAuthorizations).where(and(byKey(key), eq(asyncAuthorizations.status, "approved")));
}

export async function updateAsyncAuthorization(
  key: Key,
  changes: Partial<Pick<Row, "authReqId" | "expiresAt" | "status" | "intervalSeconds" | "nextPollAt">>,
) {
  await getDb().update(asyncAuthorizations).set(changes).where(byKey(key));
}
