CREATE TABLE "audience_chunk_signs" (
	"audience_id" integer NOT NULL,
	"chunk_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"signs" bit(1536) NOT NULL,
	CONSTRAINT "audience_chunk_signs_chunk_id_audience_id_pk" PRIMARY KEY("chunk_id","audience_id")
);
--> statement-breakpoint
CREATE TABLE "audience_documents" (
	"audience_id" integer NOT NULL,
	"document_id" uuid NOT NULL,
	CONSTRAINT "audience_documents_audience_id_document_id_pk" PRIMARY KEY("audience_id","document_id")
);
--> statement-breakpoint
CREATE TABLE "audiences" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audiences_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"subject" text NOT NULL,
	"listed_at" timestamp with time zone NOT NULL,
	"graph_ready" boolean DEFAULT false NOT NULL,
	"build_claimed_at" timestamp with time zone,
	CONSTRAINT "audiences_subject_unique" UNIQUE("subject")
);
--> statement-breakpoint
ALTER TABLE "viewable_listing_documents" ADD COLUMN "covered" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "viewable_listings" ADD COLUMN "audience_ids" integer[];--> statement-breakpoint
ALTER TABLE "viewable_listings" ADD COLUMN "uncovered_chunks" integer;--> statement-breakpoint
ALTER TABLE "audience_chunk_signs" ADD CONSTRAINT "audience_chunk_signs_chunk_id_chunk_signs_chunk_id_fk" FOREIGN KEY ("chunk_id") REFERENCES "public"."chunk_signs"("chunk_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audience_chunk_signs" ADD CONSTRAINT "audience_chunk_signs_document_fk" FOREIGN KEY ("audience_id","document_id") REFERENCES "public"."audience_documents"("audience_id","document_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audience_documents" ADD CONSTRAINT "audience_documents_audience_id_audiences_id_fk" FOREIGN KEY ("audience_id") REFERENCES "public"."audiences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audience_documents" ADD CONSTRAINT "audience_documents_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audience_chunk_signs_document_idx" ON "audience_chunk_signs" USING btree ("document_id","audience_id");--> statement-breakpoint
CREATE INDEX "audience_documents_document_idx" ON "audience_documents" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "chunk_signs_document_idx" ON "chunk_signs" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "viewable_listing_documents_uncovered_idx" ON "viewable_listing_documents" USING btree ("listing_id","document_id") WHERE not "viewable_listing_documents"."covered";--> statement-breakpoint
-- Hand-written from here on. An audience's copy of a chunk's signs is written whichever comes second: the chunk's
-- signs (the indexing pass) or the document's joining the audience (lib/rag/audiences.ts). Should both happen at once,
-- each could miss the other's uncommitted row, and the chunk be missing from the audience's graph for good. So a
-- document joins an audience only under an exclusive lock, which waits for every transaction writing signs to end,
-- and signs are written under the same lock shared, which waits for one adding documents to end: the second then
-- sees the first's row (each statement of a trigger function reads afresh, at read committed). One lock, not one
-- per document, as an audience's first thousands of documents join in one transaction.
CREATE FUNCTION audience_chunk_signs_on_signs() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtext('audience_chunk_signs'), 0);
  INSERT INTO audience_chunk_signs (audience_id, chunk_id, document_id, signs)
    SELECT a.audience_id, NEW.chunk_id, NEW.document_id, NEW.signs FROM audience_documents a WHERE a.document_id = NEW.document_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION audience_chunk_signs_on_member() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audience_chunk_signs'), 0);
  INSERT INTO audience_chunk_signs (audience_id, chunk_id, document_id, signs)
    SELECT NEW.audience_id, s.chunk_id, s.document_id, s.signs FROM chunk_signs s WHERE s.document_id = NEW.document_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER audience_chunk_signs_follow_signs AFTER INSERT ON chunk_signs
  FOR EACH ROW EXECUTE FUNCTION audience_chunk_signs_on_signs();--> statement-breakpoint
CREATE TRIGGER audience_chunk_signs_follow_members AFTER INSERT ON audience_documents
  FOR EACH ROW EXECUTE FUNCTION audience_chunk_signs_on_member();--> statement-breakpoint
-- The nearest `k` chunks of a stored listing's documents: db/queries/documents.ts (nearestListedChunks) says how and
-- why, and migration 0019 why it is a function with these settings. Candidates come from each of the listing's
-- audiences' graphs (lib/rag/audiences.ts), scanned for the listing's documents, which are nearly all of each, and
-- from the listing's other documents ("uncovered"): their signs compared one by one when they had at most
-- `exact_limit` chunks in the index, otherwise the graph of all chunks scanned for them. A listing no audience was
-- decided for has every document uncovered. Nothing when `revision` (unless null) is not where the permission
-- revision stands, before the scans or after them, when the listing is gone, or when a scan gave up before it found
-- its candidates. Every candidate is ranked only if its document is in the listing.
-- Every statement here reads by index and joins by looking rows up in an index; the graphs are scanned in their own
-- order, and the few rows ranked exactly are sorted. The planner is told so (sequential scans, hash and merge joins
-- and incremental sorts off, and sorts off for the graphs' scans), as its statistics lag behind what it plans for,
-- or, in the sandbox's PGlite, which never analyzes, are not there at all. Expecting thousands of uncovered documents
-- in a new listing (thousands of documents of which a few are uncovered), it read the whole listings and signs tables:
-- 13 ms rather than 1; it took an audience's rows, new since the tables were last analyzed, for a few, and sorted all
-- 15,000 rather than scan their graph: 25 ms rather than 1; and in PGlite (PostgreSQL 17) it ranked a few chunks
-- exactly by walking a whole graph for them, its order finished by an incremental sort: 45 ms rather than 9. Those
-- settings put any plan's cost far past what it would run workers for, so parallel plans are off too. And each statement is planned once per connection, not at every search, where
-- planning them took a third of the search (3.5 ms rather than 2.3 on the bench's corpus): with no sequential scan
-- to choose, a plan that does not know the listing is as good as one that does. (The statement for each audience is
-- planned each time, so that the planner sees which audience's index it may use.)
CREATE FUNCTION nearest_listed_chunks(listing bigint, question vector, k integer, candidates integer, revision bigint, exact_limit integer)
  RETURNS TABLE (chunk_id uuid, document_id uuid, document_name text, content text, ordinal integer, start_offset integer, end_offset integer, distance double precision)
  LANGUAGE plpgsql STABLE
  SET search_path = public, pg_temp SET hnsw.iterative_scan = 'relaxed_order' SET hnsw.ef_search = 40 SET jit = off
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET enable_incremental_sort = off
  SET enable_sort = on SET max_parallel_workers_per_gather = 0 SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  question_signs bit(1536) := binary_quantize(question);
  listed_audiences integer[];
  uncovered integer;
  audience integer;
  scanned uuid[];
  nearest uuid[] := '{}';
BEGIN
  IF revision IS NOT NULL AND revision <> (SELECT CASE WHEN r.is_called THEN r.last_value ELSE 0 END FROM permission_revision r) THEN
    RETURN;
  END IF;
  SELECT v.audience_ids, v.uncovered_chunks INTO listed_audiences, uncovered FROM viewable_listings v WHERE v.id = listing;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- Restored, as the settings above, when the function returns. No sorts until the graphs are scanned. Each graph's
  -- scan keeps twice as many candidates as it yields in view: with one, the bench's many-document readers found 0.981
  -- of their exact top k in one of three HNSW builds.
  PERFORM set_config('hnsw.ef_search', least(1000, greatest(40, 2 * candidates))::text, true), set_config('enable_sort', 'off', true);
  -- Each source yields its nearest `candidates` by their signs, all of which are ranked below: the nearest `candidates`
  -- of them all by their signs gave recall 0.981 on the bench's questions where these gave 1.000. Each audience's rows
  -- have an index of their own, which the planner takes only for a query naming the audience as a constant: hence
  -- the statement made for each.
  FOREACH audience IN ARRAY coalesce(listed_audiences, '{}') LOOP
    EXECUTE format(
      'SELECT ARRAY(SELECT s.chunk_id FROM audience_chunk_signs s WHERE s.audience_id = %s
         AND (SELECT true FROM viewable_listing_documents l WHERE l.listing_id = $1 AND l.document_id = s.document_id)
         ORDER BY s.signs <~> $2 LIMIT $3)', audience)
      INTO scanned USING listing, question_signs, candidates;
    IF cardinality(scanned) < candidates AND cardinality(scanned) < (
      SELECT count(*) FROM (
        SELECT FROM viewable_listing_documents l JOIN audience_chunk_signs s ON s.audience_id = audience AND s.document_id = l.document_id
        WHERE l.listing_id = listing LIMIT candidates) listed) THEN
      RETURN;
    END IF;
    nearest := nearest || scanned;
  END LOOP;
  IF uncovered <= exact_limit THEN
    PERFORM set_config('enable_sort', 'on', true);
    nearest := nearest || ARRAY(
      SELECT s.chunk_id FROM viewable_listing_documents l JOIN chunk_signs s ON s.document_id = l.document_id
      WHERE l.listing_id = listing AND NOT l.covered
      ORDER BY s.signs <~> question_signs, s.chunk_id LIMIT candidates);
  ELSE
    -- A scalar subquery, not EXISTS: the planner would turn that into a join, and with a new listing (no statistics on
    -- it yet) it may then rank all the listing's chunks exactly rather than scan the index: 85 ms rather than 3. The
    -- scan's order is the signs', which the ranking below replaces, so it need not be strict.
    scanned := ARRAY(
      SELECT s.chunk_id FROM chunk_signs s
      WHERE (SELECT NOT l.covered FROM viewable_listing_documents l WHERE l.listing_id = listing AND l.document_id = s.document_id)
      ORDER BY s.signs <~> question_signs
      LIMIT candidates);
    -- Fewer than it asked for, and fewer than the listing's uncovered documents have in the index: pgvector gave up at
    -- hnsw.max_scan_tuples, and the few it found were chosen from part of the index only.
    IF cardinality(scanned) < candidates AND cardinality(scanned) < (
      SELECT count(*) FROM (
        SELECT FROM viewable_listing_documents l JOIN chunk_signs s ON s.document_id = l.document_id
        WHERE l.listing_id = listing AND NOT l.covered LIMIT candidates) listed) THEN
      RETURN;
    END IF;
    nearest := nearest || scanned;
    PERFORM set_config('enable_sort', 'on', true);
  END IF;
  -- Each chunk's document is checked against the listing again as it is ranked: the signs' copies are the triggers'
  -- to keep, and they can be turned off.
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
    -- The revision again, now that the scans are done: a change made while they ran withholds what they found.
    WHERE revision IS NULL OR revision = (SELECT CASE WHEN r.is_called THEN r.last_value ELSE 0 END FROM permission_revision r)
    ORDER BY b.distance, b.id;
END $$;--> statement-breakpoint
-- What an instance of the version before this one calls, still serving during a deployment: the same scan, with the
-- exact limit it had. Its listings have no audiences, so it scans as before. A later migration drops it.
CREATE OR REPLACE FUNCTION nearest_listed_chunks(listing bigint, question vector, k integer, candidates integer, revision bigint)
  RETURNS TABLE (chunk_id uuid, document_id uuid, document_name text, content text, ordinal integer, start_offset integer, end_offset integer, distance double precision)
  LANGUAGE sql STABLE SET search_path = public, pg_temp
AS $$ SELECT * FROM nearest_listed_chunks(listing, question, k, candidates, revision, 2000) $$;
