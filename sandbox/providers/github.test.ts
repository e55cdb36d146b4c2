import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProviders, type TestProviders } from "./test-support";

let sandbox: TestProviders;
let alice: string;
let bob: string;

beforeAll(async () => {
  sandbox = await startTestProviders({ now: new Date("2025-03-10T16:00:00Z"), timeZone: "America/New_York" });
  alice = await sandbox.issuer.mint({ sub: "auth0|alice", aud: "github", scopes: ["read:user", "repo"] });
  bob = await sandbox.issuer.mint({ sub: "auth0|bob", aud: "github", scopes: ["read:user", "repo"] });
});

afterAll(async () => {
  await sandbox?.close();
});

async function github(path: string, token: string) {
  const response = await fetch(`${sandbox.apis.baseUrls.github}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json" },
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

interface Repo {
  full_name: string;
  private: boolean;
  owner: { login: string };
  updated_at: string;
}

interface GithubEvent {
  type: string;
  repo: { name: string };
  public: boolean;
  payload: Record<string, unknown>;
  created_at: string;
}

describe("GitHub REST", () => {
  it("returns the authenticated user and the token's scopes", async () => {
    const { status, headers, body } = await github("/user", alice);
    expect(status).toBe(200);
    expect(headers.get("x-oauth-scopes")).toBe("read:user, repo");
    expect(body).toMatchObject({ login: "alice", name: "Alice Martin", email: "alice@example.com", type: "User" });
    expect(body.url).toBe(`${sandbox.apis.baseUrls.github}/users/alice`);
  });

  it("lists alice's two repositories, public and private", async () => {
    const { status, body } = await github("/user/repos?per_page=100&sort=updated", alice);
    expect(status).toBe(200);
    const repos = body as Repo[];
    expect(repos.map((repo) => [repo.full_name, repo.private])).toEqual([
      ["alice/trip-planner", false],
      ["alice/dotfiles", true],
    ]);
    expect(repos[0]).toMatchObject({ owner: { login: "alice" }, language: "TypeScript", stargazers_count: 42, html_url: expect.any(String) });
    expect(Date.parse(repos[0]!.updated_at)).toBeLessThanOrEqual(Date.parse("2025-03-10T16:00:00Z"));
    expect((await github("/user/repos?visibility=public", alice)).body.map((repo: Repo) => repo.full_name)).toEqual(["alice/trip-planner"]);
  });

  it("lists only public repositories for a token without the repo scope, and says which scopes it has", async () => {
    for (const scopes of [["read:user"], ["read:user", "public_repo"]]) {
      const token = await sandbox.issuer.mint({ sub: "auth0|alice", aud: "github", scopes });
      const { status, headers, body } = await github("/user/repos?per_page=100", token);
      expect(status).toBe(200);
      expect(headers.get("x-oauth-scopes")).toBe(scopes.join(", "));
      expect((body as Repo[]).map((repo) => repo.full_name)).toEqual(["alice/trip-planner"]);
    }
  });

  it("never shows bob alice's repositories or private activity", async () => {
    const repos = (await github("/user/repos", bob)).body as Repo[];
    expect(repos.map((repo) => repo.full_name)).toEqual(["bob/budget-tools", "bob/household-finances"]);
    const aliceSeenByBob = (await github("/users/alice/events", bob)).body as GithubEvent[];
    expect(aliceSeenByBob.length).toBeGreaterThan(0);
    expect(aliceSeenByBob.every((event) => event.public && event.repo.name !== "alice/dotfiles")).toBe(true);
    expect((await github("/user", bob)).body.login).toBe("bob");
  });

  it("lists the user's own events, private ones included, newest first, in the current payload format", async () => {
    const { body } = await github("/users/alice/events?per_page=30", alice);
    const events = body as GithubEvent[];
    expect(events.map((event) => event.created_at)).toEqual([...events.map((event) => event.created_at)].sort().reverse());
    expect(events.some((event) => event.repo.name === "alice/dotfiles" && !event.public)).toBe(true);
    const push = events.find((event) => event.type === "PushEvent");
    expect(push?.payload).toMatchObject({ ref: "refs/heads/main", head: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(push?.payload).not.toHaveProperty("commits");
    const pullRequest = events.find((event) => event.type === "PullRequestEvent");
    expect(pullRequest?.payload).toMatchObject({ action: "opened", number: 14, pull_request: { number: 14, head: { ref: "feature/budget-split" } } });
    const issue = events.find((event) => event.type === "IssuesEvent");
    expect(issue?.payload).toMatchObject({ action: "opened", issue: { number: 13, title: "Currency conversion rounds to whole euros" } });
  });

  it("paginates with per_page and a Link header", async () => {
    const { headers, body } = await github("/users/alice/events?per_page=2", alice);
    expect(body).toHaveLength(2);
    expect(headers.get("link")).toMatch(/<[^>]+\/github\/users\/alice\/events\?per_page=2&page=2>; rel="next"/);
  });

  it("accepts the `token` scheme and answers unknown users and paths with 404", async () => {
    const response = await fetch(`${sandbox.apis.baseUrls.github}/user`, { headers: { authorization: `token ${alice}` } });
    expect(response.status).toBe(200);
    const unknown = await github("/users/nobody-here/events", alice);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ message: "Not Found", status: "404" });
    expect((await github("/repos/alice/trip-planner/nothing", alice)).status).toBe(404);
  });

  it("gives an unknown user an empty account", async () => {
    const token = await sandbox.issuer.mint({ sub: "auth0|dave", aud: "github", scopes: ["read:user", "repo"] });
    expect((await github("/user", token)).body).toMatchObject({ login: "dave", public_repos: 0 });
    expect((await github("/user/repos", token)).body).toEqual([]);
  });
});
