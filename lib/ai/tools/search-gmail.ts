import { z } from "zod";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { searchMessages } from "@/lib/integrations/google";
import { declareTool } from "./pipeline";

export const GMAIL_READ_SCOPE = "https://www.googleapis.com/auth/gmail.readonly";

export const searchGmail = declareTool({
  name: "search_gmail",
  title: "Search your email",
  about: "Searches your Gmail inbox and reads the matching messages' sender, subject, date and snippet.",
  description: "Search the user's Gmail inbox and return the matching messages (subject, sender, date, snippet).",
  risk: "read",
  inputSchema: z.object({
    query: z.string().min(1).max(500).describe("A Gmail search query, e.g. 'invoice from:acme' or 'is:unread'."),
    maxResults: z.number().int().min(1).max(20).describe("How many messages at most.").optional(),
  }),
  authorizers: [tokenVault("google-oauth2", [GMAIL_READ_SCOPE])],
  // The query can name people and subjects: the trail keeps its digest (the input's), not its words.
  summary: ({ maxResults }) => `Searched Gmail (at most ${maxResults ?? 5} messages)`,
  run: async (input, { accessToken, entered }) => {
    const messages = await searchMessages(accessToken(), { query: input.query, maxResults: input.maxResults ?? 5 });
    entered({ gmailMessages: messages.map((message) => message.id) });
    return { query: input.query, messages };
  },
});
