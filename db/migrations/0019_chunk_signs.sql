CREATE TABLE "chunk_signs" (
	"chunk_id" uuid PRIMARY KEY NOT NULL,
	"document_id" uuid NOT NULL,
	"signs" bit(1536) NOT NULL
);
--> statement-breakpoint
-- Hand-written from here on (drizzle-kit generates neither rows, functions nor triggers), and ordered so that searches
-- go on meanwhile: until the last two statements, the chunks are only held from writes (which the copy of their
-- signs needs), not from reads. The migrations run in one transaction, so each lock lasts until the end.
LOCK TABLE "document_chunks" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
-- A chunk has its signs exactly while it is in the index, whoever writes it: the indexing pass, a bulk load, or an
-- instance of the version before this one, still serving during a deployment, whose pass knows nothing of signs.
-- Removed with the chunk by the foreign key. Named with their schema's search path, as migration 0013 did for the
-- audit triggers.
CREATE FUNCTION chunk_signs_follow_indexed() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM chunk_signs WHERE chunk_id = OLD.id;
  END IF;
  IF NEW.indexed THEN
    INSERT INTO chunk_signs (chunk_id, document_id, signs) VALUES (NEW.id, NEW.document_id, binary_quantize(NEW.embedding));
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER chunk_signs_on_insert AFTER INSERT ON document_chunks
  FOR EACH ROW WHEN (NEW.indexed) EXECUTE FUNCTION chunk_signs_follow_indexed();--> statement-breakpoint
CREATE TRIGGER chunk_signs_on_update AFTER UPDATE OF indexed, document_id, embedding ON document_chunks
  FOR EACH ROW WHEN (OLD.indexed OR NEW.indexed) EXECUTE FUNCTION chunk_signs_follow_indexed();--> statement-breakpoint
-- The chunks already in the index, before the index on their signs is built, which is faster than inserting each.
INSERT INTO "chunk_signs" ("chunk_id", "document_id", "signs")
  SELECT "id", "document_id", binary_quantize("embedding") FROM "document_chunks" WHERE "indexed";--> statement-breakpoint
ALTER TABLE "chunk_signs" ADD CONSTRAINT "chunk_signs_chunk_id_document_chunks_id_fk" FOREIGN KEY ("chunk_id") REFERENCES "public"."document_chunks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chunk_signs_signs_idx" ON "chunk_signs" USING hnsw ("signs" bit_hamming_ops);--> statement-breakpoint
-- The nearest `k` chunks of a stored listing's documents: db/queries/documents.ts (nearestListedChunks) says how and
-- why. A function, so that the scan's settings hold for it alone, whatever transaction calls it, and its statements
-- are parsed once per connection. The planner knows `candidates` as it plans each call (the default plan_cache_mode
-- keeps custom plans for it, and the sandbox's PGlite forces them, as it never analyzes): a generic plan, which does
-- not, costed the scan past jit_above_cost, and compiling it took 4.7 ms of a 9 ms search, so JIT is off here
-- whatever plan is made. Every column is named with its table, as the result's columns are variables here. Nothing
-- when `revision` (unless null) is not where the permission revision stands, before the scan or after it, when the
-- listing is gone (replaced by a newer one: the scan would read up to hnsw.max_scan_tuples for nothing), or when the
-- scan gave up before it found its candidates.
CREATE FUNCTION nearest_listed_chunks(listing bigint, question vector, k integer, candidates integer, revision bigint)
  RETURNS TABLE (chunk_id uuid, document_id uuid, document_name text, content text, ordinal integer, start_offset integer, end_offset integer, distance double precision)
  LANGUAGE plpgsql STABLE
  SET search_path = public, pg_temp SET hnsw.iterative_scan = 'relaxed_order' SET hnsw.ef_search = 40 SET jit = off
AS $$
DECLARE
  nearest uuid[];
BEGIN
  IF (revision IS NOT NULL AND revision <> (SELECT CASE WHEN r.is_called THEN r.last_value ELSE 0 END FROM permission_revision r))
    OR NOT EXISTS (SELECT FROM viewable_listings v WHERE v.id = listing) THEN
    RETURN;
  END IF;
  -- Restored, as the setting above, when the function returns.
  PERFORM set_config('hnsw.ef_search', least(1000, greatest(40, candidates))::text, true);
  -- A scalar subquery, not EXISTS: the planner would turn that into a join, and with a new listing (no statistics on it
  -- yet) it may then rank all the listing's chunks exactly rather than scan the index: 85 ms rather than 3. The scan's
  -- order is the signs', which the ranking below replaces, so it need not be strict.
  nearest := ARRAY(
    SELECT s.chunk_id FROM chunk_signs s
    WHERE (SELECT true FROM viewable_listing_documents l WHERE l.listing_id = listing AND l.document_id = s.document_id)
    ORDER BY s.signs <~> binary_quantize(question)
    LIMIT candidates);
  -- Fewer than it asked for, and fewer than the listing has in the index: pgvector gave up at hnsw.max_scan_tuples, and
  -- the few it found were chosen from part of the index only. (A chunk has signs exactly while it is `indexed`.)
  IF cardinality(nearest) < candidates AND cardinality(nearest) < (
    SELECT count(*) FROM (
      SELECT FROM viewable_listing_documents l JOIN document_chunks c ON c.document_id = l.document_id
      WHERE l.listing_id = listing AND c.indexed LIMIT candidates) listed) THEN
    RETURN;
  END IF;
  -- Each chunk's document is checked against the listing again as it is ranked: the signs' copy of it is the
  -- triggers' to keep, and they can be turned off.
  RETURN QUERY
    WITH ranked AS (
      (SELECT c.id, c.embedding <=> question AS distance FROM document_chunks c
        WHERE c.id = ANY (nearest) AND c.indexed
          AND (SELECT true FROM viewable_listing_documents l WHERE l.listing_id = listing AND l.document_id = c.document_id)
        ORDER BY 2, 1 LIMIT k)
      UNION ALL
      -- The listing's chunks not in the index yet (an upload's, until indexChunks adds them), ranked exactly.
      (SELECT c.id, c.embedding <=> question FROM document_chunks c
        WHERE NOT c.indexed AND (SELECT true FROM viewable_listing_documents l WHERE l.listing_id = listing AND l.document_id = c.document_id)
        ORDER BY 2, 1 LIMIT k)
    ), best AS (
      SELECT r.id, r.distance FROM ranked r ORDER BY r.distance, r.id LIMIT k
    )
    SELECT c.id, c.document_id, d.name, c.content, c.ordinal, c.start_offset, c.end_offset, b.distance
    FROM best b JOIN document_chunks c ON c.id = b.id JOIN documents d ON d.id = c.document_id
    -- The revision again, now that the scan is done: a change made while it ran withholds what it found.
    WHERE revision IS NULL OR revision = (SELECT CASE WHEN r.is_called THEN r.last_value ELSE 0 END FROM permission_revision r)
    ORDER BY b.distance, b.id;
END $$;--> statement-breakpoint
DROP INDEX "document_chunks_quantized_idx";--> statement-breakpoint
ALTER TABLE "document_chunks" ALTER COLUMN "indexed" SET DEFAULT false;
