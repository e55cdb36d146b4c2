import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "../client";

export interface StoredAudience {
  id: number;
  subject: string;
  listedAt: Date;
  graphReady: boolean;
}

const uuidArray = (ids: string[]) => `{${ids.join(",")}}`;

export async function findAudience(subject: string): Promise<StoredAudience | undefined> {
  const [row] = await getDb().execute<{ id: number; subject: string; listed_at: Date | string; graph_ready: boolean }>(
    sql`select id, subject, listed_at, graph_ready from audiences where subject = ${subject}`,
  );
  return row && { id: Number(row.id), subject: row.subject, listedAt: new Date(row.listed_at), graphReady: row.graph_ready };
}

/** How many chunks in the index these documents have, counted no further than `cap`. */
export async function chunksInIndex(documentIds: string[], cap: number): Promise<number> {
  const [row] = await getDb().execute<{ count: number }>(sql`
    select count(*)::int as count from (select from chunk_signs where document_id = any(${uuidArray(documentIds)}::uuid[]) limit ${cap}) chunk`);
  return Number(row!.count);
}

/**
 * Records that FGA listed the audience's documents now, and, unless `documentIds` is empty, adds those that are
 * stored to it (never removes any: see db/schema.ts, audienceDocuments), in the order of their ids, as the indexing
 * pass takes its documents' locks (migration 0020). Returns the audience's id.
 */
export async function storeAudience(subject: string, documentIds: string[]): Promise<number> {
  const [row] = await getDb().execute<{ id: number }>(sql`
    with audience as (
      insert into audiences (subject, listed_at) values (${subject}, now())
      on conflict (subject) do update set listed_at = excluded.listed_at
      returning id
    ), added as (
      insert into audience_documents (audience_id, document_id)
      select audience.id, d.id from audience, documents d
      where d.id = any(${uuidArray(documentIds)}::uuid[]) and d.storing_heartbeat is null
      order by d.id
      on conflict do nothing
    )
    select id from audience`);
  return Number(row!.id);
}

/**
 * Builds the audience's graph: an HNSW index of its rows alone (a partial index, which a query naming the audience
 * as a constant uses), made concurrently, so the indexing pass and other audiences' copies go on meanwhile. Then
 * marks the audience ready. Safe to run twice: an index already built is kept, one left invalid by a failed build is
 * made again.
 */
export async function buildAudienceGraph(audienceId: number): Promise<void> {
  if (!Number.isSafeInteger(audienceId)) throw new TypeError("an audience id is a whole number");
  const index = `audience_chunk_signs_${audienceId}_idx`;
  const client = getDb().$client;
  const [existing] = await client<{ valid: boolean }[]>`select i.indisvalid as valid from pg_index i where i.indexrelid = to_regclass(${index})`;
  if (existing && !existing.valid) await client.unsafe(`drop index concurrently ${index}`).simple();
  if (!existing?.valid) {
    await client.unsafe(`create index concurrently if not exists ${index} on audience_chunk_signs using hnsw (signs bit_hamming_ops) where audience_id = ${audienceId}`).simple();
  }
  await getDb().execute(sql`update audiences set graph_ready = true where id = ${audienceId}`);
}

/**
 * Decides which of these audiences' graphs a search of the listing scans: those that are built and whose documents
 * are at least half in the listing, so that a scan of one finds the listing's documents at least every other chunk.
 * Their documents in the listing are marked covered, and the listing notes how many chunks in the index the others
 * have (counted no further than `cap`), all in one statement, so that a search sees the listing before or after, never
 * half-way. A listing is decided once.
 */
export async function decideListingAudiences(listingId: number, audienceIds: number[], cap: number): Promise<number[]> {
  const [row] = await getDb().execute<{ audience_ids: number[] | null }>(sql`
    with chosen as (
      select a.id from audiences a
      where a.id = any(${`{${audienceIds.map(Math.trunc).join(',')}}`}::int[]) and a.graph_ready
        and 2 * (select count(*) from audience_documents ad join viewable_listing_documents l on l.listing_id = ${listingId} and l.document_id = ad.document_id
                 where ad.audience_id = a.id)
          >= (select count(*) from audience_documents ad where ad.audience_id = a.id)
    ), covered as (
      update viewable_listing_documents l set covered = true
      where l.listing_id = ${listingId} and l.document_id in (select ad.document_id from audience_documents ad where ad.audience_id in (select id from chosen))
      returning l.document_id
    )
    update viewable_listings set
      audience_ids = array(select id from chosen order by id),
      uncovered_chunks = (
        select count(*) from (
          select from viewable_listing_documents l join chunk_signs s on s.document_id = l.document_id
          where l.listing_id = ${listingId} and l.document_id not in (select document_id from covered) limit ${cap}) uncovered)
    where id = ${listingId} and audience_ids is null
    returning audience_ids`);
  return row?.audience_ids?.map(Number) ?? [];
}

/** How many chunks in the index the listing's documents have, counted no further than `cap`. */
export async function listingChunksInIndex(listingId: number, cap: number): Promise<number> {
  const [row] = await getDb().execute<{ count: number }>(sql`
    select count(*)::int as count from (
      select from viewable_listing_documents l join chunk_signs s on s.document_id = l.document_id where l.listing_id = ${listingId} limit ${cap}) chunk`);
  return Number(row!.count);
}
