import "server-only";
import { and, count, eq, gt } from "drizzle-orm";
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

/** Requests in this chat still waiting for the user's answer on their device. */
export async function countPendingAsyncAuthorizations({ chatId }: { chatId: string }): Promise<number> {
  const [row] = await getDb()
    .select({ n: count() })
    .from(asyncAuthorizations)
    .where(and(eq(asyncAuthorizations.chatId, chatId), eq(asyncAuthorizations.status, "pending"), gt(asyncAuthorizations.expiresAt, new Date())));
  return row?.n ?? 0;
}

export async function insertAsyncAuthorization(row: typeof asyncAuthorizations.$inferInsert) {
  await getDb().insert(asyncAuthorizations).values(row);
}

export async function updateAsyncAuthorization(key: Key, changes: Partial<Pick<Row, "status" | "intervalSeconds" | "nextPollAt">>) {
  await getDb().update(asyncAuthorizations).set(changes).where(byKey(key));
}
