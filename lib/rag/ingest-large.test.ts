import { expect, it, vi } from "vitest";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { untidyDocument } from "@/tests/untidy-document";
import { ingestDocument } from "./ingest";
import { MAX_DOCUMENT_BYTES } from "./limits";
import { searchDocuments } from "./retrieve";

// The largest text document an upload may carry, through the whole sandbox (PGlite, the embedding model, which
// refuses any request over OpenAI's limits, and FGA), then found again by retrieval. `npm run bench:ingest` times it.
const harness = setUpSandboxHarness();
// The document's chunks stay outside the HNSW index while it is searched: the walk would otherwise start the pass that
// adds them, minutes of work in PGlite that would outlive the test.
vi.mock("./chunk-indexing", async (original) => ({ ...(await original<typeof import("./chunk-indexing")>()), indexLeftoverChunks: () => {} }));
const owner = { sub: "auth0|ingrid", name: "Ingrid Sørensen", email: "ingrid.sorensen@example.dk" };

it("stores a 10 MB text document whole and finds a passage near its end", { timeout: 240_000 }, async () => {
  const document = untidyDocument({ bytes: MAX_DOCUMENT_BYTES });
  const bytes = new TextEncoder().encode(document.text);
  expect(bytes.byteLength).toBeGreaterThan(MAX_DOCUMENT_BYTES - 64 * 1024);

  const { id, chunks } = await ingestDocument({ owner, name: "Archive 2015–2025 (Ærø).md", type: "text/markdown", bytes });

  const [stored] = await harness.sql<{ rows: number; ordinals: number; last: number }[]>`
    select count(*)::int as rows, count(distinct ordinal)::int as ordinals, max(end_offset)::int as last from document_chunks where document_id = ${id}`;
  expect(stored).toEqual({ rows: chunks, ordinals: chunks, last: document.text.trimEnd().length });
  // Stored outside the HNSW index, whose insertion would take PGlite minutes: searchable at once all the same.
  const [outside] = await harness.sql<{ n: number }[]>`select count(*)::int as n from document_chunks where document_id = ${id} and not indexed`;
  expect(outside!.n).toBe(chunks);
  const { chunks: found } = await searchDocuments({ userSub: owner.sub, query: document.question, k: 5 });
  const passage = found.find((chunk) => chunk.content.includes(document.needle));
  expect(passage).toBeDefined();
  expect(document.text.slice(passage!.startOffset!, passage!.endOffset!)).toBe(passage!.content);
  // Near the end: in the last tenth of the document.
  expect(passage!.startOffset!).toBeGreaterThan(document.text.length * 0.9);
});
