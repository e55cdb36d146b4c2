import { stableHex, stableNumber } from "../stable-ids";
import { events, repos, type SeedEvent, type SeedRepo } from "./seed";
import { accountByLogin, accountBySub, simpleUser } from "./users";
import { eventTime, type GithubView, timestamp, WEB_BASE } from "./view";

export const reposOf = (login: string) => repos.filter((repo) => repo.owner === login);

const fullName = (repo: SeedRepo) => `${repo.owner}/${repo.name}`;

export const repoId = (name: string) => stableNumber(9, "github-repo", name);

export const isPrivateRepo = (name: string) => repos.find((repo) => fullName(repo) === name)?.private ?? false;

export const repoDescription = (name: string) => repos.find((repo) => fullName(repo) === name)?.description ?? null;

/** The short repository object events carry. */
export function repoRef(name: string, view: GithubView) {
  return { id: repoId(name), name, url: `${view.apiBase}/repos/${name}` };
}

/** A repository as the repository list endpoints return it; its dates follow its seeded activity. */
export function renderRepo(repo: SeedRepo, view: GithubView) {
  const name = fullName(repo);
  const activity = events.filter((event) => event.repo === name && event.activity.type !== "WatchEvent");
  const latest = (filter: (event: SeedEvent) => boolean) =>
    activity.filter(filter).reduce((max, event) => Math.max(max, eventTime(event, view).getTime()), Date.parse(repo.createdAt));
  const pushedAt = latest((event) => event.activity.type === "PushEvent" || event.activity.type === "CreateEvent");
  const openIssues = activity.filter((event) => event.activity.type === "IssuesEvent" && event.activity.action === "opened").length;
  return {
    id: repoId(name),
    node_id: `R_${stableHex(12, "node", name)}`,
    name: repo.name,
    full_name: name,
    private: repo.private,
    owner: simpleUser(accountByLogin(repo.owner) ?? accountBySub(repo.owner), view),
    html_url: `${WEB_BASE}/${name}`,
    description: repo.description,
    fork: false,
    url: `${view.apiBase}/repos/${name}`,
    created_at: repo.createdAt,
    updated_at: timestamp(new Date(latest(() => true))),
    pushed_at: timestamp(new Date(pushedAt)),
    homepage: null,
    size: stableNumber(4, "size", name),
    stargazers_count: repo.stars,
    watchers_count: repo.stars,
    language: repo.language,
    has_issues: true,
    forks_count: repo.forks,
    archived: false,
    disabled: false,
    open_issues_count: openIssues,
    topics: repo.topics,
    visibility: repo.private ? "private" : "public",
    forks: repo.forks,
    open_issues: openIssues,
    watchers: repo.stars,
    default_branch: "main",
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
  };
}
