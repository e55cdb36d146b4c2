import { StorageQuotaError, storageUsedBy } from "@/db/queries/documents";
import { sha256Hex } from "@/db/audit-chain";
import { audited, quotedDocumentName } from "@/lib/audit/record";
import { getAgentSession } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { logError } from "@/lib/log";
import { getConfig } from "@/lib/config";
import { capBody } from "@/lib/http/capped-body";
import { checkRequest } from "@/lib/http/request-checks";
import { DocumentLimitError, documentTypeOf, UnreadableDocumentError } from "@/lib/rag/extract-text";
import { startIndexingPendingChunks } from "@/lib/rag/chunk-indexing";
import { ingestDocument, storageQuotaBytes } from "@/lib/rag/ingest";
import { fileTooLargeMessage, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_NAME_LENGTH, MAX_UPLOAD_BODY_BYTES, storageQuotaMessage } from "@/lib/rag/limits";
import { rateLimitedResponse, takeRateLimit } from "@/lib/rate-limit";

export const maxDuration = 60;

/**
 * Upload: multipart form with one `file` (.txt, .md or .pdf). Who is asking, how often, and how much they
 * already store are settled before a byte of the body is read; the body itself is counted as it streams.
 */
export async function POST(request: Request) {
  // proxy.ts does not run for this route (it would buffer the whole upload first), so its checks run here.
  const refusal = checkRequest({ method: request.method, pathname: new URL(request.url).pathname, headers: request.headers }, appOrigin());
  if (refusal) return apiError(refusal.code, refusal.message);
  const session = await getAgentSession();
  if (!session) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { user } = session;
  const allowance = await takeRateLimit(user.sub, "upload");
  if (!allowance.allowed) return rateLimitedResponse(allowance);
  const quotaBytes = storageQuotaBytes();
  const usedBytes = await storageUsedBy(user.sub);
  if (usedBytes >= quotaBytes) return apiError("payload_too_large", storageQuotaMessage({ usedBytes, quotaBytes }));

  const { body, exceeded } = capBody(request, MAX_UPLOAD_BODY_BYTES);
  const form = await body.formData().catch(() => null);
  if (exceeded()) return apiError("payload_too_large", fileTooLargeMessage());
  const file = form?.get("file");
  if (!(file instanceof File)) return apiError("bad_request", "Send the document as a multipart form field named \"file\".");
  const nameProblem = problemWithName(file.name);
  if (nameProblem) return apiError("bad_request", nameProblem);
  const type = documentTypeOf(file.name);
  if (!type) return apiError("bad_request", "Only .txt, .md and .pdf documents can be uploaded.");
  if (file.size > MAX_DOCUMENT_BYTES) return apiError("payload_too_large", fileTooLargeMessage(file.name));
  if (usedBytes + file.size > quotaBytes) return apiError("payload_too_large", storageQuotaMessage({ usedBytes, quotaBytes, fileBytes: file.size }));

  const bytes = new Uint8Array(await file.arrayBuffer());
  const id = crypto.randomUUID();
  const upload = { documentId: id, name: file.name, type, sizeBytes: file.size, contentSha256: sha256Hex(bytes) };
  const event = { userId: user.sub, action: "document.upload", evidence: upload, input: upload, summary: `Uploaded ${quotedDocumentName(file.name)}` } as const;
  return audited(event, async () => {
    try {
      // An unverified address proves nothing: it is never shown as who owns a document.
      const owner = { sub: user.sub, name: user.name, email: user.emailVerified ? user.email : null };
      const document = await ingestDocument({ id, owner, name: file.name, type, bytes });
      // Searchable already; the pass makes it fast to search (lib/rag/chunk-indexing.ts).
      startIndexingPendingChunks();
      return Response.json({ id: document.id, name: file.name, chunks: document.chunks }, { status: 201 });
    } catch (error) {
      if (error instanceof UnreadableDocumentError) return apiError("bad_request", error.message);
      if (error instanceof DocumentLimitError) return apiError("payload_too_large", error.message);
      if (error instanceof StorageQuotaError)
        return apiError("payload_too_large", storageQuotaMessage({ usedBytes: error.usedBytes, quotaBytes: error.quotaBytes, fileBytes: file.size }));
      if (error instanceof FgaUnavailableError) return apiError("unavailable", "The permission service is not answering; the document was not saved.");
      const reference = logError("documents", "upload failed", error);
      return apiError("internal", `The document could not be saved. Try again (reference ${reference}).`);
    }
  });
}

/** Names are shown to other people and to the model, so they are kept to one readable line. */
function problemWithName(name: string): string | null {
  if (!name.trim()) return "The file has no name.";
  if (name.length > MAX_DOCUMENT_NAME_LENGTH) return `File names can be at most ${MAX_DOCUMENT_NAME_LENGTH} characters long.`;
  if (/\p{Cc}/u.test(name)) return "The file name contains control characters.";
  return null;
}

const appOrigin = () => new URL(getConfig().APP_BASE_URL).origin;
