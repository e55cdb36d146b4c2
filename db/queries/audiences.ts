import "server-only";
import { sql } from "drizzle-orm";
import { getDb } from "../client";
import { uuidArray } from "./documents";

export interface StoredAudience {
  id: number;
  listedAt: Date;
  graphReady: boolean;
}

export async function findAudience(subject: string): Promise<StoredAudience | undefined> {
  const [row] = await getDb().execute<{ id: number; listed_at: Date | string; graph_ready: boolean }>(
    sql`select id, listed_at, graph_ready from audiences where subject = ${subject}`,
  );
  return row && { id: Number(row.id), listedAt: new Date(row.listed_at), graphReady: row.graph_ready };
}

/** How many chunks in the index these documents have, counted no further than `cap`. */
export async function chunksInIndex(documentIds: string[], cap: number): Promise<number> {
  const [row] = await getDb().execute<{ count: number }>(sql`
    select count(*)::int as count from (select from chunk_signs where document_id = any(${uuidArray(documentIds)}) limit ${cap}) chunk`);
  return Number(row!.count);
}

/**
 * Records that FGA listed the audience's documents now, and, unless `documentIds` is empty, adds those that are
 * stored to it (never removes any: see db/schema.ts, audienceDocuments); migration 0020's trigger copies their signs.
 * Returns the audience's id.
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
      where d.id = any(${uuidArray(documentIds)}) and d.storing_heartbeat is null
      on conflict do nothing
    )
    select id from audience`);
  return Number(row!.id);
}

/**
 * Builds the audience's graph, unless another instance is building it (or built it): an HNSW index of its rows alone
 * (a partial index, which a query naming the audience as a constant uses), made concurrently, so the indexing pass
 * and other writers go on meanwhile. Then marks the audience ready, and answers whether it is. A build claimed over
 * BUILD_GIVEN_UP_MS ago failed (its instance stopped, say): the next claims it, and makes again an index it left
 * invalid. Building the same graph twice at once would have the second drop the first's index as it saw it invalid.
 */
export async function buildAudienceGraph(audienceId: number): Promise<boolean> {
  if (!Number.isSafeInteger(audienceId)) throw new TypeError("an audience id is a whole number");
  const [claimed] = await getDb().execute<{ ready: boolean }>(sql`
    update audiences set build_claimed_at = now()
    where id = ${audienceId} and not graph_ready
      and (build_claimed_at is null or build_claimed_at < now() - make_interval(secs => ${BUILD_GIVEN_UP_MS / 1000}))
    returning graph_ready as ready`);
  if (!claimed) return (await getDb().execute<{ ready: boolean }>(sql`select graph_ready as ready from audiences where id = ${audienceId}`))[0]?.ready === true;
  const index = graphIndexName(audienceId);
  const client = getDb().$client;
  const [existing] = await client<{ valid: boolean }[]>`select i.indisvalid as valid from pg_index i where i.indexrelid = to_regclass(${index})`;
  if (existing && !existing.valid) await client.unsafe(`drop index concurrently ${index}`).simple();
  if (!existing?.valid) {
    await client.unsafe(`create index concurrently if not exists ${index} on audience_chunk_signs using hnsw (signs bit_hamming_ops) where audience_id = ${audienceId}`).simple();
  }
  const [built] = await getDb().execute<{ ready: boolean }>(sql`
    update audiences set graph_ready = true, build_claimed_at = null
    where id = ${audienceId} and exists (select from pg_index i where i.indexrelid = to_regclass(${index}) and i.indisvalid)
    returning graph_ready as ready`);
  return built?.ready === true;
}

/** How long a claimed build may take before another instance takes it over. */
const BUILD_GIVEN_UP_MS = 30 * 60_000;

const graphIndexName = (audienceId: number) => `audience_chunk_signs_${audienceId}_idx`;

/**
 * Decides which of these audiences' graphs a search of the listing scans: those whose graph is built (its index there
 * and valid) and whose documents are at least half in the listing, so that a scan of one finds the listing's
 * documents at least every other chunk. Their documents in the listing are marked covered, and the listing notes how
 * many chunks in the index the others have (counted no further than `cap`), all in one statement, so that a search
 * sees the listing before or after, never half-way. A listing is decided once: a second call, even at the same time,
 * finds it decided (its row locked, then read again) and changes nothing.
 */
export async function decideListingAudiences(listingId: number, audienceIds: number[], cap: number): Promise<number[]> {
  const ids = `{${audienceIds.map(Math.trunc).join(",")}}`;
  const [row] = await getDb().execute<{ audience_ids: number[] | null }>(sql`
    with listing as (
      select id from viewable_listings where id = ${listingId} and audience_ids is null for update
    ), chosen as (
      select a.id from audiences a
      where a.id = any(${ids}::int[]) and a.graph_ready and exists (select from listing)
        and exists (select from pg_index i where i.indexrelid = to_regclass('audience_chunk_signs_' || a.id || '_idx') and i.indisvalid)
        and 2 * (select count(*) from audience_documents ad join viewable_listing_documents l on l.listing_id = ${listingId} and l.document_id = ad.document_id
                 where ad.audience_id = a.id)
          >= (select count(*) from audience_documents ad where ad.audience_id = a.id)
    ), covered as (
      update viewable_listing_documents l set covered = true
      where l.listing_id in (select id from listing)
        and l.document_id in (select ad.document_id from audience_documents ad where ad.audience_id in (select id from chosen))
      returning l.document_id
    )
    update viewable_listings set
      audience_ids = array(select id from chosen order by id),
      uncovered_chunks = (
        select count(*) from (
          select from viewable_listing_documents l join chunk_signs s on s.document_id = l.document_id
          where l.listing_id = ${listingId} and l.document_id not in (select document_id from covered) limit ${cap}) uncovered)
    where id in (select id from listing)
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
