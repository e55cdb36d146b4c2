import type { ToolContext } from "@/lib/auth/tool-context";
import { FgaUnavailableError } from "@/lib/fga/client";
import { usableTools } from "@/lib/fga/tool-permissions";
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

/**
 * The agent's tools for one request, bound to the signed-in user. Keys are the names the model sees. A tool not in
 * `usable` is offered only as unavailable (pipeline.ts); without `usable` (resuming a call the user already saw)
 * every tool is built whole, and the pipeline's permission check still decides at the call.
 */
export function createTools(context: ToolContext, usable?: ReadonlySet<string>) {
  const may = (name: string) => usable?.has(name) ?? true;
  return guardTools({
    get_user_profile: getUserProfile(context, may("get_user_profile")),
    get_calendar_events: getCalendarEvents(context, may("get_calendar_events")),
    check_availability: checkAvailability(context, may("check_availability")),
    search_gmail: searchGmail(context, may("search_gmail")),
    create_gmail_draft: createGmailDraft(context, may("create_gmail_draft")),
    list_github_repositories: listGithubRepositories(context, may("list_github_repositories")),
    get_github_activity: getGithubActivity(context, may("get_github_activity")),
    list_slack_channels: listSlackChannels(context, may("list_slack_channels")),
    search_documents: searchDocuments(context, may("search_documents")),
    ...(isOffered("buy_product") ? { buy_product: buyProduct(context, may("buy_product")) } : {}),
  });
}

/**
 * The tools the user lets the agent use this turn (FGA, lib/fga/tool-permissions.ts), in one round trip. When FGA
 * does not answer, none: every tool is offered as unavailable, and a call to one says the permission service did not
 * answer (fail closed), while the chat itself goes on.
 */
export async function usableToolsFor(userSub: string): Promise<ReadonlySet<string>> {
  try {
    return await usableTools(userSub, DECLARED_TOOLS.map((tool) => tool.declaration.name));
  } catch (error) {
    if (error instanceof FgaUnavailableError) return new Set();
    throw error;
  }
}

export type ChatTools = ReturnType<typeof createTools>;
export type ToolName = keyof ChatTools;

/** Whether this deployment offers the tool: buy_product needs a shop, and the model never sees a tool that cannot work. */
const isOffered = (name: string) => name !== buyProduct.declaration.name || configuredShop() !== null;

/** The tools this deployment offers, as declared: what the permissions page lists. */
export const offeredDeclarations = () => DECLARED_TOOLS.map((tool) => tool.declaration).filter((declaration) => isOffered(declaration.name));

/** The declaration behind a tool name, if the agent has such a tool; its input is whatever the chat stored. */
export const declarationOf = (name: string) =>
  DECLARED_TOOLS.find((tool) => tool.declaration.name === name)?.declaration as ToolDeclaration<unknown, unknown, unknown> | undefined;

/** What the user reads for a tool name ("Buy products"); a tool this version no longer has keeps its name. */
export const toolTitle = (name: string) => declarationOf(name)?.title ?? name;
