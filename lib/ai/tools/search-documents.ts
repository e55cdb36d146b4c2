import { tool } from "ai";
import { z } from "zod";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { searchDocuments as search } from "@/lib/rag/retrieve";
import type { ToolContext } from "./context";

export function searchDocuments(context: ToolContext) {
  return tool({
    description:
      "Search the documents the user may read (their own, shared with them, or public) and return the most relevant passages with the document names to cite.",
    inputSchema: z.object({
      query: z.string().min(1).max(1_000).describe("What to look for, in the user's words."),
      k: z.number().int().min(1).max(20).describe("How many passages to return.").optional(),
    }),
    execute: async ({ query, k }) => {
      try {
        const { chunks } = await search({ userSub: context.user.sub, query, k: k ?? 5 });
        if (chunks.length === 0) return { passages: [], note: "No document the user may read matches." };
        // Only permitted text ever reaches the model, and like every tool result it arrives marked as data.
        return { passages: chunks.map((chunk) => ({ document: chunk.documentName, text: chunk.content })) };
      } catch (error) {
        if (error instanceof FgaUnavailableError) return { error: "The permission service did not answer, so no document was searched." };
        throw error;
      }
    },
  });
}
