// Reads a PDF's text in a worker thread, started by lib/rag/extract-text.ts. PDF.js cannot be interrupted inside
// a page, and one small compressed page can decode to gigabytes: in a worker, the upload route can stop it at the
// deadline (worker.terminate) whatever it is doing. Plain JavaScript, so Node runs it as it is, in every build.
import { parentPort, workerData } from "node:worker_threads";
import { getDocumentProxy } from "unpdf";

/** @type {{ bytes: Uint8Array; maxPages: number; maxTextBytes: number }} */
const { bytes, maxPages, maxTextBytes } = workerData;

/** @returns {Promise<{ outcome: "text"; pages: string[] } | { outcome: "too_many_pages"; pages: number } | { outcome: "too_much_text" | "unreadable" | "damaged" }>} */
async function read() {
  let pdf;
  try {
    // PDF.js' warnings can quote the document; logs must not (verbosity 0: errors only).
    pdf = await getDocumentProxy(bytes, { verbosity: 0 });
  } catch {
    return { outcome: "unreadable" };
  }
  try {
    if (pdf.numPages > maxPages) return { outcome: "too_many_pages", pages: pdf.numPages };
    const pages = [];
    let textBytes = 0;
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const { items } = await page.getTextContent();
      page.cleanup();
      const text = items.map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : "")).join("");
      textBytes += Buffer.byteLength(text);
      if (textBytes > maxTextBytes) return { outcome: "too_much_text" };
      pages.push(text);
    }
    return { outcome: "text", pages };
  } catch {
    return { outcome: "damaged" };
  } finally {
    await pdf.loadingTask.destroy();
  }
}

parentPort?.postMessage(await read());
