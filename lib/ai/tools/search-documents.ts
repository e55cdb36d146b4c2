import { z } from "zod";
import type { ChunkMatch } from "@/db/queries/documents";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { listAhead, searchDocuments as search } from "@/lib/rag/retrieve";
import { declareTool } from "./pipeline";

/**
 * A passage as the model sees it: the document's own words, its name, and its place: the passage number (from 1)
 * and, for chunks stored since migration 0005, the characters it spans (from 0, end excluded, in UTF-16 code units).
 */
function toPassage(chunk: ChunkMatch) {
  const characters = chunk.startOffset === null || chunk.endOffset === null ? {} : { characters: { start: chunk.startOffset, end: chunk.endOffset } };
  return { document: chunk.documentName, passage: chunk.ordinal + 1, ...characters, text: chunk.content };
}

/**
 * Needs no authorizer of the pipeline: retrieval itself asks FGA which documents the user may view — a list-objects
 * question, and, for a listing it reuses (an earlier search's, or one asked as the model began a call), a
 * batch-check of the documents it found (lib/rag/retrieve.ts). The call's result event records those questions with
 * their answers (how many documents each allowed, and the first MAX_IDS_PER_QUESTION of their ids) and, always in
 * full, the documents and chunks that reached the model: one event per search, however many documents the user may
 * view.
 */
export const searchDocuments = declareTool({
  name: "search_documents",
  title: "Search your documents",
  about: "Searches the documents you may read here: yours and those shared with you.",
  description:
    "Search the documents the user may read (their own, shared with them, or public) and return the most relevant passages, best first, " +
    "each with its document's name and where it lies in it, to quote and cite (e.g. \"Team handbook.md, passage 2\").",
  risk: "read",
  inputSchema: z.object({
    query: z.string().min(1).max(1_000).describe("What to look for, in the user's words."),
    k: z.number().int().min(1).max(20).describe("How many passages to return.").optional(),
  }),
  authorizers: [],
  // The listing of what the user may read, unless one is still in use, is asked of FGA while the model writes the
  // query, for the search to reuse (lib/rag/retrieve.ts).
  askAhead: (context) => void listAhead(context.user.sub),
  summary: ({ k }) => `Searched documents (at most ${k ?? 5} passages)`,
  run: async ({ query, k }, { context, entered, evidence }) => {
    try {
      const { chunks, fgaQuestions } = await search({ userSub: context.user.sub, query, k: k ?? 5 });
      evidence({ fga: { questions: fgaQuestions } });
      entered({ documents: [...new Set(chunks.map((chunk) => chunk.documentId))], chunks: chunks.map((chunk) => chunk.chunkId) });
      if (chunks.length === 0) return { passages: [], note: "No document the user may read matches." };
      // Only permitted text ever reaches the model, and like every tool result it arrives marked as data.
      return { passages: chunks.map(toPassage) };
    } catch (error) {
      if (error instanceof FgaUnavailableError) return { error: "The permission service did not answer, so no document was searched." };
      throw error;
    }
  },
});
