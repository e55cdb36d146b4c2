-- Uploads store their chunks outside the HNSW index and a background pass adds them (lib/rag/chunk-indexing.ts), so
-- the index covers only the rows marked indexed. Rows stored before this are all in it. Rebuilding the index reads
-- every chunk, and the table stays locked until the migration commits: on a large table, run `npm run db:migrate`
-- before the deployment that needs it, at a quiet time (PostgreSQL builds 100,000 chunks in about 40 s with
-- maintenance_work_mem large enough to hold the graph, several times longer without).
ALTER TABLE "document_chunks" ADD COLUMN IF NOT EXISTS "indexed" boolean DEFAULT true NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "document_chunks_embedding_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunks_unindexed_idx" ON "document_chunks" USING btree ("document_id") WHERE not "document_chunks"."indexed";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunks_embedding_idx" ON "document_chunks" USING hnsw ("embedding" vector_cosine_ops) WHERE "document_chunks"."indexed";--> statement-breakpoint
-- The planner's first statistics of the new column (PGlite gathers none by itself).
ANALYZE "document_chunks";
