import "server-only";
import { getConfig } from "@/lib/config";
import { apiUrl, callProvider } from "./http";

/** GitHub REST, the few calls Delegate's tools make. GITHUB_API_URL moves the base URL. */
const SERVICE = "GitHub";
const headers = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
const base = () => getConfig().GITHUB_API_URL;

interface Repository {
  full_name: string;
  private: boolean;
  description: string | null;
  language: string | null;
  stargazers_count: number;
  html_url: string;
  pushed_at: string | null;
}

export async function listRepositories(token: string, { limit }: { limit: number }) {
  const repos = await callProvider<Repository[]>({
    service: SERVICE,
    url: apiUrl(base(), "/user/repos", { sort: "updated", per_page: limit }),
    token,
    headers,
  });
  return repos.map((repo) => ({
    name: repo.full_name,
    private: repo.private,
    description: repo.description,
    language: repo.language,
    stars: repo.stargazers_count,
    url: repo.html_url,
    lastPush: repo.pushed_at,
  }));
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
  const user = await callProvider<{ login: string }>({ service: SERVICE, url: apiUrl(base(), "/user"), token, headers });
  const events = await callProvider<GitHubEvent[]>({
    service: SERVICE,
    url: apiUrl(base(), `/users/${encodeURIComponent(user.login)}/events`, { per_page: limit }),
    token,
    headers,
  });
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
    default:
      return type.replace(/Event$/, "");
  }
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
