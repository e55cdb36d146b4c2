import { tool } from "ai";
import { z } from "zod";
import type { ToolContext } from "@/lib/auth/tool-context";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { listChannels } from "@/lib/integrations/slack";

export function listSlackChannels(context: ToolContext) {
  return tool({
    description: "List the public Slack channels in the user's workspace.",
    inputSchema: z.object({
      limit: z.number().int().min(1).max(200).describe("How many channels at most.").optional(),
    }),
    execute: withTokenVault(context, { connection: "sign-in-with-slack", scopes: ["channels:read"] }, async ({ limit }, token) => {
      const { channels, complete } = await listChannels(token, { limit: limit ?? 50 });
      return complete ? { channels } : { channels, note: `Slack may have more channels than these ${channels.length}.` };
    }),
  });
}
