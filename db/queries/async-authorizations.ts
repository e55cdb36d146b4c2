import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "../client";
import { asyncAuthorizations } from "../schema";

type Row = typeof asyncAuthorizations.$inferSelect;

export async function findAsyncAuthorization({ toolCallId, userId }: { toolCallId: string; userId: string }): Promise<Row | null> {
  const [row] = await getDb()
    .select()
    .from(asyncAuthorizations)
    .where(and(eq(asyncAuthorizations.toolCallId, toolCallId), eq(asyncAuthorizations.userId, userId)));
  return row ?? null;
}

export async function insertAsyncAuthorization(row: typeof asyncAuthorizations.$inferInsert) {
  await getDb().insert(asyncAuthorizations).values(row);
}

export async function updateAsyncAuthorization(
  toolCallId: string,
  changes: Partial<Pick<Row, "status" | "intervalSeconds" | "nextPollAt">>,
) {
  await getDb().update(asyncAuthorizations).set(changes).where(eq(asyncAuthorizations.toolCallId, toolCallId));
}
