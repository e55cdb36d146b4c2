import { tool } from "ai";
import { z } from "zod";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { listRepositories } from "@/lib/integrations/github";
import type { ToolContext } from "./context";

export function listGithubRepositories(context: ToolContext) {
  return tool({
    description: "List the user's GitHub repositories, most recently updated first.",
    inputSchema: z.object({
      limit: z.number().int().min(1).max(50).describe("How many repositories at most.").optional(),
    }),
    execute: withTokenVault(context, { connection: "github", scopes: ["repo"] }, async ({ limit }, token) => ({
      repositories: await listRepositories(token, { limit: limit ?? 10 }),
    })),
  });
}
