import "server-only";

/** What can be uploaded, and how its text is read. PDFs go through unpdf (PDF.js, no native code). */
export const DOCUMENT_TYPES = {
  "text/plain": { extensions: [".txt"], label: "text" },
  "text/markdown": { extensions: [".md", ".markdown"], label: "Markdown" },
  "application/pdf": { extensions: [".pdf"], label: "PDF" },
} as const;

export type DocumentType = keyof typeof DOCUMENT_TYPES;
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** The document type by file name (browsers report Markdown inconsistently, so the extension decides). */
export function documentTypeOf(fileName: string): DocumentType | null {
  const lower = fileName.toLowerCase();
  for (const [type, { extensions }] of Object.entries(DOCUMENT_TYPES))
    if (extensions.some((extension) => lower.endsWith(extension))) return type as DocumentType;
  return null;
}

export class UnreadableDocumentError extends Error {
  override name = "UnreadableDocumentError";
}

export async function extractText(bytes: Uint8Array, type: DocumentType): Promise<string> {
  if (type !== "application/pdf") {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new UnreadableDocumentError("The file is not valid UTF-8 text.");
    }
  }
  try {
    const { extractText: extractPdfText, getDocumentProxy } = await import("unpdf");
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractPdfText(pdf, { mergePages: true });
    return text;
  } catch (error) {
    throw new UnreadableDocumentError(`The PDF could not be read: ${(error as Error).message}`);
  }
}
