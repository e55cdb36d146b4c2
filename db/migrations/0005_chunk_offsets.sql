-- Where each chunk lies in its document's extracted text (UTF-16 code units, as JavaScript indexes strings).
-- Nullable: chunks stored before this migration were re-joined sentences ("4. 7 million") that match no span of
-- the text, so no offsets can be computed for them without re-chunking and re-embedding; re-uploading does that.
ALTER TABLE "document_chunks" ADD COLUMN "start_offset" integer;--> statement-breakpoint
ALTER TABLE "document_chunks" ADD COLUMN "end_offset" integer;--> statement-breakpoint
ALTER TABLE "document_chunks" ADD CONSTRAINT "document_chunks_offsets_check" CHECK (("document_chunks"."start_offset" is null) = ("document_chunks"."end_offset" is null) and ("document_chunks"."start_offset" is null or (0 <= "document_chunks"."start_offset" and "document_chunks"."start_offset" < "document_chunks"."end_offset")));