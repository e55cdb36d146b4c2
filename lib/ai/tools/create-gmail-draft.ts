import { tool } from "ai";
import { z } from "zod";
import type { ToolContext } from "@/lib/auth/tool-context";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { createDraft } from "@/lib/integrations/google";

export const GMAIL_COMPOSE_SCOPE = "https://www.googleapis.com/auth/gmail.compose";

export function createGmailDraft(context: ToolContext) {
  return tool({
    description: "Create a draft email in the user's Gmail (it is not sent).",
    inputSchema: z.object({
      to: z.email().describe("The recipient's email address."),
      subject: z.string().min(1).max(200).describe("The subject line."),
      body: z.string().min(1).max(10_000).describe("The plain-text body."),
    }),
    execute: withTokenVault(context, { connection: "google-oauth2", scopes: [GMAIL_COMPOSE_SCOPE] }, async (input, token) => ({
      ...(await createDraft(token, input)),
      to: input.to,
      subject: input.subject,
    })),
  });
}
