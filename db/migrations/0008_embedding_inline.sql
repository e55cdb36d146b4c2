-- Keep each embedding (6 KB) in its row rather than in the TOAST table: ranking a user's chunks exactly reads every
-- one of them, and out of line that costs a TOAST index lookup and four chunk reads per row (measured by
-- `npm run bench:rag`). MAIN still moves a value out of line if a row would not fit its page. Rows stored before
-- this migration stay as they are until rewritten.
ALTER TABLE "document_chunks" ALTER COLUMN "embedding" SET STORAGE MAIN;
