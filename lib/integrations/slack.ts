import "server-only";
import { getConfig } from "@/lib/config";
import { apiUrl, callProvider } from "./http";
import { ProviderError, type ProviderFailure } from "./provider-error";

/**
 * Slack Web API. Slack answers most failures with HTTP 200 and `ok: false` and an error code ("Web API basics":
 * evaluating responses), rate limits with HTTP 429 and Retry-After ("Rate limits"), so the codes are mapped to the
 * failures the other providers report with status codes.
 */
const SERVICE = "Slack";

interface SlackAnswer {
  ok: boolean;
  error?: string;
}

const failures: Record<string, ProviderFailure> = {
  not_authed: "unauthorized",
  invalid_auth: "unauthorized",
  token_expired: "unauthorized",
  token_revoked: "unauthorized",
  account_inactive: "unauthorized",
  missing_scope: "insufficient_scope",
  // The workspace or its administrators refuse the app: granting it more would not help.
  access_denied: "forbidden",
  no_permission: "forbidden",
  ekm_access_denied: "forbidden",
  team_access_not_granted: "forbidden",
  ratelimited: "rate_limited",
  fatal_error: "unavailable",
  internal_error: "unavailable",
  service_unavailable: "unavailable",
  request_timeout: "unavailable",
};

function callSlack<T extends SlackAnswer>(method: string, token: string, query: Record<string, string | number | boolean | undefined>) {
  return callProvider<T>({
    service: SERVICE,
    url: apiUrl(getConfig().SLACK_API_URL, `/${method}`, query),
    token,
    accept: (answer) => {
      if (answer.ok === true) return;
      const error = typeof answer.error === "string" && Object.hasOwn(failures, answer.error) ? answer.error : undefined;
      throw new ProviderError(SERVICE, error ? failures[error]! : "bad_request");
    },
  });
}

// Slack: "no more than 200 results at a time"; the cap keeps a workspace with thousands of channels, or a cursor
// that never ends, from holding the chat for long.
const PAGE_SIZE = 200;
const MAX_PAGES = 10;

interface Channel {
  id: string;
  name: string;
  is_private: boolean;
  is_member?: boolean;
  num_members?: number;
  purpose?: { value: string };
}

/**
 * Up to `limit` public channels. conversations.list may return fewer than `limit` before the end, even none
 * ("Pagination": "It's possible to receive fewer results than your specified limit, even when there are additional
 * results"), so pages are followed until `response_metadata.next_cursor` is empty. `complete` is false when
 * Slack had more than was read.
 */
export async function listChannels(token: string, { limit }: { limit: number }) {
  const channels: Channel[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && channels.length < limit; page++) {
    const answer = await callSlack<SlackAnswer & { channels?: Channel[]; response_metadata?: { next_cursor?: string } }>(
      "conversations.list",
      token,
      { types: "public_channel", exclude_archived: true, limit: PAGE_SIZE, cursor },
    );
    channels.push(...(answer.channels ?? []));
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return {
    channels: channels.slice(0, limit).map((channel) => ({
      name: `#${channel.name}`,
      member: channel.is_member ?? false,
      members: channel.num_members,
      purpose: channel.purpose?.value || undefined,
    })),
    complete: cursor === undefined && channels.length <= limit,
  };
}
