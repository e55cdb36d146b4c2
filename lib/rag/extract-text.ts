import "server-only";
import { EXTRACTION_TIME_LIMIT_MS, MAX_PDF_PAGES, MAX_TEXT_CHARACTERS } from "./limits";

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
  maxCharacters: number;
  timeLimitMs: number;
}

export const EXTRACTION_LIMITS: ExtractionLimits = {
  maxPages: MAX_PDF_PAGES,
  maxCharacters: MAX_TEXT_CHARACTERS,
  timeLimitMs: EXTRACTION_TIME_LIMIT_MS,
};

const count = (n: number) => n.toLocaleString("en-US");
const tooMuchText = (limits: ExtractionLimits) =>
  new DocumentLimitError(`The document has more than ${count(limits.maxCharacters)} characters of text, the limit for one document. Split it into smaller files.`);

export async function extractText(bytes: Uint8Array, type: DocumentType, limits = EXTRACTION_LIMITS): Promise<string> {
  const text = type === "application/pdf" ? await extractPdfText(bytes, limits) : decodeUtf8(bytes);
  if (text.length > limits.maxCharacters) throw tooMuchText(limits);
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

/**
 * PDF.js runs in this process and cannot be interrupted mid-page, so the text is read page by page: the page
 * count is refused before any page is read, and the character count and the deadline are checked between pages.
 */
async function extractPdfText(bytes: Uint8Array, limits: ExtractionLimits): Promise<string> {
  const deadline = Date.now() + limits.timeLimitMs;
  const { getDocumentProxy } = await import("unpdf");
  // PDF.js' warnings can quote the document; logs must not (verbosity 0: errors only).
  const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 }).catch(() => {
    throw new UnreadableDocumentError("The PDF could not be read: it is damaged, password-protected or not a PDF.");
  });
  try {
    if (pdf.numPages > limits.maxPages)
      throw new DocumentLimitError(`The PDF has ${count(pdf.numPages)} pages; at most ${count(limits.maxPages)} pages can be read.`);
    const pages: string[] = [];
    let characters = 0;
    for (let number = 1; number <= pdf.numPages; number++) {
      if (Date.now() >= deadline)
        throw new DocumentLimitError(`Reading the PDF took longer than ${limits.timeLimitMs / 1000} seconds, the limit for one document. Try a smaller or simpler file.`);
      const page = await pdf.getPage(number);
      const { items } = await page.getTextContent();
      page.cleanup();
      const text = items.map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : "")).join("");
      characters += text.length;
      if (characters > limits.maxCharacters) throw tooMuchText(limits);
      pages.push(text);
    }
    // Runs of spaces collapse; line breaks survive, with at most one blank line (as unpdf's mergePages).
    return pages.join("\n").replace(/[^\S\n]+/g, " ").replace(/ ?\n ?/g, "\n").replace(/\n{3,}/g, "\n\n");
  } catch (error) {
    if (error instanceof DocumentLimitError) throw error;
    throw new UnreadableDocumentError("The PDF could not be read: a page is damaged.");
  } finally {
    await pdf.loadingTask.destroy();
  }
}
