import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getGithubActivity } from "@/lib/ai/tools/get-github-activity";
import { listGithubRepositories, PUBLIC_ONLY_NOTE } from "@/lib/ai/tools/list-github-repositories";
import { contextOf, providerOrigin, run } from "@/lib/ai/tools/test-support";
import { clearFaults, injectFault } from "@/sandbox/faults";
import { githubPrimaryLimit, githubSecondaryLimit } from "@/sandbox/providers/documented-faults";
import { startSandboxHarness, type SandboxHarness, type SignedInUser } from "@/sandbox/test-harness";

// GitHub through the tools, against the sandbox stand-in driven into GitHub's documented answers.
const REPOS = "/github/user/repos";
const USER = "/github/user";

let sandbox: SandboxHarness;
let alice: SignedInUser;

beforeAll(async () => {
  sandbox = await startSandboxHarness();
  alice = await sandbox.signIn("alice@example.com");
  await sandbox.connect(alice, "github", ["read:user", "repo"]);
});

afterEach(async () => {
  for (const origin of [providerOrigin(), sandbox.issuer]) await clearFaults(origin);
});
afterAll(() => sandbox?.close());

const repositories = (user = alice) => run(listGithubRepositories(contextOf(user)), {});
const names = (result: Record<string, unknown>) => (result.repositories as { name: string }[]).map((repo) => repo.name);

describe("GitHub rate limits", () => {
  it("waits for the reset of an exhausted primary limit — too long here, so the user hears when to try again", async () => {
    await injectFault(providerOrigin(), githubPrimaryLimit(REPOS, 600));
    const result = await repositories();
    expect(result).toEqual({ error: expect.stringMatching(/^GitHub is limiting requests right now\. Try again in (10|11) minutes\.$/) });
  });

  it("retries a secondary limit after the retry-after it names, and lists the repositories", async () => {
    await injectFault(providerOrigin(), githubSecondaryLimit(REPOS, 1));
    expect(names(await repositories())).toEqual(["alice/trip-planner", "alice/dotfiles"]);
  });

  it("reads a secondary 403 without retry-after as 'wait a minute', not as a missing permission", async () => {
    await injectFault(providerOrigin(), githubSecondaryLimit(USER));
    const result = await run(getGithubActivity(contextOf(alice)), {});
    expect(result).toEqual({ error: "GitHub is limiting requests right now. Try again in 60 seconds." });
  });

  it("says how long a 429 secondary limit asks to wait", async () => {
    await injectFault(providerOrigin(), githubSecondaryLimit(REPOS, 45, 429));
    expect(await repositories()).toEqual({ error: "GitHub is limiting requests right now. Try again in 45 seconds." });
  });
});

describe("GitHub repositories without the repo scope", () => {
  it("lists private repositories with repo, and says the list is public-only when GitHub did not grant it", async () => {
    expect(await repositories()).toEqual({ repositories: expect.any(Array) });
    expect(names(await repositories())).toContain("alice/dotfiles");

    // Bob's GitHub grant lacks `repo`, and the Token Vault answer names no scopes (so the app takes it as asked).
    const bob = await sandbox.signIn("bob@example.com");
    await sandbox.connect(bob, "github", ["read:user"]);
    const token = await sandbox.providerToken(bob, "github");
    await injectFault(sandbox.issuer, {
      method: "POST",
      path: "/oauth/token",
      params: { connection: "github" },
      status: 200,
      body: { access_token: token, token_type: "Bearer", expires_in: 3600, issued_token_type: "http://auth0.com/oauth/token-type/federated-connection-access-token" },
    });
    const result = await repositories(bob);
    expect(names(result)).toEqual(["bob/budget-tools"]);
    expect(result.note).toBe(PUBLIC_ONLY_NOTE);
  });
});
