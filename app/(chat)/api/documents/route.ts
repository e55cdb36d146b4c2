import { getAgentSession } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { documentTypeOf, MAX_DOCUMENT_BYTES, UnreadableDocumentError } from "@/lib/rag/extract-text";
import { ingestDocument } from "@/lib/rag/ingest";

export const maxDuration = 60;

/** Upload: multipart form with one `file` (.txt, .md or .pdf, at most 10 MB). */
export async function POST(request: Request) {
  const session = await getAgentSession();
  if (!session) return apiError("unauthorized", "Your session has expired. Sign in again.");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_DOCUMENT_BYTES + 64 * 1024)
    return apiError("payload_too_large", "The file is larger than 10 MB.");
  const form = await request.formData().catch(() => null);
  const file = form?.get("file");
  if (!(file instanceof File)) return apiError("bad_request", "Send the document as a multipart form field named \"file\".");
  const type = documentTypeOf(file.name);
  if (!type) return apiError("bad_request", "Only .txt, .md and .pdf documents can be uploaded.");
  if (file.size > MAX_DOCUMENT_BYTES) return apiError("payload_too_large", "The file is larger than 10 MB.");
  try {
    const document = await ingestDocument({ ownerSub: session.user.sub, name: file.name, type, bytes: new Uint8Array(await file.arrayBuffer()) });
    return Response.json({ id: document.id, name: file.name, chunks: document.chunks }, { status: 201 });
  } catch (error) {
    if (error instanceof UnreadableDocumentError) return apiError("bad_request", error.message);
    if (error instanceof FgaUnavailableError) return apiError("unavailable", "The permission service is not answering; the document was not saved.");
    console.error("[documents] upload failed:", error);
    return apiError("internal", "The document could not be saved. Try again.");
  }
}
