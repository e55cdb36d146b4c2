import "server-only";
import { FgaUnavailableError } from "@/lib/fga/client";
import { toolRef } from "@/lib/fga/organization";
import { checkToolUse } from "@/lib/fga/tool-permissions";
import type { Authorizer } from "./authorizer";

/** Where users switch tools on and off; named in every refusal so they know where to go. */
export const PERMISSIONS_PAGE = "Agent permissions (/permissions)";

/** What the model tells the user when a tool is switched off for them, by them or by the organisation's default. */
export function switchedOffMessage(title: string, byUser: boolean): string {
  return byUser
    ? `You switched off "${title}" for Delegate, so nothing was done and no service was asked. You can switch it back on in ${PERMISSIONS_PAGE}.`
    : `Your administrator switched off "${title}" for everyone, so nothing was done and no service was asked. You can switch it on for yourself in ${PERMISSIONS_PAGE}.`;
}

/**
 * The tool-permission authorizer, first for every tool (lib/ai/tools/pipeline.ts puts it there): asks FGA, at the
 * moment of the call, whether the user lets the agent use this tool. The model is offered only usable tools, but a
 * choice can change between the offer and the call, and a model can call what it was not offered; this is the
 * check that counts. No answer from FGA is a refusal.
 */
export function toolPermission(tool: { name: string; title: string }): Authorizer {
  return {
    kind: "tool-permission",
    label: "your permission on this page",
    async authorize(call, next) {
      let checked;
      try {
        checked = await checkToolUse(call.context.user.sub, tool.name);
      } catch (error) {
        if (!(error instanceof FgaUnavailableError)) throw error;
        await call.decide({ authorizer: "tool-permission", decision: "refused", evidence: { relation: "can_use", object: toolRef(tool.name), failure: "fga_unavailable" } });
        return { error: `The permission service did not answer, so "${tool.title}" was not used and nothing was done. Try again in a moment.` };
      }
      const { allowed, switchedOffByUser, ...evidence } = checked;
      await call.decide({ authorizer: "tool-permission", decision: allowed ? "granted" : "denied", evidence: { ...evidence, allowed, ...(allowed ? {} : { switchedOffBy: switchedOffByUser ? "user" : "default" }) } });
      return allowed ? next({ input: call.input }) : { error: switchedOffMessage(tool.title, switchedOffByUser) };
    },
  };
}
