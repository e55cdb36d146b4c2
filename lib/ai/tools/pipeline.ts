import "server-only";
import type { Tool } from "ai";
import type { z } from "zod";
import { AUDIT_UNAVAILABLE_MESSAGE, AuditUnavailableError, recordAuditEvent, type AuditEventInput } from "@/lib/audit/record";
import type { AuthorizationDecision, Authorizer, Grant, Stop } from "@/lib/auth/authorizer";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { isToolFailure, type ToolContext, type ToolFailure } from "@/lib/auth/tool-context";
import { getConfig } from "@/lib/config";

export type ToolRisk = "read" | "write" | "spend";

/** Ids of the data a call put in front of the model, by kind ("documents", "chunks", "gmailMessages"). */
export type EnteredContext = Record<string, string[]>;

/** What a tool's work gets besides its input. */
export interface ToolRun {
  context: ToolContext;
  toolCallId: string;
  /**
   * The provider token an authorizer obtained for this call; never stored, never logged. Throws for a tool that
   * declares no authorizer that obtains one, so a misdeclared tool fails instead of calling a provider without.
   */
  accessToken: () => string;
  /** Names the data that reaches the model's context, for the audit trail (ids only, never content). */
  entered: (data: EnteredContext) => void;
  /**
   * Adds to the result event's evidence the decisions the work made itself (the FGA questions retrieval asked):
   * bounded, ids only, never content or a token.
   */
  evidence: (details: Record<string, unknown>) => void;
}

/** A tool, declared in one place: what the model sees, what the user sees, and what must allow each call. */
export interface ToolDeclaration<INPUT, OUTPUT, AUTHORIZED = INPUT> {
  /** The name the model calls it by. */
  name: string;
  /** What the user reads about it ("Buy products"). */
  title: string;
  description: string;
  risk: ToolRisk;
  inputSchema: z.ZodType<INPUT>;
  /** Run in the order of AUTHORIZER_ORDER (lib/auth/authorizer.ts), every call, before `run`. */
  authorizers: Authorizer[];
  /**
   * Checks that need no authority (does the shop sell it, is the price within the cap) and what the authorizers
   * are asked to allow. Without it they are asked to allow the input itself.
   */
  prepare?: (input: INPUT, context: ToolContext) => Promise<AUTHORIZED | ToolFailure>;
  /** One line for the audit trail, with no secret and nothing the user did not name themselves. */
  summary: (input: INPUT) => string;
  run: (input: NoInfer<AUTHORIZED>, run: ToolRun) => Promise<OUTPUT>;
}

/** A declared tool: builds the AI SDK tool for one request, whose every call goes through the pipeline. */
export interface DeclaredTool<INPUT, OUTPUT, AUTHORIZED = INPUT> {
  (context: ToolContext): Tool<INPUT, OUTPUT | Stop>;
  declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>;
}

/** Marks the AI SDK tools the pipeline built, so a test can prove no tool bypasses it. */
export const PIPELINE = Symbol.for("delegate.tool-pipeline");

export function declareTool<INPUT, OUTPUT, AUTHORIZED = INPUT>(declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>): DeclaredTool<INPUT, OUTPUT, AUTHORIZED> {
  // The AI SDK's tool type resolves only for concrete input and output types, hence the cast: this is its shape.
  const build = (context: ToolContext) =>
    ({
      description: declaration.description,
      inputSchema: declaration.inputSchema,
      execute: (input: INPUT, { toolCallId }: { toolCallId: string }) => runThroughPipeline(declaration, context, input, toolCallId),
      [PIPELINE]: declaration,
    }) as unknown as Tool<INPUT, OUTPUT | Stop>;
  return Object.assign(build, { declaration });
}


const OUTCOME_OF_DECISION: Record<AuthorizationDecision["decision"], AuditEventInput["outcome"]> = {
  granted: "done",
  verified: "done",
  interrupted: "interrupted",
  requested: "interrupted",
  refused: "denied",
  denied: "denied",
  expired: "denied",
  cancelled: "cancelled",
};

/**
 * The one wrapper every call goes through. It records the call before anything happens, each authorizer's
 * decision before it is acted on, and the outcome after. When an event cannot be written, nothing more is done
 * and the model is told so (fail closed): a call with no record never reaches a provider.
 */
