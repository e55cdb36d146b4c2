import { z } from "zod";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { listChannels } from "@/lib/integrations/slack";
import { declareTool } from "./pipeline";

export const listSlackChannels = declareTool({
  name: "list_slack_channels",
  title: "List Slack channels",
  about: "Lists the public channels of your Slack workspace.",
  description: "List the public Slack channels in the user's workspace.",
  risk: "read",
  inputSchema: z.object({
    limit: z.number().int().min(1).max(200).describe("How many channels at most.").optional(),
  }),
  authorizers: [tokenVault("sign-in-with-slack", ["channels:read"])],
  summary: ({ limit }) => `Listed Slack channels (at most ${limit ?? 50})`,
  run: async ({ limit }, { accessToken, entered }) => {
    const { channels, complete } = await listChannels(accessToken(), { limit: limit ?? 50 });
    entered({ slackChannels: channels.map((channel) => channel.name) });
    return complete ? { channels } : { channels, note: `Slack may have more channels than these ${channels.length}.` };
  },
});
