import "server-only";
import { deleteDocument, insertDocumentWithChunks } from "@/db/queries/documents";
import { rememberPeople, type Person } from "@/db/queries/people";
import { retryOnceIfUnreachable } from "@/db/unreachable";
import { getConfig } from "@/lib/config";
import { recordOwner } from "@/lib/fga/documents";
import { logError } from "@/lib/log";
import { chunkText } from "./chunk";
import { embedAll } from "./embed";
import { DocumentLimitError, extractText, UnreadableDocumentError, type DocumentType } from "./extract-text";
import { fileTooLargeMessage, MAX_DOCUMENT_BYTES } from "./limits";

/** Each user's total of stored document bytes (DOCUMENT_QUOTA_MB). */
export const storageQuotaBytes = () => getConfig().DOCUMENT_QUOTA_MB * 1024 * 1024;

export type IngestStep = "chunked" | "embedded" | "stored" | "owner recorded";

/**
 * Stores an uploaded document: text, chunks, embeddings, and the FGA tuple that makes the uploader its owner.
 * The rows and the tuple succeed or fail together: if the tuple cannot be written, the rows are removed, so no
 * document exists that nobody may read, and no permission exists on a document that is not there. The owner's
 * name and email are remembered so that people it is shared with see whose it is.
 */
export async function ingestDocument({
  owner,
  name,
  type,
  bytes,
  id = crypto.randomUUID(),
  onStep,
}: {
  /** Chosen by the caller when it records the upload before storing it. */
  id?: string;
  owner: Person;
  name: string;
  type: DocumentType;
  bytes: Uint8Array;
  /** Told as each step ends, for `npm run bench:ingest`. */
  onStep?: (step: IngestStep) => void;
}): Promise<{ id: string; chunks: number }> {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) throw new DocumentLimitError(fileTooLargeMessage());
  // Chunk offsets count from the start of the extracted text as it is, so it is not trimmed first.
  const text = await extractText(bytes, type);
  const chunks = chunkText(text);
  if (chunks.length === 0) throw new UnreadableDocumentError("The document contains no text.");
  onStep?.("chunked");
  // Every embedding before anything is stored, so no connection (on PGlite, the only backend) waits for the model,
  // and other requests get the database between the upload's statements.
  const embeddings = await embedAll(chunks.map((chunk) => chunk.content));
  onStep?.("embedded");
  await rememberPeople([owner]);
  // Rows first; the tuple after, once they are all stored, so nobody can read a document with chunks missing.
  try {
    await insertDocumentWithChunks(
      { id, ownerId: owner.sub, name, mimeType: type, sizeBytes: bytes.byteLength, content: Buffer.from(bytes) },
      chunks.map((chunk, i) => ({ ...chunk, embedding: embeddings[i]! })),
      { quotaBytes: storageQuotaBytes() },
    );
    onStep?.("stored");
    await recordOwner(owner.sub, id);
  } catch (error) {
    await removeUnfinished(id);
    throw error;
  }
  onStep?.("owner recorded");
  return { id, chunks: chunks.length };
}

/**
 * Removes what a failed upload stored, if anything. A database restart that failed the upload also closed the pool's
 * connections, and the first query on one fails (57P01), so the removal is tried once more. If that fails too, a
 * document still marked as storing is removed by a later upload (db/queries/documents.ts); one whose owner tuple
 * could not be written stays, seen by nobody.
 */
async function removeUnfinished(id: string) {
  try {
    await retryOnceIfUnreachable(() => deleteDocument(id));
  } catch (error) {
    logError("documents", "removing a failed upload failed", error);
  }
}
