import { findUserBySub } from "../../identity/users";
import { stableHex, stableNumber } from "../stable-ids";
import { accounts, repos, type SeedAccount } from "./seed";
import { type GithubView, WEB_BASE } from "./view";

export function accountBySub(sub: string): SeedAccount {
  const account = accounts.find((candidate) => candidate.sub === sub);
  if (account) return account;
  // Someone the sandbox has no seed for still has an (empty) account, named after their user id.
  const login = sub.replace(/^.*\|/, "").replace(/[^A-Za-z0-9-]/g, "-") || "user";
  return {
    sub,
    login,
    id: stableNumber(8, "github-user", sub),
    company: null,
    location: "",
    bio: "",
    blog: "",
    followers: 0,
    following: 0,
    createdAt: "2024-01-01T00:00:00Z",
  };
}

export function accountByLogin(login: string): SeedAccount | undefined {
  return accounts.find((candidate) => candidate.login.toLowerCase() === login.toLowerCase());
}

/** The short user object GitHub nests as `owner`, `user` or `actor`. */
export function simpleUser(account: SeedAccount, view: GithubView) {
  return {
    login: account.login,
    id: account.id,
    node_id: `U_${stableHex(12, "node", account.login)}`,
    avatar_url: `${WEB_BASE}/${account.login}.png`,
    gravatar_id: "",
    url: `${view.apiBase}/users/${account.login}`,
    html_url: `${WEB_BASE}/${account.login}`,
    type: "User",
    site_admin: false,
  };
}

/** The authenticated user, private profile fields included, as GET /user returns it. */
export function renderAuthenticatedUser(account: SeedAccount, view: GithubView) {
  const owned = repos.filter((repo) => repo.owner === account.login);
  const privateRepos = owned.filter((repo) => repo.private).length;
  const profile = findUserBySub(account.sub);
  return {
    ...simpleUser(account, view),
    user_view_type: "private",
    name: profile?.name ?? null,
    company: account.company,
    blog: account.blog,
    location: account.location,
    email: profile?.email ?? null,
    hireable: null,
    bio: account.bio,
    twitter_username: null,
    public_repos: owned.length - privateRepos,
    public_gists: 0,
    followers: account.followers,
    following: account.following,
    created_at: account.createdAt,
    updated_at: account.createdAt,
    private_gists: 0,
    total_private_repos: privateRepos,
    owned_private_repos: privateRepos,
    disk_usage: 2048,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: "free", space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}
