import type { ToolContext } from "@/lib/auth/tool-context";
import { getConfig } from "@/lib/config";
import { buyProduct } from "./buy-product";
import { checkAvailability } from "./check-availability";
import { createGmailDraft } from "./create-gmail-draft";
import { getCalendarEvents } from "./get-calendar-events";
import { getGithubActivity } from "./get-github-activity";
import { getUserProfile } from "./get-user-profile";
import { guardTools } from "./guard";
import { listGithubRepositories } from "./list-github-repositories";
import { listSlackChannels } from "./list-slack-channels";
import { searchDocuments } from "./search-documents";
import { searchGmail } from "./search-gmail";

/** The agent's tools for one request, bound to the signed-in user. Keys are the names the model sees. */
export function createTools(context: ToolContext) {
  const { SHOP_API_URL, SHOP_API_AUDIENCE } = getConfig();
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
    ...(SHOP_API_URL && SHOP_API_AUDIENCE ? { buy_product: buyProduct(context, { url: SHOP_API_URL, audience: SHOP_API_AUDIENCE }) } : {}),
  });
}

export type ChatTools = ReturnType<typeof createTools>;
export type ToolName = keyof ChatTools;
