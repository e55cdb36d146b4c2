/**
 * What one upload may cost (OWASP LLM10, unbounded consumption): bytes on the wire, pages and text to extract,
 * time spent extracting. Shared by the server, which enforces them, and the upload form, which states
 * them. Every refusal names the limit it hit.
 */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** The multipart envelope around the file (boundaries, headers, the file name) is allowed this much on top. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
export const MAX_UPLOAD_BODY_BYTES = MAX_DOCUMENT_BYTES + MULTIPART_OVERHEAD_BYTES;
export const MAX_PDF_PAGES = 200;
/**
 * The text read from one document, in UTF-8 bytes: as much as the largest text file holds, so it binds PDFs, whose
 * compressed pages can hold far more. Bytes rather than characters, because bytes bound both what embedding it costs
 * (no token is shorter than a byte) and how many chunks it makes (no character is shorter than a byte): 10 MB of
 * text is some 15,000 chunks of up to 1,000 characters. `npm run bench:ingest` times storing them (README.md).
 */
export const MAX_TEXT_BYTES = MAX_DOCUMENT_BYTES;
export const EXTRACTION_TIME_LIMIT_MS = 20_000;
export const MAX_DOCUMENT_NAME_LENGTH = 255;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

export const fileTooLargeMessage = (name?: string) =>
  `${name ?? "The file"} is larger than the ${formatBytes(MAX_DOCUMENT_BYTES)} upload limit.`;

export const UPLOAD_LIMITS_TEXT = `.txt, .md or .pdf, up to ${formatBytes(MAX_DOCUMENT_BYTES)}, ${MAX_PDF_PAGES} pages and ${formatBytes(MAX_TEXT_BYTES)} of text.`;

/** The storage quota refusal: the quota, what is used, and what did not fit. */
export function storageQuotaMessage({ usedBytes, quotaBytes, fileBytes }: { usedBytes: number; quotaBytes: number; fileBytes?: number }): string {
  const use = `Your documents use ${formatBytes(usedBytes)} of your ${formatBytes(quotaBytes)} storage quota`;
  const what = fileBytes === undefined ? "so nothing more can be uploaded" : `and this ${formatBytes(fileBytes)} file does not fit`;
  return `${use}, ${what}. Delete documents you no longer need to make room.`;
}
