import type { ToolContext } from "@/lib/auth/tool-context";
import { buyProduct, configuredShop } from "./buy-product";
import { checkAvailability } from "./check-availability";
import { createGmailDraft } from "./create-gmail-draft";
import { getCalendarEvents } from "./get-calendar-events";
import { getGithubActivity } from "./get-github-activity";
import { getUserProfile } from "./get-user-profile";
import { guardTools } from "./guard";
import { listGithubRepositories } from "./list-github-repositories";
import { listSlackChannels } from "./list-slack-channels";
import type { ToolDeclaration } from "./pipeline";
import { searchDocuments } from "./search-documents";
import { searchGmail } from "./search-gmail";

/** Every tool the agent has, each declared once (lib/ai/tools/pipeline.ts). */
export const DECLARED_TOOLS = [
  getUserProfile,
  getCalendarEvents,
  checkAvailability,
  searchGmail,
  createGmailDraft,
  listGithubRepositories,
  getGithubActivity,
  listSlackChannels,
  searchDocuments,
  buyProduct,
] as const;

/** The agent's tools for one request, bound to the signed-in user. Keys are the names the model sees. */
export function createTools(context: ToolContext) {
  return guardTools({
    get_user_profile: getUserProfile(context),
    get_calendar_events: getCalendarEvents(context),
    check_availability: checkAvailability(context),
    search_gmail: searchGmail(context),
    create_gmail_draft: createGmailDraft(context),
    list_github_repositories: listGithubRepositories(context),
    get_github_activity: getGithubActivity(context),
    list_slack_channels: listSlackChannels(context),
    search_documents: searchDocuments(context),
    // Offered only when a shop is configured: the model never sees a tool that cannot work.
    ...(configuredShop() ? { buy_product: buyProduct(context) } : {}),
  });
}

export type ChatTools = ReturnType<typeof createTools>;
export type ToolName = keyof ChatTools;

/** The declaration behind a tool name, if the agent has such a tool; its input is whatever the chat stored. */
export const declarationOf = (name: string) =>
  DECLARED_TOOLS.find((tool) => tool.declaration.name === name)?.declaration as ToolDeclaration<unknown, unknown, unknown> | undefined;
