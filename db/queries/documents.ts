import "server-only";
import { and, desc, eq, isNotNull, not, sql, type SQL } from "drizzle-orm";
import pLimit from "p-limit";
import { getDb } from "../client";
import { documentChunks, documents } from "../schema";
import { PERMISSION_REVISION_NOW } from "./permission-revision";

export type NewDocument = typeof documents.$inferInsert;

/** Storing the document would take its owner's documents past their quota. */
export class StorageQuotaError extends Error {
  override name = "StorageQuotaError";
  constructor(
    readonly usedBytes: number,
    readonly quotaBytes: number,
  ) {
    super("storage quota exceeded");
  }
}

/**
 * An upload whose chunks nobody has written for five minutes: its server died. A live upload writes some every few
 * seconds (every 500 rows, about 0.5 s each on PGlite, outside the HNSW index), more slowly behind other uploads.
 */
const abandoned = sql`(${documents.storingHeartbeat} is not null and ${documents.storingHeartbeat} < now() - interval '5 minutes')`;

/** The bytes of all documents the user owns, uploads in progress included, abandoned ones not. */
export async function storageUsedBy(ownerId: string, db: Pick<ReturnType<typeof getDb>, "select"> = getDb()): Promise<number> {
  const [row] = await db
    .select({ used: sql<string>`coalesce(sum(${documents.sizeBytes}), 0)` })
    .from(documents)
    .where(and(eq(documents.ownerId, ownerId), not(abandoned)));
  return Number(row?.used ?? 0);
}

/**
 * Chunk rows per INSERT statement: few round trips, and far below Postgres' 65,535 parameters (six a row) and any
 * message size that matters (a row is some 15 KB of text, most of it the vector).
 */
const ROWS_PER_STATEMENT = 500;

/**
 * Chunk INSERTs in flight at once in this process, whatever the number of uploads: the rest of the pool serves other
 * requests, whose queries wait behind at most two INSERTs.
 */
const chunkWriters = pLimit(2);

/**
 * Stores the document and its chunks, only if the owner's documents stay within `quotaBytes` (StorageQuotaError
 * otherwise). The chunks go in several transactions at once, so a large upload neither takes minutes nor holds one
 * transaction open; nobody can read the document until its FGA owner tuple is written, after this returns. When it
 * throws, some rows may be stored: the caller removes them (deleteDocument). Every INSERT has ended by then.
 */
