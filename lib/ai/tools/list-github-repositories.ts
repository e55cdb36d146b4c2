import { z } from "zod";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { listRepositories } from "@/lib/integrations/github";
import { declareTool } from "./pipeline";

// A user asking for "my repositories" means the private ones too, so the tool asks for `repo` (lib/auth/connections
// says so to the user). GitHub can still answer with public ones only — the GitHub connection in Auth0 not asking
// for `repo`, or an answer from Token Vault that names no scopes — and then the list must say it is partial.
export const PUBLIC_ONLY_NOTE =
  "Only public repositories are listed: GitHub has not granted Delegate the \"repo\" permission, so private ones are missing. " +
  "To include them, Delegate's GitHub connection must request \"repo\" (an administrator's setting) and you reconnect GitHub.";

export const listGithubRepositories = declareTool({
  name: "list_github_repositories",
  title: "List your GitHub repositories",
  about: "Lists your GitHub repositories.",
  description: "List the user's GitHub repositories, most recently updated first.",
  risk: "read",
  inputSchema: z.object({
    limit: z.number().int().min(1).max(50).describe("How many repositories at most.").optional(),
  }),
  authorizers: [tokenVault("github", ["repo"])],
  summary: ({ limit }) => `Listed GitHub repositories (at most ${limit ?? 10})`,
  run: async ({ limit }, { accessToken, entered }) => {
    const { repositories, includesPrivate } = await listRepositories(accessToken(), { limit: limit ?? 10 });
    entered({ githubRepositories: repositories.map((repository) => repository.name) });
    return includesPrivate ? { repositories } : { repositories, note: PUBLIC_ONLY_NOTE };
  },
});
