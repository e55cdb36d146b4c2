import "server-only";
import { lt, sql } from "drizzle-orm";
import { getDb, prepared } from "../client";
import { rateLimits } from "../schema";

/**
 * Counts one attempt in the user's current window and returns the window's count, in one atomic upsert, so
 * concurrent requests on any number of server instances are all counted.
 */
export async function countAttempt({ userId, action, windowStart }: { userId: string; action: string; windowStart: Date }): Promise<number> {
  const [row] = await prepared(
    getDb()
      .insert(rateLimits)
      .values({ userId, action, windowStart, count: 1 })
      .onConflictDoUpdate({ target: [rateLimits.userId, rateLimits.action, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
      .returning({ count: rateLimits.count }),
  );
  return row?.count ?? 1;
}

export async function forgetWindowsBefore(cutoff: Date) {
  await getDb().delete(rateLimits).where(lt(rateLimits.windowStart, cutoff));
}