export async function insertDocumentWithChunks(
  document: NewDocument,
  chunks: { content: string; start: number; end: number; embedding: number[] }[],
  { quotaBytes }: { quotaBytes: number },
) {
  await getDb().transaction(async (tx) => {
    // The owner's uploads are stored one at a time, on every server instance, so two cannot both squeeze in.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`documents:${document.ownerId}`}, 0))`);
    // Uploads whose server died, anyone's, a few at a time: their chunks would otherwise stay in every index walk.
    await tx.delete(documents).where(sql`${documents.id} in (select ${documents.id} from ${documents} where ${abandoned} limit 10)`);
    const used = await storageUsedBy(document.ownerId, tx);
    if (used + document.sizeBytes > quotaBytes) throw new StorageQuotaError(used, quotaBytes);
    await tx.insert(documents).values({ ...document, storingHeartbeat: sql`now()` });
  });
  // Two lanes per upload, each asking for a writer one statement at a time: concurrent uploads take turns, so each
  // keeps its heartbeat going.
  const starts = Array.from({ length: Math.ceil(chunks.length / ROWS_PER_STATEMENT) }, (_, n) => n * ROWS_PER_STATEMENT);
  let failed = false;
  const lane = async () => {
    for (let first = starts.shift(); first !== undefined && !failed; first = starts.shift()) {
      try {
        await chunkWriters(async () => {
          await getDb().insert(documentChunks).values(
            chunks.slice(first, first + ROWS_PER_STATEMENT).map((chunk, j) => ({
              documentId: document.id,
              ordinal: first + j,
              content: chunk.content,
              startOffset: chunk.start,
              endOffset: chunk.end,
              embedding: chunk.embedding,
              // Left out of the HNSW index, whose insertion would be nearly all of the upload's time: a background
              // pass adds the rows once the document is stored (indexChunks), and rankings scan them exactly until then.
              indexed: false,
            })),
          );
          await markStoring(document.id, sql`now()`);
        });
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled([lane(), lane()]);
  const failure = outcomes.find((outcome) => outcome.status === "rejected");
  if (failure) throw failure.reason;
  await markStoring(document.id, null);
}

/** Sets the upload's heartbeat (null: stored), or throws if its document was removed as abandoned meanwhile. */
async function markStoring(id: string, heartbeat: SQL | null) {
  const updated = await getDb()
    .update(documents)
    .set({ storingHeartbeat: heartbeat })
    .where(and(eq(documents.id, id), isNotNull(documents.storingHeartbeat)))
    .returning({ id: documents.id });
  if (updated.length === 0) throw new Error(`document ${id} was removed while its chunks were stored`);
}

export async function deleteDocument(id: string) {
  await getDb().delete(documents).where(eq(documents.id, id));
}

/** One array parameter, however many documents: Postgres casts and so validates every id. */
/** A uuid[] parameter (drizzle would spread a JavaScript array into a list of parameters). */
export const uuidArray = (ids: string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;

/** Metadata of the given documents (no content), newest first. Callers pass only ids FGA allowed. */
export async function getDocumentsByIds(ids: string[]) {
  if (ids.length === 0) return [];
  return getDb()
    .select({ id: documents.id, ownerId: documents.ownerId, name: documents.name, mimeType: documents.mimeType, sizeBytes: documents.sizeBytes, createdAt: documents.createdAt })
    .from(documents)
    .where(sql`${documents.id} = any(${uuidArray(ids)})`)
    .orderBy(desc(documents.createdAt));
}

export async function getDocumentContent(id: string) {
  const [row] = await getDb()
    .select({ name: documents.name, mimeType: documents.mimeType, content: documents.content })
    .from(documents)
    .where(eq(documents.id, id));
  return row ?? null;
}

export interface ChunkMatch {
  chunkId: string;
  documentId: string;
  documentName: string;
  content: string;
  /** The chunk's place in its document, from 0. */
  ordinal: number;
  /** Where `content` lies in the document's extracted text (UTF-16 code units); null for chunks stored before 0005. */
  startOffset: number | null;
  endOffset: number | null;
  distance: number;
}

type ChunkRow = {
  chunk_id: string;
  document_id: string;
  document_name: string;
  content: string;
  ordinal: number;
  start_offset: number | null;
  end_offset: number | null;
  distance: number;
};

const CHUNK_COLUMNS = "c.id as chunk_id, c.document_id, d.name as document_name, c.content, c.ordinal, c.start_offset, c.end_offset";
const chunkColumns = sql.raw(CHUNK_COLUMNS);

const vectorLiteral = (embedding: number[]) => `[${embedding.join(",")}]`;

/**
 * Documents to rank the chunks of: given by id, or a listing stored for retrieval (viewable-listings.ts), only while
 * the permission revision stands at `whileRevision`, if given: otherwise there are none. That costs the ranking a read
 * of a sequence, rather than the search a round trip to read the listing again.
 */
export type DocumentScope = string[] | ListingScope;
export interface ListingScope {
  listingId: number;
  whileRevision?: string;
}

/** The condition a listing's revision puts on its documents, as SQL text for the simple protocol (a checked integer). */
function revisionStands(revision: string | undefined): string {
  return revision === undefined ? "true" : `${PERMISSION_REVISION_NOW} = ${wholeRevision(revision)}`;
}

function wholeRevision(revision: string): string {
  if (!/^\d{1,19}$/.test(revision)) throw new TypeError("a permission revision is a whole number");
  return revision;
}

const inScope = (scope: DocumentScope) =>
  Array.isArray(scope)
    ? sql`document_id = any(${uuidArray(scope)})`
    : sql`document_id in (select document_id from viewable_listing_documents where listing_id = ${scope.listingId} and ${sql.raw(revisionStands(scope.whileRevision))})`;

/**
 * Exact nearest chunks among the given documents, if they have at most `cap` chunks; `readable` says how many they
 * have (counted no further than `cap + 1`). The distance is computed for every one of those chunks, in a query with
 * no ORDER BY on the embedding, so the approximate index cannot serve it: exact, and cheap because the caller keeps
 * `cap` small. Only ids and distances are held while ranking (not 6 KB embeddings, which would spill to disk), and
 * the text is read for the winners alone. One round trip whatever the answer.
 */
export async function nearestChunksAmong(
  scope: DocumentScope,
  embedding: number[],
  limit: number,
  cap = Infinity,
): Promise<{ readable: number; chunks: ChunkMatch[] }> {
  if (Array.isArray(scope) && scope.length === 0) return { readable: 0, chunks: [] };
  const capped = Number.isFinite(cap);
  const rows = await getDb().execute<ChunkRow & { readable: number }>(sql`
    with counted as (
      select count(*)::int as readable from (select 1 from document_chunks where ${inScope(scope)} ${capped ? sql`limit ${cap + 1}` : sql``}) chunk
    ), scored as materialized (
      select c.id, c.embedding <=> ${vectorLiteral(embedding)}::vector as distance from document_chunks c
      where ${inScope(scope)} ${capped ? sql`and (select readable from counted) <= ${cap}` : sql``}
    ), best as (
      select id, distance from scored order by distance, id limit ${limit}
    )
    select counted.readable, ranked.* from counted left join lateral (
      select ${chunkColumns}, best.distance
      from best join document_chunks c on c.id = best.id join documents d on d.id = c.document_id
      order by best.distance, best.id
    ) ranked on true`);
  return { readable: Number(rows[0]?.readable ?? 0), chunks: rows.filter((row) => row.chunk_id !== null).map(toMatch) };
}

/** `hnsw.ef_search` for a scan that wants `candidates`: within pgvector's range, and never below its default, 40. */
const efSearchFor = (candidates: number) => Math.min(1_000, Math.max(40, candidates));

/**
 * How many candidates the index considers for the first `depth` ranks: four times as many (measured by `npm run
 * bench:rag`: recall 0.96–0.985 at 1× and 2×, 1.000 at 4×, for about the same time).
 */
const efSearch = (depth: number) => efSearchFor(4 * depth);

/**
 * The nearest chunks of all documents, ranks `offset + 1` to `offset + limit`: the rows in the HNSW index ranked by
 * it, merged with the rows not in it yet (an upload's, until indexChunks has added them) ranked exactly. Iterative
 * index scans (pgvector 0.8) keep the order strict as the windows move on. The settings hold for this transaction
 * only, and the whole transaction is one simple-protocol message: one round trip instead of six (begin, each statement
 * described then run, commit). That protocol takes no parameters, so everything in the text is a number checked here.
 */
export async function nearestChunksOverall(embedding: number[], limit: number, offset: number): Promise<ChunkMatch[]> {
  if (!embedding.every(Number.isFinite) || ![limit, offset].every(Number.isSafeInteger)) throw new TypeError("nearestChunksOverall takes finite numbers and whole counts");
  const vector = `'${vectorLiteral(embedding)}'::vector`;
  const depth = limit + offset;
  // Statements sent in one message run as one implicit transaction, so the local settings end with it. Each ranking
  // yields its first `depth`, which hold the merged ranking's first `depth`; only the window's rows are read whole.
  const [, rows] = await getDb().$client
    .unsafe<[unknown, ChunkRow[]]>(
      `select set_config('hnsw.iterative_scan', 'strict_order', true), set_config('hnsw.ef_search', '${efSearch(depth)}', true);
      with ranked as (
        (select id, embedding <=> ${vector} as distance from document_chunks where indexed order by embedding <=> ${vector} limit ${depth})
        union all
        (select id, embedding <=> ${vector} as distance from document_chunks where not indexed order by distance, id limit ${depth})
      ), best as (
        select id, distance from ranked order by distance, id limit ${limit} offset ${offset}
      )
      select ${CHUNK_COLUMNS}, best.distance
      from best join document_chunks c on c.id = best.id join documents d on d.id = c.document_id
      order by best.distance, best.id`,
    )
    .simple();
  return rows.map(toMatch);
}

/**
 * How many candidates the signs' index yields for each chunk asked for, all then ranked by their full embeddings.
 * Measured once on `npm run bench:rag`'s corpus on PostgreSQL (one HNSW build; a reader of 3,000 of 20,000 documents,
 * 100 questions, k = 5, against an exact ranking of theirs): recall 0.984 at 6 per chunk, 0.994 at 8 and 10, p50
 * 3.5 ms at 8; the full-size index scanned for the listing gave 0.984 at `hnsw.ef_search` 400 for 6.7 ms in that
 * build (0.993 in two others), as each candidate it considers costs a page of its own (a 6 KB embedding) where the
 * signs' index holds about 17 to a page.
 */
const CANDIDATES_PER_CHUNK = 8;

/**
 * The nearest `limit` chunks of a stored listing's documents: candidates found by their signs (db/schema.ts,
 * chunkSigns), ranked by their full embeddings, and merged with the listing's chunks not yet in the index, ranked
 * exactly. The candidates come from the HNSW graphs of the listing's audiences (lib/rag/audiences.ts), scanned for the
 * listing's documents, and from its other documents: their signs compared one by one if they have at most
 * `exactLimit` chunks in the index, otherwise the graph of all chunks' signs scanned for them alone — pgvector 0.8's
 * iterative scan reads on past the chunks of other documents, up to its `hnsw.max_scan_tuples`. None when a scan gave
 * up before it found its candidates (or, when the listing has fewer chunks there, all of them): the caller then ranks
 * exactly, as the few it did find were chosen from only part of the graph. The SQL is migration 0020's function
 * `nearest_listed_chunks`, called in one simple-protocol message (no parameters, so every number in the text is
 * checked here).
 */
export async function nearestListedChunks({ listingId, whileRevision }: ListingScope, embedding: number[], limit: number, exactLimit: number): Promise<ChunkMatch[]> {
  if (!embedding.every(Number.isFinite) || ![listingId, limit, exactLimit].every(Number.isSafeInteger)) throw new TypeError("nearestListedChunks takes finite numbers and whole counts");
  const revision = whileRevision === undefined ? "null" : wholeRevision(whileRevision);
  const rows = await getDb()
    .$client.unsafe<ChunkRow[]>(
      `select * from nearest_listed_chunks(${listingId}, '${vectorLiteral(embedding)}'::vector, ${limit}, ${CANDIDATES_PER_CHUNK * limit}, ${revision}, ${exactLimit})`,
    )
    .simple();
  return rows.map(toMatch);
}

/**
 * Adds up to `limit` chunks of stored documents to the HNSW index, returning how many it added. Rows that another
 * connection is adding are skipped rather than waited for, so several passes (on several instances) share the work.
 * The rows are found through the index of those not yet indexed, in its order, which the planner then reads rather
 * than the table whatever its statistics say (PGlite never gathers any): a table scan would read past every indexed
 * row at each statement.
 */
export async function indexChunks(limit: number): Promise<number> {
  // Migration 0019's trigger writes each chunk's signs as it is marked.
  const rows = await getDb().execute(sql`
    update document_chunks set indexed = true where id in (
      select id from document_chunks
      where not indexed and document_id not in (select id from documents where storing_heartbeat is not null)
      order by document_id limit ${limit} for update skip locked
    ) returning 1`);
  return rows.length;
}

function toMatch(row: ChunkRow): ChunkMatch {
  const offset = (value: number | null) => (value === null ? null : Number(value));
  return {
    chunkId: row.chunk_id,
    documentId: row.document_id,
    documentName: row.document_name,
    content: row.content,
    ordinal: Number(row.ordinal),
    startOffset: offset(row.start_offset),
    endOffset: offset(row.end_offset),
    distance: Number(row.distance),
  };
}