async function runThroughPipeline<INPUT, OUTPUT, AUTHORIZED>(
  declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>,
  context: ToolContext,
  input: INPUT,
  toolCallId: string,
): Promise<OUTPUT | Stop> {
  const started = performance.now();
  const summary = declaration.summary(input);
  const event = (action: AuditEventInput["action"], outcome: AuditEventInput["outcome"], evidence: Record<string, unknown>, extra: Partial<AuditEventInput> = {}) =>
    recordAuditEvent({
      userId: context.user.sub,
      modelId: getConfig().OPENAI_MODEL,
      chatId: context.chatId,
      turnId: context.turnId,
      toolCallId,
      action,
      input,
      summary,
      outcome,
      evidence: { tool: declaration.name, ...evidence },
      ...extra,
    });
  const entered: EnteredContext = {};
  const attested: Record<string, unknown> = {};
  const result = (outcome: AuditEventInput["outcome"], details: Record<string, unknown>) =>
    // The work has happened (or failed): its outcome is recorded best effort, and recordAuditEvent logs a failure.
    event("tool.result", outcome, { ...attested, ...(Object.keys(entered).length > 0 ? { entered } : {}), ...details }, { durationMs: Math.round(performance.now() - started) }).catch(() => {});
  let output: OUTPUT | Stop;
  try {
    await event("tool.call", "started", { title: declaration.title, risk: declaration.risk, authorizers: declaration.authorizers.map((a) => a.kind) });
    const prepared = declaration.prepare ? await declaration.prepare(input, context) : (input as unknown as AUTHORIZED);
    if (isToolFailure(prepared)) output = prepared;
    else {
      const decide = (decision: AuthorizationDecision) =>
        event("tool.authorization", OUTCOME_OF_DECISION[decision.decision], { authorizer: decision.authorizer, decision: decision.decision, ...decision.evidence }).then(() => {});
      const run = (grant: Grant<AUTHORIZED>) =>
        declaration.run(grant.input, {
          context,
          toolCallId,
          accessToken: () => {
            if (!grant.accessToken) throw new Error(`${declaration.name}: no authorizer obtained a token`);
            return grant.accessToken;
          },
          entered: (data) => Object.entries(data).forEach(([kind, ids]) => (entered[kind] = [...(entered[kind] ?? []), ...ids])),
          evidence: (details) => Object.assign(attested, details),
        });
      const chain = declaration.authorizers.reduceRight<(grant: Grant<AUTHORIZED>) => Promise<OUTPUT | Stop>>(
        // Each authorizer adds to what the ones before it granted (a token, then an approval of the same call).
        (next, authorizer) => (grant) => authorizer.authorize({ context, toolCallId, input: grant.input, decide }, (granted) => next({ ...grant, ...granted })),
        run,
      );
      output = await chain({ input: prepared });
    }
  } catch (error) {
    // The model relays this; the call did nothing past the event that could not be written.
    if (error instanceof AuditUnavailableError) return { error: AUDIT_UNAVAILABLE_MESSAGE };
    await result("error", { failure: "exception" });
    throw error;
  }
  await result(isInterruptedOutput(output) ? "interrupted" : isToolFailure(output) ? "error" : "done", isToolFailure(output) ? { message: output.error } : {});
  return output;
}

/**
 * The user cancelled an interrupted call: every authorizer of the tool ends what it left waiting (a CIBA request
 * is never polled again, so a late approval on the device does nothing), and the trail records the cancellation.
 * Recording is best effort here: refusing a cancellation would leave more running, not less.
 */
export async function cancelThroughPipeline<INPUT, OUTPUT, AUTHORIZED>(
  declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>,
  context: ToolContext,
  input: INPUT,
  toolCallId: string,
): Promise<void> {
  for (const authorizer of declaration.authorizers) await authorizer.cancel?.({ context, toolCallId });
  await recordAuditEvent({
    userId: context.user.sub,
    modelId: getConfig().OPENAI_MODEL,
    chatId: context.chatId,
    turnId: context.turnId,
    toolCallId,
    action: "tool.result",
    input,
    summary: declaration.summary(input),
    outcome: "cancelled",
    evidence: { tool: declaration.name, cancelledBy: "user" },
  }).catch(() => {});
}
