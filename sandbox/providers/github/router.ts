import { Router } from "express";
import type { ProviderTokenVerifier } from "../../identity/provider-tokens";
import { grantOf } from "../access";
import type { SeedClock } from "../seed-clock";
import { requireGithubScopes, type GithubEndpoint } from "./auth";
import { GithubApiError, githubErrorHandler } from "./errors";
import { paginate } from "./pagination";
import { eventsOf } from "./events";
import { renderRepo, reposOf } from "./repos";
import { accountByLogin, accountBySub, renderAuthenticatedUser } from "./users";

export interface GithubContext {
  verify: ProviderTokenVerifier;
  clock: () => SeedClock;
  /** This server's stand-in for https://api.github.com, which API links in responses point at. */
  apiBase: string;
}

const getUser: GithubEndpoint = {
  accepted: ["read:user", "user"],
  docs: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
};
// Any token may list its user's repositories; without `repo` the list holds only the public ones ("Scopes for OAuth
// apps": no scope "grants read-only access to public information", `repo` "full access to public and private
// repositories"; `public_repo` is limited to public ones too).
const listRepos: GithubEndpoint = {
  accepted: [],
  docs: "https://docs.github.com/rest/repos/repos#list-repositories-for-the-authenticated-user",
};
const listUserEvents: GithubEndpoint = {
  accepted: ["read:user", "user"],
  docs: "https://docs.github.com/rest/activity/events#list-events-for-the-authenticated-user",
};

// The `sort` values of GET /user/repos and the repository fields they order by.
const SORT_FIELDS = { created: "created_at", updated: "updated_at", pushed: "pushed_at", full_name: "full_name" } as const;

function visibleWith(filter: string, isPrivate: boolean): boolean {
  if (filter === "private") return isPrivate;
  if (filter === "public") return !isPrivate;
  // "all" and "owner" list every repository the user owns; "member" only ones they merely belong to.
  return filter !== "member";
}

/** api.github.com under one prefix: the authenticated user, their repositories, and user events. */
export function githubRouter(context: GithubContext): Router {
  const router = Router();
  const view = () => ({ apiBase: context.apiBase, clock: context.clock() });
  router.use((_req, res, next) => {
    res.set("X-GitHub-Media-Type", "github.v3; format=json");
    next();
  });

  router.get("/user", requireGithubScopes(context.verify, getUser), (_req, res) => {
    res.json(renderAuthenticatedUser(accountBySub(grantOf(res).sub), view()));
  });

  router.get("/user/repos", requireGithubScopes(context.verify, listRepos), (req, res) => {
    const grant = grantOf(res);
    const account = accountBySub(grant.sub);
    const current = view();
    const seesPrivate = grant.scopes.includes("repo");
    const filter = String(req.query.visibility ?? req.query.type ?? "all");
    const sort = Object.keys(SORT_FIELDS).find((key) => key === req.query.sort) ?? "full_name";
    const field = SORT_FIELDS[sort as keyof typeof SORT_FIELDS];
    // GitHub sorts by name A to Z, and by dates newest first, unless told otherwise.
    const ascending = req.query.direction === "asc" || (req.query.direction !== "desc" && sort === "full_name");
    const listed = reposOf(account.login)
      .filter((repo) => (seesPrivate || !repo.private) && visibleWith(filter, repo.private))
      .map((repo) => renderRepo(repo, current))
      .sort((a, b) => (ascending ? 1 : -1) * a[field].localeCompare(b[field]));
    res.json(paginate(req, res, listed, context.apiBase));
  });

  router.get("/users/:username/events", requireGithubScopes(context.verify, listUserEvents), (req, res) => {
    const target = accountByLogin(String(req.params.username));
    if (!target) throw new GithubApiError(404, "Not Found", listUserEvents.docs);
    // Only the user themself sees their events on private repositories.
    const own = target.sub === grantOf(res).sub;
    res.json(paginate(req, res, eventsOf(target.login, own, view()), context.apiBase));
  });

  router.use(() => {
    throw new GithubApiError(404, "Not Found");
  });
  router.use(githubErrorHandler);
  return router;
}
