import { z } from "zod";
import { inChatApproval } from "@/lib/auth/in-chat-approval";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { createDraft } from "@/lib/integrations/google";
import { declareTool } from "./pipeline";

export const GMAIL_COMPOSE_SCOPE = "https://www.googleapis.com/auth/gmail.compose";

/** A draft is written in the user's mailbox, so the user sees and approves each one in the chat first. */
export const createGmailDraft = declareTool({
  name: "create_gmail_draft",
  title: "Write email drafts",
  about: "Writes drafts in your Gmail, never sends them. You approve each draft in the chat.",
  description: "Create a draft email in the user's Gmail (it is not sent).",
  risk: "write",
  inputSchema: z.object({
    to: z.email().describe("The recipient's email address."),
    subject: z.string().min(1).max(200).describe("The subject line."),
    body: z.string().min(1).max(10_000).describe("The plain-text body."),
  }),
  authorizers: [tokenVault("google-oauth2", [GMAIL_COMPOSE_SCOPE]), inChatApproval()],
  summary: ({ body }) => `Created a Gmail draft (${body.length} characters)`,
  run: async (input, { accessToken, entered }) => {
    const draft = await createDraft(accessToken(), input);
    entered({ gmailDrafts: [draft.draftId] });
    return { ...draft, to: input.to, subject: input.subject };
  },
});
