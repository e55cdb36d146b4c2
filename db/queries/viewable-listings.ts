import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "../client";
import { permissionRevisionNow } from "./permission-revision";

export interface StoredListing {
  id: number;
  listedAt: Date;
  documentCount: number;
  /** Some of its documents (at most the number asked for), for the audit trail. */
  someDocuments: string[];
  /** Where the permission revision stood before FGA was asked, and whether it still stands there. */
  revision: string;
  current: boolean;
  /** Whether it was made less than `checkedMaxAgeMs` ago. */
  young: boolean;
}

/**
 * Stores a listing as the user's newest, in one statement, and returns its id. Their older listings go: only the
 * newest is reused, and a search ranking by one meanwhile finds nothing and lists again.
 */
export async function storeListing(userId: string, { revision, listedAt, documentIds }: { revision: string; listedAt: Date; documentIds: string[] }): Promise<number> {
  const [row] = await getDb().execute<{ id: string }>(sql`
    with listing as (
      insert into viewable_listings (user_id, revision, listed_at, document_count)
      values (${userId}, ${revision}, ${listedAt.toISOString()}::timestamptz, ${documentIds.length})
      returning id
    ), listed as (
      insert into viewable_listing_documents (listing_id, document_id)
      select listing.id, document_id from listing, unnest(${`{${documentIds.join(",")}}`}::uuid[]) document_id
      on conflict do nothing
    ), superseded as (
      delete from viewable_listings where user_id = ${userId} and id < (select id from listing)
    )
    select id from listing`);
  return Number(row!.id);
}

/** The user's newest listing made less than `maxAgeMs` ago, if any, and whether it is younger than `youngMs`. */
export async function newestListing(
  userId: string,
  { maxAgeMs, youngMs, someCount }: { maxAgeMs: number; youngMs: number; someCount: number },
): Promise<StoredListing | undefined> {
  const [row] = await getDb().execute<{ id: string; listed_at: Date | string; document_count: number; some: string[]; revision: string; current: boolean; young: boolean }>(sql`
    select l.id, l.listed_at, l.document_count, l.revision::text,
      array(select document_id from viewable_listing_documents where listing_id = l.id limit ${someCount})::text[] as some,
      l.revision = ${permissionRevisionNow} as current, l.listed_at > now() - make_interval(secs => ${youngMs / 1000}) as young
    from viewable_listings l
    where l.user_id = ${userId} and l.listed_at > now() - make_interval(secs => ${maxAgeMs / 1000})
    order by l.id desc limit 1`);
  if (!row) return undefined;
  return {
    id: Number(row.id),
    listedAt: new Date(row.listed_at),
    documentCount: Number(row.document_count),
    someDocuments: row.some,
    revision: row.revision,
    current: row.current,
    young: row.young,
  };
}

export async function deleteListing(id: number) {
  await getDb().execute(sql`delete from viewable_listings where id = ${id}`);
}

export async function deleteListings(userId: string) {
  await getDb().execute(sql`delete from viewable_listings where user_id = ${userId}`);
}

/** Deletes up to `limit` listings stored more than `olderThanMs` ago, with their documents. */
export async function deleteOldListings({ olderThanMs, limit }: { olderThanMs: number; limit: number }) {
  await getDb().execute(sql`
    delete from viewable_listings where id in (
      select id from viewable_listings where stored_at < now() - make_interval(secs => ${olderThanMs / 1000}) order by stored_at limit ${limit}
    )`);
}
