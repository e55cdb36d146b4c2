import { z } from "zod";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { recentActivity } from "@/lib/integrations/github";
import { declareTool } from "./pipeline";

export const getGithubActivity = declareTool({
  name: "get_github_activity",
  title: "See your GitHub activity",
  about: "Reads your recent GitHub pushes, pull requests and issues.",
  description: "Show the user's recent GitHub activity: pushes, pull requests, issues.",
  risk: "read",
  inputSchema: z.object({
    limit: z.number().int().min(1).max(30).describe("How many events at most.").optional(),
  }),
  authorizers: [tokenVault("github", ["read:user"])],
  summary: ({ limit }) => `Read recent GitHub activity (at most ${limit ?? 10} events)`,
  run: async ({ limit }, { accessToken, entered }) => {
    const activity = await recentActivity(accessToken(), { limit: limit ?? 10 });
    entered({ githubRepositories: [...new Set(activity.map((event) => event.repository))] });
    return { activity };
  },
});
