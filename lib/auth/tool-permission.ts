import "server-only";
import { FgaUnavailableError } from "@/lib/fga/client";
import { toolRef } from "@/lib/fga/organization";
import { checkToolUse, type ToolPermissionCheck } from "@/lib/fga/tool-permissions";
import type { Authorizer } from "./authorizer";
import type { ToolContext } from "./tool-context";

/** Where users switch tools on and off; named in every refusal so they know where to go. */
export const PERMISSIONS_PAGE = "Agent permissions (/permissions)";

/** What the model tells the user when a tool is switched off for them, by them or by the organisation's default. */
export function switchedOffMessage(title: string, byUser: boolean): string {
  return byUser
    ? `You switched off "${title}" for Delegate, so nothing was done and no service was asked. You can switch it back on in ${PERMISSIONS_PAGE}.`
    : `Your administrator switched off "${title}" for everyone, so nothing was done and no service was asked. You can switch it on for yourself in ${PERMISSIONS_PAGE}.`;
}

/**
 * The longest an answer asked as the model began writing a call may stand when the call runs. The model writes a
 * call's input for tens of milliseconds (a short one) to seconds (an email's body); past this, FGA is asked again.
 */
const EARLY_ANSWER_MAX_AGE_MS = 1_000;

/** Answers asked as the model began each call of a turn, by the turn's context and the call's id. */
const askedEarly = new WeakMap<ToolContext, Map<string, { tool: string; askedAt: number; answer: Promise<ToolPermissionCheck> }>>();

/**
 * Asks FGA about a call as the model begins writing it (the AI SDK's onInputStart), so that the answer is there, or
 * on its way, when the call runs: FGA's round trip overlaps the model's, rather than following it.
 */
export function askToolPermissionEarly(context: ToolContext, tool: string, toolCallId: string): void {
  const answer = checkToolUse(context.user.sub, tool);
  // Awaited, and its failure handled, by the call; a call the model never finishes leaves it unread.
  answer.catch(() => {});
  const calls = askedEarly.get(context) ?? new Map();
  askedEarly.set(context, calls.set(toolCallId, { tool, askedAt: performance.now(), answer }));
}

/** The early answer for this call, taken once, if it was asked recently enough; else FGA is asked now. */
function permissionNow(context: ToolContext, tool: string, toolCallId: string): Promise<ToolPermissionCheck> {
  const calls = askedEarly.get(context);
  const early = calls?.get(toolCallId);
  calls?.delete(toolCallId);
  return early?.tool === tool && performance.now() - early.askedAt <= EARLY_ANSWER_MAX_AGE_MS ? early.answer : checkToolUse(context.user.sub, tool);
}

/**
 * The tool-permission authorizer, first for every tool (lib/ai/tools/pipeline.ts puts it there): asks FGA, at the
 * moment of the call, whether the user lets the agent use this tool. The model is offered only usable tools, but a
 * choice can change between the offer and the call, and a model can call what it was not offered; this is the
 * check that counts. No answer from FGA is a refusal. "The moment of the call" is when the model began writing it,
 * if that was at most EARLY_ANSWER_MAX_AGE_MS before it runs (askToolPermissionEarly).
 */
export function toolPermission(tool: { name: string; title: string }): Authorizer {
  return {
    kind: "tool-permission",
    label: "your permission on this page",
    async authorize(call, next) {
      let checked;
      try {
        checked = await permissionNow(call.context, tool.name, call.toolCallId);
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
