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
 * The longest a "yes" asked as the model began writing a call may stand when the call runs. The AI SDK runs a turn's
 * calls once the model's whole response has ended, so the answer's age is the rest of that response: tens of
 * milliseconds after a short call, seconds after a long one (an email's body). Past this, FGA is asked again.
 */
const EARLY_YES_MAX_AGE_MS = 1_000;
/** The most calls of one turn asked about early: a model server starting endless calls gets no more FGA questions. */
const EARLY_CALLS_PER_TURN = 16;

interface EarlyAnswer {
  tool: string;
  askedAt: number;
  /** FGA's answer, or its failure with how long FGA took to fail. */
  answer: Promise<{ answer: ToolPermissionCheck } | { error: unknown; tookMs: number }>;
}

/** Answers asked as the model began each call of a turn, by the turn's context and the call's id. */
const askedEarly = new WeakMap<ToolContext, { asked: number; calls: Map<string, EarlyAnswer> }>();

/**
 * Asks FGA about a call as the model begins writing it (the AI SDK's onInputStart), so that the answer is there, or
 * on its way, when the call runs: FGA's round trip overlaps the model's, rather than following it. Settles to whether
 * the answer was yes (false for a no, a failure, or a call past the turn's limit), never rejects.
 */
export function askToolPermissionEarly(context: ToolContext, tool: string, toolCallId: string): Promise<boolean> {
  const turn = askedEarly.get(context) ?? { asked: 0, calls: new Map<string, EarlyAnswer>() };
  askedEarly.set(context, turn);
  if (turn.asked >= EARLY_CALLS_PER_TURN) return Promise.resolve(false);
  turn.asked += 1;
  const askedAt = performance.now();
  const answer = checkToolUse(context.user.sub, tool).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error, tookMs: performance.now() - askedAt }),
  );
  turn.calls.set(toolCallId, { tool, askedAt, answer });
  return answer.then((checked) => "answer" in checked && checked.answer.allowed);
}

/**
 * The permission the call runs on, with how long before the call it was asked. An early answer is taken once, and
 * only a recent "yes" stands: a "no" or a quick failure is asked again, as the user may have switched the tool on
 * since, and FGA may be back. A failure that took longer than a yes may stand (FGA stalled until the request timed
 * out) is final, so the call does not wait for a second timeout.
 */
async function permissionNow(context: ToolContext, tool: string, toolCallId: string): Promise<ToolPermissionCheck & { askedMsBeforeCall?: number }> {
  const calls = askedEarly.get(context)?.calls;
  const early = calls?.get(toolCallId);
  calls?.delete(toolCallId);
  if (early?.tool === tool) {
    const checked = await early.answer;
    if ("error" in checked && checked.tookMs > EARLY_YES_MAX_AGE_MS) throw checked.error;
    const age = performance.now() - early.askedAt;
    if ("answer" in checked && checked.answer.allowed && age <= EARLY_YES_MAX_AGE_MS) return { ...checked.answer, askedMsBeforeCall: Math.round(age) };
  }
  return checkToolUse(context.user.sub, tool);
}

/**
 * The tool-permission authorizer, first for every tool (lib/ai/tools/pipeline.ts puts it there): asks FGA, at the
 * moment of the call, whether the user lets the agent use this tool. The model is offered only usable tools, but a
 * choice can change between the offer and the call, and a model can call what it was not offered; this is the
 * check that counts. No answer from FGA is a refusal. A "yes" may come from when the model began writing the call,
 * at most EARLY_YES_MAX_AGE_MS before it runs (askToolPermissionEarly); the trail then records how long before.
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
