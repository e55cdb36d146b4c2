import "server-only";
import { embedMany } from "ai";
import { deleteDocument, insertDocumentWithChunks } from "@/db/queries/documents";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { embeddingModel } from "@/lib/ai/model";
import { recordOwner } from "@/lib/fga/documents";
import { chunkText } from "./chunk";
import { extractText, MAX_DOCUMENT_BYTES, UnreadableDocumentError, type DocumentType } from "./extract-text";

/**
 * Stores an uploaded document: text, chunks, embeddings, and the FGA tuple that makes the uploader its owner.
 * The rows and the tuple succeed or fail together: if the tuple cannot be written, the rows are removed, so no
 * document exists that nobody may read, and no permission exists on a document that is not there.
 */
export async function ingestDocument({
  ownerSub,
  name,
  type,
  bytes,
}: {
  ownerSub: string;
  name: string;
  type: DocumentType;
  bytes: Uint8Array;
}): Promise<{ id: string; chunks: number }> {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) throw new UnreadableDocumentError("The file is larger than 10 MB.");
  const text = (await extractText(bytes, type)).trim();
  if (!text) throw new UnreadableDocumentError("The document contains no text.");
  const chunks = chunkText(text);
  const { embeddings } = await embedMany({ model: embeddingModel(), values: chunks, maxParallelCalls: 2, dimensions: EMBEDDING_DIMENSIONS });

  const id = crypto.randomUUID();
  // Rows first, in one transaction; the tuple after, outside it (the authorization service may share the
  // database and must not wait on this transaction's lock).
  await insertDocumentWithChunks(
    { id, ownerId: ownerSub, name, mimeType: type, sizeBytes: bytes.byteLength, content: Buffer.from(bytes) },
    chunks.map((content, i) => ({ content, embedding: embeddings[i]! })),
  );
  try {
    await recordOwner(ownerSub, id);
  } catch (error) {
    await deleteDocument(id);
    throw error;
  }
  return { id, chunks: chunks.length };
}
