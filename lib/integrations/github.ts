import "server-only";
import { getConfig } from "@/lib/config";
import { apiUrl, callProviderWithHeaders, type ProviderRefusal, type Verdict } from "./http";

/** GitHub REST, the few calls Delegate's tools make. GITHUB_API_URL moves the base URL. */
const SERVICE = "GitHub";
const headers = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
const base = () => getConfig().GITHUB_API_URL;

/** "repo, read:user" (X-OAuth-Scopes, X-Accepted-OAuth-Scopes) as a list. */
const scopeList = (header: string | null) => (header ?? "").split(",").map((scope) => scope.trim()).filter(Boolean);

/**
 * GitHub REST docs, "Rate limits for the REST API" → "Exceeding the rate limit": the primary limit answers 403 or
 * 429 with `x-ratelimit-remaining: 0` (wait until `x-ratelimit-reset`); a secondary limit answers 403 or 429 with
 * a message saying so, and `retry-after` when GitHub names the wait, otherwise "wait for at least one minute".
 * A 403 is a missing scope only when the token has none of the scopes the endpoint accepts.
 */
export function explainGithubRefusal({ status, headers: answer, body }: ProviderRefusal): Verdict | undefined {
  if (status !== 403 && status !== 429) return undefined;
  // The wait is named (retry-after, or the reset of an exhausted limit): the status code's reading applies.
  if (answer.has("retry-after") || answer.get("x-ratelimit-remaining") === "0") return undefined;
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === "string" && /secondary rate limit|abuse detection/i.test(message)) return { failure: "rate_limited", retryAfterSeconds: 60 };
  const accepted = scopeList(answer.get("x-accepted-oauth-scopes"));
  const granted = scopeList(answer.get("x-oauth-scopes"));
  if (status === 403 && accepted.length > 0 && !accepted.some((scope) => granted.includes(scope))) return { failure: "insufficient_scope" };
  return undefined;
}

const get = <T>(url: URL, token: string) => callProviderWithHeaders<T>({ service: SERVICE, url, token, headers, explain: explainGithubRefusal });

interface Repository {
  full_name: string;
  private: boolean;
  description: string | null;
  language: string | null;
  stargazers_count: number;
  html_url: string;
  pushed_at: string | null;
}

/**
 * The user's repositories, most recently updated first. Without the `repo` scope GitHub lists only public
 * repositories and says nothing about the others ("About scopes for OAuth apps": no scope grants read-only access
 * to public information); X-OAuth-Scopes tells which list this is.
 */
export async function listRepositories(token: string, { limit }: { limit: number }) {
  const { body: repos, headers: answer } = await get<Repository[]>(apiUrl(base(), "/user/repos", { sort: "updated", per_page: limit }), token);
  const includesPrivate = scopeList(answer.get("x-oauth-scopes")).includes("repo");
  const repositories = repos.map((repo) => ({
    name: repo.full_name,
    private: repo.private,
    description: repo.description,
    language: repo.language,
    stars: repo.stargazers_count,
    url: repo.html_url,
    lastPush: repo.pushed_at,
  }));
  return { repositories, includesPrivate };
}

interface GitHubEvent {
  type: string;
  repo: { name: string };
  created_at: string;
  payload: {
    action?: string;
    ref?: string;
    ref_type?: string;
    number?: number;
    pull_request?: { number: number; title?: string };
    issue?: { number: number; title: string };
  };
}

export async function recentActivity(token: string, { limit }: { limit: number }) {
  const { body: user } = await get<{ login: string }>(apiUrl(base(), "/user"), token);
  const { body: events } = await get<GitHubEvent[]>(apiUrl(base(), `/users/${encodeURIComponent(user.login)}/events`, { per_page: limit }), token);
  return events.map((event) => ({ repository: event.repo.name, summary: describeEvent(event), at: event.created_at }));
}

function describeEvent({ type, payload }: GitHubEvent): string {
  switch (type) {
    // Since October 2025 GitHub's events carry no commit messages and no pull request titles.
    case "PushEvent":
      return `Pushed to ${payload.ref?.replace(/^refs\/heads\//, "") ?? "a branch"}`;
    case "PullRequestEvent": {
      const title = payload.pull_request?.title;
      return `${capitalize(payload.action ?? "updated")} pull request #${payload.number ?? payload.pull_request?.number}${title ? `: ${title}` : ""}`;
    }
    case "IssuesEvent":
      return `${capitalize(payload.action ?? "updated")} issue #${payload.issue?.number}: ${payload.issue?.title}`;
    case "CreateEvent":
      return `Created ${payload.ref_type ?? "something"}${payload.ref ? ` ${payload.ref}` : ""}`;
    // "WatchEvent" is starring a repository, not watching it (GitHub docs, "GitHub event types" / webhook "watch").
    case "WatchEvent":
      return "Starred the repository";
    default:
      return type.replace(/Event$/, "");
  }
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
