-- Uploads store their chunks outside the HNSW index and a background pass adds them (lib/rag/chunk-indexing.ts), so
-- the index covers only the rows marked indexed. Rows stored before this are all in it. Rebuilding the index reads
-- every chunk once: on a large table, expect this migration to take about as long as the index took to build.
ALTER TABLE "document_chunks" ADD COLUMN IF NOT EXISTS "indexed" boolean DEFAULT true NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "document_chunks_embedding_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunks_unindexed_idx" ON "document_chunks" USING btree ("document_id") WHERE not "document_chunks"."indexed";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunks_embedding_idx" ON "document_chunks" USING hnsw ("embedding" vector_cosine_ops) WHERE "document_chunks"."indexed";
