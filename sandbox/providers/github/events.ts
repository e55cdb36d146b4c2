import { stableHex, stableNumber } from "../stable-ids";
import { repoDescription, repoId, isPrivateRepo, repoRef } from "./repos";
import { events, type SeedEvent } from "./seed";
import { accountByLogin, accountBySub, simpleUser } from "./users";
import { eventTime, type GithubView, timestamp, WEB_BASE } from "./view";

const sha = (...parts: string[]) => stableHex(40, "sha", ...parts);

/**
 * The event payload as the Events API returns it since October 2025: push events no longer list
 * commits (nor their count), and pull request events carry only the pull request's number and
 * branches, not its title or body. Clients that want those have to ask the Commits or Pulls API.
 */
function payloadOf(event: SeedEvent, created: Date, view: GithubView) {
  const { activity } = event;
  switch (activity.type) {
    case "PushEvent":
      return {
        repository_id: repoId(event.repo),
        push_id: stableNumber(11, "push", event.key),
        ref: `refs/heads/${activity.branch}`,
        head: sha(event.key, "head"),
        before: sha(event.key, "before"),
      };
    case "PullRequestEvent": {
      const branch = (ref: string, role: string) => ({ ref, sha: sha(event.key, role), repo: repoRef(event.repo, view) });
      return {
        action: activity.action,
        number: activity.number,
        pull_request: {
          url: `${view.apiBase}/repos/${event.repo}/pulls/${activity.number}`,
          id: stableNumber(10, "pull", event.repo, activity.number),
          number: activity.number,
          head: branch(activity.head, "pr-head"),
          base: branch(activity.base, "pr-base"),
        },
      };
    }
    case "IssuesEvent": {
      const at = timestamp(created);
      return {
        action: activity.action,
        issue: {
          url: `${view.apiBase}/repos/${event.repo}/issues/${activity.number}`,
          repository_url: `${view.apiBase}/repos/${event.repo}`,
          html_url: `${WEB_BASE}/${event.repo}/issues/${activity.number}`,
          id: stableNumber(10, "issue", event.repo, activity.number),
          number: activity.number,
          title: activity.title,
          user: simpleUser(accountByLogin(event.actor) ?? accountBySub(event.actor), view),
          labels: [],
          state: activity.action === "closed" ? "closed" : "open",
          comments: 0,
          created_at: at,
          updated_at: at,
          closed_at: activity.action === "closed" ? at : null,
          body: activity.body,
        },
      };
    }
    case "CreateEvent":
      return {
        ref: activity.ref,
        ref_type: activity.refType,
        master_branch: "main",
        description: repoDescription(event.repo),
        pusher_type: "user",
      };
    case "WatchEvent":
      return { action: "started" };
  }
}

/** Events performed by `login`, newest first; those on private repositories only when `includePrivate`. */
export function eventsOf(login: string, includePrivate: boolean, view: GithubView) {
  return events
    .filter((event) => event.actor === login && (includePrivate || !isPrivateRepo(event.repo)))
    .map((event) => ({ event, created: eventTime(event, view) }))
    .sort((a, b) => b.created.getTime() - a.created.getTime())
    .map(({ event, created }) => {
      const { login: actorLogin, id, url, avatar_url } = simpleUser(accountByLogin(event.actor) ?? accountBySub(event.actor), view);
      return {
        id: String(stableNumber(11, "event", event.key)),
        type: event.activity.type,
        actor: { id, login: actorLogin, display_login: actorLogin, gravatar_id: "", url, avatar_url },
        repo: repoRef(event.repo, view),
        payload: payloadOf(event, created, view),
        public: !isPrivateRepo(event.repo),
        created_at: timestamp(created),
      };
    });
}
