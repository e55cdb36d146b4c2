import "server-only";
import { embedMany } from "ai";
import { deleteDocument, insertDocumentWithChunks } from "@/db/queries/documents";
import { rememberPeople, type Person } from "@/db/queries/people";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { getConfig } from "@/lib/config";
import { recordOwner } from "@/lib/fga/documents";
import { embeddingModel } from "@/lib/model";
import { chunkText } from "./chunk";
import { DocumentLimitError, extractText, UnreadableDocumentError, type DocumentType } from "./extract-text";
import { fileTooLargeMessage, MAX_DOCUMENT_BYTES } from "./limits";

/** Each user's total of stored document bytes (DOCUMENT_QUOTA_MB). */
export const storageQuotaBytes = () => getConfig().DOCUMENT_QUOTA_MB * 1024 * 1024;

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
}: {
  /** Chosen by the caller when it records the upload before storing it. */
  id?: string;
  owner: Person;
  name: string;
  type: DocumentType;
  bytes: Uint8Array;
}): Promise<{ id: string; chunks: number }> {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) throw new DocumentLimitError(fileTooLargeMessage());
  // Chunk offsets count from the start of the extracted text as it is, so it is not trimmed first.
  const text = await extractText(bytes, type);
  const chunks = chunkText(text);
  if (chunks.length === 0) throw new UnreadableDocumentError("The document contains no text.");
  // OpenAI takes at most 300,000 tokens per embeddings request; @ai-sdk/openai splits the values into requests of at
  // most 300,000 UTF-8 bytes, and no token is shorter than a byte. One chunk (≤ 3,000 bytes) is far below the
  // 8,192 tokens one input may have.
  const { embeddings } = await embedMany({
    model: embeddingModel(),
    values: chunks.map((chunk) => chunk.content),
    maxParallelCalls: 2,
    dimensions: EMBEDDING_DIMENSIONS,
  });

  await rememberPeople([owner]);
  // Rows first, in one transaction; the tuple after, outside it (the authorization service may share the
  // database and must not wait on this transaction's lock).
  await insertDocumentWithChunks(
    { id, ownerId: owner.sub, name, mimeType: type, sizeBytes: bytes.byteLength, content: Buffer.from(bytes) },
    chunks.map((chunk, i) => ({ ...chunk, embedding: embeddings[i]! })),
    { quotaBytes: storageQuotaBytes() },
  );
  try {
    await recordOwner(owner.sub, id);
  } catch (error) {
    await deleteDocument(id);
    throw error;
  }
  return { id, chunks: chunks.length };
}
