import { tool } from "ai";
import { z } from "zod";
import type { ToolContext } from "@/lib/auth/tool-context";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { recentActivity } from "@/lib/integrations/github";

export function getGithubActivity(context: ToolContext) {
  return tool({
    description: "Show the user's recent GitHub activity: pushes, pull requests, issues.",
    inputSchema: z.object({
      limit: z.number().int().min(1).max(30).describe("How many events at most.").optional(),
    }),
    execute: withTokenVault(context, { connection: "github", scopes: ["read:user"] }, async ({ limit }, token) => ({
      activity: await recentActivity(token, { limit: limit ?? 10 }),
    })),
  });
}
