import { describe, expect, it } from "vitest";
import { documentTypeOf, extractText, UnreadableDocumentError } from "./extract-text";

/** A one-page PDF with the text `Delegate reads PDFs`, built by hand so the test needs no fixture file. */
function tinyPdf(text: string): Uint8Array {
  const content = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

describe("text extraction", () => {
  it("reads text and Markdown as UTF-8 and refuses binary", async () => {
    expect(await extractText(new TextEncoder().encode("# Héllo"), "text/markdown")).toBe("# Héllo");
    await expect(extractText(new Uint8Array([0xff, 0xfe, 0x00]), "text/plain")).rejects.toBeInstanceOf(UnreadableDocumentError);
  });

  it("reads the text of a PDF, and refuses a broken one", async () => {
    expect(await extractText(tinyPdf("Delegate reads PDFs"), "application/pdf")).toContain("Delegate reads PDFs");
    await expect(extractText(new TextEncoder().encode("%PDF-1.4 nonsense"), "application/pdf")).rejects.toBeInstanceOf(UnreadableDocumentError);
  });

  it("knows document types by extension", () => {
    expect(documentTypeOf("Notes.MD")).toBe("text/markdown");
    expect(documentTypeOf("report.pdf")).toBe("application/pdf");
    expect(documentTypeOf("photo.png")).toBeNull();
  });
});
