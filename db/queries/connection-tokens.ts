import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "../client";
import { connectionTokens } from "../schema";

export async function findConnectionToken({ userId, connection }: { userId: string; connection: string }) {
  const [row] = await getDb()
    .select()
    .from(connectionTokens)
    .where(and(eq(connectionTokens.userId, userId), eq(connectionTokens.connection, connection)));
  return row ?? null;
}

export async function saveConnectionToken(row: typeof connectionTokens.$inferInsert) {
  await getDb()
    .insert(connectionTokens)
    .values(row)
    .onConflictDoUpdate({
      target: [connectionTokens.userId, connectionTokens.connection],
      set: { encryptedToken: row.encryptedToken, scopes: row.scopes, expiresAt: row.expiresAt },
    });
}

export async function deleteConnectionToken({ userId, connection }: { userId: string; connection: string }) {
  await getDb()
    .delete(connectionTokens)
    .where(and(eq(connectionTokens.userId, userId), eq(connectionTokens.connection, connection)));
}

/** Every provider token cached for the user, e.g. when they log out. */
export async function deleteConnectionTokensOfUser(userId: string) {
  await getDb().delete(connectionTokens).where(eq(connectionTokens.userId, userId));
}
