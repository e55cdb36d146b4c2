import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "../client";

/**
 * Where the permission revision stands (db/schema.ts): 0 until it first moves. Read as the sequence's last value,
 * which costs no write and sees every move committed anywhere, as nextval is not rolled back.
 */
export const permissionRevisionNow = sql`(select case when is_called then last_value else 0 end from permission_revision)`;

export async function readPermissionRevision(): Promise<string> {
  const [row] = await getDb().execute<{ revision: string }>(sql`select ${permissionRevisionNow}::text as revision`);
  return row!.revision;
}

/** Moves the permission revision on, after FGA has a change of who may view a document. */
export async function movePermissionRevision(): Promise<void> {
  await getDb().execute(sql`select nextval('permission_revision')`);
}
