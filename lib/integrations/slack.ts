import "server-only";
import { getConfig } from "@/lib/config";
import { apiUrl, callProvider } from "./http";
import { ProviderError } from "./provider-error";

/**
 * Slack Web API. Slack answers most failures with HTTP 200 and `ok: false`, so its error codes are mapped to
 * the same failures the other providers report with status codes.
 */
const SERVICE = "Slack";

interface SlackAnswer {
  ok: boolean;
  error?: string;
}

const failures: Record<string, ProviderError["failure"]> = {
  not_authed: "unauthorized",
  invalid_auth: "unauthorized",
  token_expired: "unauthorized",
  token_revoked: "unauthorized",
  account_inactive: "unauthorized",
  missing_scope: "insufficient_scope",
  ratelimited: "rate_limited",
  fatal_error: "unavailable",
  service_unavailable: "unavailable",
};

async function callSlack<T extends SlackAnswer>(method: string, token: string, query: Record<string, string | number | boolean>) {
  const answer = await callProvider<T>({ service: SERVICE, url: apiUrl(getConfig().SLACK_API_URL, `/${method}`, query), token });
  if (!answer.ok) throw new ProviderError(SERVICE, failures[answer.error ?? ""] ?? "bad_request", undefined, answer.error);
  return answer;
}

export async function listChannels(token: string, { limit }: { limit: number }) {
  const answer = await callSlack<SlackAnswer & {
    channels?: { id: string; name: string; is_private: boolean; is_member?: boolean; num_members?: number; purpose?: { value: string } }[];
  }>("conversations.list", token, { types: "public_channel", exclude_archived: true, limit });
  return (answer.channels ?? []).map((channel) => ({
    name: `#${channel.name}`,
    member: channel.is_member ?? false,
    members: channel.num_members,
    purpose: channel.purpose?.value || undefined,
  }));
}
