/**
 * What one upload may cost (OWASP LLM10, unbounded consumption): bytes on the wire, pages and characters to
 * extract, time spent extracting. Shared by the server, which enforces them, and the upload form, which states
 * them. Every refusal names the limit it hit.
 */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** The multipart envelope around the file (boundaries, headers, the file name) is allowed this much on top. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
export const MAX_UPLOAD_BODY_BYTES = MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD_BYTES;
export const MAX_PDF_PAGES = 200;
/** Text beyond this would mean thousands of embeddings for one upload. */
export const MAX_TEXT_CHARACTERS = 2_000_000;
export const EXTRACTION_TIME_LIMIT_MS = 20_000;
export const MAX_DOCUMENT_NAME_LENGTH = 255;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

export const fileTooLargeMessage = (name?: string) =>
  `${name ?? "The file"} is larger than the ${formatBytes(MAX_DOCUMENT_BYTES)} upload limit.`;

export const UPLOAD_LIMITS_TEXT = `.txt, .md or .pdf, up to ${formatBytes(MAX_DOCUMENT_BYTES)}, ${MAX_PDF_PAGES} pages and ${MAX_TEXT_CHARACTERS.toLocaleString("en-US")} characters of text.`;

/** The storage quota refusal: the quota, what is used, and what did not fit. */
export function storageQuotaMessage({ usedBytes, quotaBytes, fileBytes }: { usedBytes: number; quotaBytes: number; fileBytes?: number }): string {
  const use = `Your documents use ${formatBytes(usedBytes)} of your ${formatBytes(quotaBytes)} storage quota`;
  const what = fileBytes === undefined ? "so nothing more can be uploaded" : `and this ${formatBytes(fileBytes)} file does not fit`;
  return `${use}, ${what}. Delete documents you no longer need to make room.`;
}
