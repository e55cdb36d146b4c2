import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "../client";

/**
 * Where the permission revision stands (db/schema.ts): 0 until it first moves. Read as the sequence's last value,
 * which costs no write and sees every move committed anywhere, as nextval is not rolled back.
 */
export const PERMISSION_REVISION_NOW = "(select case when is_called then last_value else 0 end from permission_revision)";
export const permissionRevisionNow = sql.raw(PERMISSION_REVISION_NOW);

export async function readPermissionRevision(): Promise<string> {
  return (await readPermissionRevisionAt()).revision;
}

/** Where the permission revision stands, and when it was read, on the database's clock (which every instance shares). */
export async function readPermissionRevisionAt(): Promise<{ revision: string; at: Date }> {
  const [row] = await getDb().execute<{ revision: string; at: Date | string }>(sql`select ${permissionRevisionNow}::text as revision, clock_timestamp() as at`);
  return { revision: row!.revision, at: new Date(row!.at) };
}

/** Moves the permission revision on, after FGA has a change of who may view a document. */
export async function movePermissionRevision(): Promise<void> {
  await getDb().execute(sql`select nextval('permission_revision')`);
}
