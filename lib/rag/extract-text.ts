import "server-only";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { EXTRACTION_TIME_LIMIT_MS, formatBytes, MAX_PDF_PAGES, MAX_TEXT_BYTES } from "./limits";

/** What can be uploaded, and how its text is read. PDFs go through unpdf (PDF.js, no native code). */
export const DOCUMENT_TYPES = {
  "text/plain": { extensions: [".txt"], label: "text" },
  "text/markdown": { extensions: [".md", ".markdown"], label: "Markdown" },
  "application/pdf": { extensions: [".pdf"], label: "PDF" },
} as const;

export type DocumentType = keyof typeof DOCUMENT_TYPES;

/** The document type by file name (browsers report Markdown inconsistently, so the extension decides). */
export function documentTypeOf(fileName: string): DocumentType | null {
  const lower = fileName.toLowerCase();
  for (const [type, { extensions }] of Object.entries(DOCUMENT_TYPES))
    if (extensions.some((extension) => lower.endsWith(extension))) return type as DocumentType;
  return null;
}

/** The file is not what it claims to be, or is damaged: the uploader can fix it. */
export class UnreadableDocumentError extends Error {
  override name = "UnreadableDocumentError";
}

/** The file is readable but costs more than one upload may: the message names the limit. */
export class DocumentLimitError extends Error {
  override name = "DocumentLimitError";
}

export interface ExtractionLimits {
  maxPages: number;
  /** In UTF-8 bytes (see MAX_TEXT_BYTES). */
  maxTextBytes: number;
  timeLimitMs: number;
}

export const EXTRACTION_LIMITS: ExtractionLimits = {
  maxPages: MAX_PDF_PAGES,
  maxTextBytes: MAX_TEXT_BYTES,
  timeLimitMs: EXTRACTION_TIME_LIMIT_MS,
};

const count = (n: number) => n.toLocaleString("en-US");
const tooMuchText = (limits: ExtractionLimits) =>
  new DocumentLimitError(`The document has more than ${formatBytes(limits.maxTextBytes)} of text, the limit for one document. Split it into smaller files.`);

export async function extractText(bytes: Uint8Array, type: DocumentType, limits = EXTRACTION_LIMITS): Promise<string> {
  const text = type === "application/pdf" ? await extractPdfText(bytes, limits) : decodeUtf8(bytes);
  if (Buffer.byteLength(text) > limits.maxTextBytes) throw tooMuchText(limits);
  // Postgres text cannot hold NUL; it carries no meaning in a document, so it goes rather than the upload.
  return text.replaceAll("\u0000", "");
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UnreadableDocumentError("The file is not valid UTF-8 text.");
  }
}

/** Kept beside the sources (and traced into deployments, next.config.ts): Node runs it directly. */
const PDF_WORKER = path.join(process.cwd(), "lib", "rag", "pdf-text-worker.mjs");
/** PDF.js' own heap for one document; typed arrays it decodes into are bounded by the deadline instead. */
const PDF_WORKER_HEAP_MB = 512;

type WorkerAnswer =
  | { outcome: "text"; pages: string[] }
  | { outcome: "too_many_pages"; pages: number }
  | { outcome: "too_much_text" | "unreadable" | "damaged" };

/**
 * PDF.js cannot be interrupted inside a page, and a small compressed page can decode to gigabytes, so it runs in
 * a worker thread that is terminated at the deadline, whatever it is doing. The page count is refused before any
 * page is read, and the text's size is checked after each page.
 */
function extractPdfText(bytes: Uint8Array, limits: ExtractionLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PDF_WORKER, {
      workerData: { bytes: new Uint8Array(bytes), maxPages: limits.maxPages, maxTextBytes: limits.maxTextBytes },
      resourceLimits: { maxOldGenerationSizeMb: PDF_WORKER_HEAP_MB },
      // PDF.js prints what it cannot parse, which can quote the document: nothing of it reaches the logs.
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (outcome: () => string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    };
    const timer = setTimeout(
      () =>
        settle(() => {
          throw new DocumentLimitError(`Reading the PDF took longer than ${limits.timeLimitMs / 1000} seconds, the limit for one document. Try a smaller or simpler file.`);
        }),
      limits.timeLimitMs,
    );
    worker.once("message", (answer: WorkerAnswer) => settle(() => textOf(answer, limits)));
    worker.once("error", (error: NodeJS.ErrnoException) =>
      settle(() => {
        if (error.code === "ERR_WORKER_OUT_OF_MEMORY")
          throw new DocumentLimitError("Reading the PDF needs more memory than one document may use. Try a smaller or simpler file.");
        throw new UnreadableDocumentError("The PDF could not be read: it is damaged, password-protected or not a PDF.");
      }),
    );
    worker.once("exit", () =>
      settle(() => {
        throw new UnreadableDocumentError("The PDF could not be read: it is damaged, password-protected or not a PDF.");
      }),
    );
  });
}

function textOf(answer: WorkerAnswer, limits: ExtractionLimits): string {
  switch (answer.outcome) {
    case "text":
      // Runs of spaces collapse; line breaks survive, with at most one blank line (as unpdf's mergePages).
      return answer.pages.join("\n").replace(/[^\S\n]+/g, " ").replace(/ ?\n ?/g, "\n").replace(/\n{3,}/g, "\n\n");
    case "too_many_pages":
      throw new DocumentLimitError(`The PDF has ${count(answer.pages)} pages; at most ${count(limits.maxPages)} pages can be read.`);
    case "too_much_text":
      throw tooMuchText(limits);
    case "unreadable":
      throw new UnreadableDocumentError("The PDF could not be read: it is damaged, password-protected or not a PDF.");
    case "damaged":
      throw new UnreadableDocumentError("The PDF could not be read: a page is damaged.");
  }
}
