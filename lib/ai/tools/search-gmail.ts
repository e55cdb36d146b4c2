import { tool } from "ai";
import { z } from "zod";
import type { ToolContext } from "@/lib/auth/tool-context";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { searchMessages } from "@/lib/integrations/google";

export const GMAIL_READ_SCOPE = "https://www.googleapis.com/auth/gmail.readonly";

export function searchGmail(context: ToolContext) {
  return tool({
    description: "Search the user's Gmail inbox and return the matching messages (subject, sender, date, snippet).",
    inputSchema: z.object({
      query: z.string().min(1).max(500).describe("A Gmail search query, e.g. 'invoice from:acme' or 'is:unread'."),
      maxResults: z.number().int().min(1).max(20).describe("How many messages at most.").optional(),
    }),
    execute: withTokenVault(context, { connection: "google-oauth2", scopes: [GMAIL_READ_SCOPE] }, async (input, token) => ({
      query: input.query,
      messages: await searchMessages(token, { query: input.query, maxResults: input.maxResults ?? 5 }),
    })),
  });
}
