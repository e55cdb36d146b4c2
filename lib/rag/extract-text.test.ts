import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DocumentLimitError, documentTypeOf, EXTRACTION_LIMITS, extractText, UnreadableDocumentError } from "./extract-text";
import { MAX_DOCUMENT_BYTES } from "./limits";

/**
 * A PDF with one page per entry, each showing its lines in Helvetica, built by hand so no fixture file is needed.
 * PDF.js drops text outside the page, so long text needs a small `fontSize` and many lines.
 */
function pdf(pages: string[], { kids, fontSize = 12 }: { kids?: string; fontSize?: number } = {}): Uint8Array {
  const objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"];
  const pageRefs: string[] = [];
  for (const text of pages) {
    const lines = text.split("\n").map((line) => `(${line}) Tj`);
    const content = `BT /F1 ${fontSize} Tf ${fontSize} TL 36 780 Td ${lines.join(" T* ")} ET`;
    objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    const contentRef = objects.length;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentRef} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`);
    pageRefs.push(`${objects.length} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids ?? pageRefs.join(" ")}] /Count ${pages.length} >>`;
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

const PDF = "application/pdf";

describe("text extraction", () => {
  it("reads text and Markdown as UTF-8 and refuses binary", async () => {
    expect(await extractText(new TextEncoder().encode("# Héllo (draft) ![x](http://127.0.0.1:9/x)"), "text/markdown")).toBe(
      "# Héllo (draft) ![x](http://127.0.0.1:9/x)",
    );
    await expect(extractText(new Uint8Array([0xff, 0xfe, 0x00]), "text/plain")).rejects.toBeInstanceOf(UnreadableDocumentError);
  });

  it("reads the text of every page of a PDF, in order", async () => {
    const text = await extractText(pdf(["Delegate reads PDFs", "Page two: 4.2 million USD", "Page three"]), PDF);
    expect(text).toBe("Delegate reads PDFs\nPage two: 4.2 million USD\nPage three");
  });

  it("refuses malformed PDFs as unreadable, without quoting the parser", async () => {
    const garbage = new TextEncoder().encode(`%PDF-1.4\n${"\u0000garbage obj << >> ".repeat(200)}`);
    for (const bytes of [new TextEncoder().encode("%PDF-1.4 nonsense"), garbage, pdf(["broken"], { kids: "99 0 R" })]) {
      const error = await extractText(bytes, PDF).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnreadableDocumentError);
      expect((error as Error).message).toMatch(/^The PDF could not be read: (it is damaged, password-protected or not a PDF|a page is damaged)\.$/);
    }
  });

  it("refuses a PDF with more pages than the limit before reading any page", async () => {
    const many = pdf(Array.from({ length: EXTRACTION_LIMITS.maxPages + 1 }, (_, i) => `Page ${i + 1}`));
    await expect(extractText(many, PDF)).rejects.toThrow(new DocumentLimitError("The PDF has 201 pages; at most 200 pages can be read."));
    // At the limit it is read whole.
    const atLimit = await extractText(pdf(Array.from({ length: EXTRACTION_LIMITS.maxPages }, (_, i) => `Page ${i + 1}`)), PDF);
    expect(atLimit.split("\n")).toHaveLength(200);
  });

  it("stops reading a PDF once its text passes the text limit", async () => {
    // 30 pages of 100 lines of 700 characters: 2.1 MB, over a 2 MB limit by the 30th page. (The real limit, 10 MB, is
    // as much text as the largest text file holds; a PDF's compressed pages can hold more.)
    const page = Array.from({ length: 100 }, (_, line) => `Line ${line} `.padEnd(700, "x")).join("\n");
    const huge = pdf(Array.from({ length: 30 }, () => page), { fontSize: 1 });
    await expect(extractText(huge, PDF, { ...EXTRACTION_LIMITS, maxTextBytes: 2 * 1024 * 1024 })).rejects.toThrow(
      new DocumentLimitError("The document has more than 2 MB of text, the limit for one document. Split it into smaller files."),
    );
    expect(EXTRACTION_LIMITS.maxTextBytes).toBe(MAX_DOCUMENT_BYTES);
  });

  it("applies the text limit to text files too, in UTF-8 bytes", async () => {
    const limits = { ...EXTRACTION_LIMITS, maxTextBytes: 10 };
    expect(await extractText(new TextEncoder().encode("ten bytes!"), "text/plain", limits)).toBe("ten bytes!");
    // Ten characters, twelve bytes.
    await expect(extractText(new TextEncoder().encode("café crème"), "text/plain", limits)).rejects.toBeInstanceOf(DocumentLimitError);
  });

  it("gives up on a PDF that takes longer than the time limit, naming it", async () => {
    const slow = pdf(Array.from({ length: 150 }, (_, i) => `Page ${i + 1} `.repeat(50)));
    await expect(extractText(slow, PDF, { ...EXTRACTION_LIMITS, timeLimitMs: 1 })).rejects.toThrow(
      new DocumentLimitError("Reading the PDF took longer than 0.001 seconds, the limit for one document. Try a smaller or simpler file."),
    );
    // The same document within the real limit is read.
    expect(await extractText(slow, PDF)).toContain("Page 150");
  });

  it("knows document types by extension", () => {
    expect(documentTypeOf("Notes.MD")).toBe("text/markdown");
    expect(documentTypeOf("report.pdf")).toBe("application/pdf");
    expect(documentTypeOf("photo.png")).toBeNull();
  });

  it("drops NUL characters, which Postgres cannot store, and keeps the rest of the text", async () => {
    const text = await extractText(new TextEncoder().encode("Vacation: 25 days\u0000 (Ça va).\u0000"), "text/plain");
    expect(text).toBe("Vacation: 25 days (Ça va).");
  });

  it("stops a small PDF whose one page decodes to a huge content stream at the time limit, not when PDF.js is done", async () => {
    // 120 KB on the wire, 60 MB of drawing operators once inflated: PDF.js alone spends seconds inside one page.
    const operator = "1 0 0 1 0 0 cm\n";
    const content = deflateSync(Buffer.from(operator.repeat(4_000_000)), { level: 9 });
    const bomb = pdfWithRawContent(content);
    expect(bomb.byteLength).toBeLessThan(200 * 1024);
    const started = Date.now();
    await expect(extractText(bomb, PDF, { ...EXTRACTION_LIMITS, timeLimitMs: 300 })).rejects.toThrow(DocumentLimitError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

/** One page whose content stream is `deflated`, already compressed (FlateDecode). */
function pdfWithRawContent(deflated: Buffer): Uint8Array {
  const head = (n: number, body: string) => Buffer.from(`${n} 0 obj\n${body}\nendobj\n`);
  const objects = [
    head(1, "<< /Type /Catalog /Pages 2 0 R >>"),
    head(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
    head(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
    Buffer.concat([Buffer.from(`4 0 obj\n<< /Length ${deflated.length} /Filter /FlateDecode >>\nstream\n`), deflated, Buffer.from("\nendstream\nendobj\n")]),
  ];
  const parts = [Buffer.from("%PDF-1.4\n")];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  for (const object of objects) {
    offsets.push(length);
    parts.push(object);
    length += object.length;
  }
  const xref = `xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}

