import "server-only";
import { zodSchema, type Tool } from "ai";
import { z } from "zod";
import { AUDIT_UNAVAILABLE_MESSAGE, AuditUnavailableError, recordAuditEvent, type AuditEventInput } from "@/lib/audit/record";
import type { AuthorizationDecision, Authorizer, Grant, Stop } from "@/lib/auth/authorizer";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { isToolFailure, type ToolContext, type ToolFailure } from "@/lib/auth/tool-context";
import { askToolPermissionEarly, PERMISSIONS_PAGE, toolPermission } from "@/lib/auth/tool-permission";
import { getConfig } from "@/lib/config";
import { logError } from "@/lib/log";

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
  /** What it does, told to the user (Agent permissions); `description` tells the model. */
  about: string;
  description: string;
  risk: ToolRisk;
  inputSchema: z.ZodType<INPUT>;
  /**
   * Run in the order of AUTHORIZER_ORDER (lib/auth/authorizer.ts), every call, before `run`. The tool permission
   * is not listed here: the pipeline runs it first for every tool (authorizersOf).
   */
  authorizers: Authorizer[];
  /**
   * Checks that need no authority (does the shop sell it, is the price within the cap) and what the authorizers
   * are asked to allow. Without it they are asked to allow the input itself.
   */
  prepare?: (input: INPUT, context: ToolContext) => Promise<AUTHORIZED | ToolFailure>;
  /**
   * A question every call will need answered, whatever its input, begun as the model begins writing the call once
   * the permission asked then says yes, so that its round trip overlaps the model's. It decides nothing and does
   * nothing on the user's behalf (it may keep its answer: a search's listing is stored); the call, recorded and
   * authorized like any other, uses the answer or asks again.
   */
  askAhead?: (context: ToolContext) => void;
  /** One line for the audit trail, with no secret and nothing the user did not name themselves. */
  summary: (input: INPUT) => string;
  run: (input: NoInfer<AUTHORIZED>, run: ToolRun) => Promise<OUTPUT>;
}

/**
 * A declared tool: builds the AI SDK tool for one request, whose every call goes through the pipeline. A tool the
 * user does not let the agent use (`usable` false) is built without its inputs or its work: the model sees only its
 * name and that it is unavailable, and a call to it is refused by the tool-permission authorizer and recorded.
 */
export interface DeclaredTool<INPUT, OUTPUT, AUTHORIZED = INPUT> {
  (context: ToolContext, usable?: boolean): Tool<INPUT, OUTPUT | Stop>;
  declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>;
}

/** Marks the AI SDK tools the pipeline built, so a test can prove no tool bypasses it. */
export const PIPELINE = Symbol.for("delegate.tool-pipeline");

/**
 * Every call's authorizers: the tool permission first, whatever the tool declares, so a tool cannot be declared
 * without it; then the tool's own, in AUTHORIZER_ORDER.
 */
export const authorizersOf = (declaration: Pick<ToolDeclaration<never, unknown>, "name" | "title" | "authorizers">): Authorizer[] => [
  toolPermission(declaration),
  ...declaration.authorizers,
];

/** Whether each call of the tool waits for the user's yes in the chat (and so runs in a later request). */
export const needsChatApproval = (declaration: Pick<ToolDeclaration<never, unknown>, "authorizers">) =>
  declaration.authorizers.some((authorizer) => authorizer.kind === "in-chat-approval");

export function declareTool<INPUT, OUTPUT, AUTHORIZED = INPUT>(declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>): DeclaredTool<INPUT, OUTPUT, AUTHORIZED> {
  const unavailable = unavailableVariant(declaration);
  // A call that waits for the user's approval in the chat runs in a later request, which asks FGA itself.
  const runsThisTurn = !needsChatApproval(declaration);
  // Wrapped once per process: the AI SDK converts a bare Zod schema to JSON Schema again for every tool at every step
  // of every turn (some 8 ms of CPU a chat turn for the ten tools, in a profile of `next start`), while a wrapper
  // keeps its conversion. Validation is the same Zod schema's.
  const inputSchemas = { usable: zodSchema(declaration.inputSchema), unavailable: zodSchema(unavailable.inputSchema) };
  // The AI SDK's tool type resolves only for concrete input and output types, hence the cast: this is its shape.
  const build = (context: ToolContext, usable = true) => {
    const declared = (usable ? declaration : unavailable) as ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>;
    return {
      description: declared.description,
      // Streamed with each call, so a client without the declarations (the terminal) names it as the web chat does.
      title: declared.title,
      inputSchema: usable ? inputSchemas.usable : inputSchemas.unavailable,
      ...(usable &&
        runsThisTurn && {
          onInputStart: ({ toolCallId }: { toolCallId: string }) => {
            const allowed = askToolPermissionEarly(context, declared.name, toolCallId);
            if (declared.askAhead)
              void allowed.then((yes) => yes && declared.askAhead!(context)).catch((error: unknown) => logError("tools", `${declared.name}: asking ahead failed`, error));
          },
        }),
      execute: (input: INPUT, { toolCallId }: { toolCallId: string }) => runThroughPipeline(declared, context, input, toolCallId),
      [PIPELINE]: declared,
    } as unknown as Tool<INPUT, OUTPUT | Stop>;
  };
  return Object.assign(build, { declaration });
}

/**
 * What the model is offered of a tool the user switched off (or that FGA could not confirm): the name and an
 * honest description, no inputs, no work. The model can then tell the user why it cannot help, and the refusal is
 * an authorization decision in the trail like any other. Its only authorizer is the permission check itself; if
 * the tool was switched back on since the offer, the call still does nothing, as it carries no input to act on.
 */
function unavailableVariant(declaration: Pick<ToolDeclaration<never, unknown>, "name" | "title" | "about" | "description" | "risk">): ToolDeclaration<Record<string, unknown>, ToolFailure> {
  return {
    name: declaration.name,
    title: declaration.title,
    about: declaration.about,
    description: `Unavailable: the user switched off "${declaration.title}" in ${PERMISSIONS_PAGE} (or it could not be confirmed that they allow it). Calling it does nothing except say why and where to switch it back on. When on, it would: ${declaration.description}`,
    risk: declaration.risk,
    // Any arguments are accepted and ignored, so the call is refused and recorded, never rejected by the SDK: the
    // model may invent some, and a call the user approved before switching the tool off arrives with its own.
    inputSchema: z.looseObject({}),
    authorizers: [],
    summary: () => `Asked for "${declaration.title}" while it was unavailable`,
    run: async () => ({ error: `"${declaration.title}" can be used now, but was not available when this message began. Ask again to use it.` }),
  };
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
 * The one wrapper every call goes through. It records the call (while FGA is asked for the permission, or after it
 * answered, when asked as the model began the call: a question that acts on nothing), each authorizer's decision
 * after that and before it is acted on, and the outcome after.
 * When an event cannot be written, nothing more is done and the model is told so (fail closed): a call with no record
 * never reaches a provider.
 */
async function runThroughPipeline<INPUT, OUTPUT, AUTHORIZED>(
  declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>,
  context: ToolContext,
  input: INPUT,
  toolCallId: string,
): Promise<OUTPUT | Stop> {
  const started = performance.now();
  const finishBeforeTurnEnds = context.finishBeforeTurnEnds;
  if (!finishBeforeTurnEnds) {
    const { output, recorded } = await recordAndRun(declaration, context, input, toolCallId, started);
    await recorded;
    return output;
  }
  // Within a turn, the model goes on with the output while its result event is written. The turn takes this call
  // before anything else, so its end waits for the whole record even if the reply stops first (a Stop ends the
  // model's stream while a call may still be running).
  let settle = () => {};
  finishBeforeTurnEnds(new Promise<void>((resolve) => (settle = resolve)));
  try {
    const { output, recorded } = await recordAndRun(declaration, context, input, toolCallId, started);
    void recorded.finally(settle);
    return output;
  } catch (error) {
    settle();
    throw error;
  }
}

async function recordAndRun<INPUT, OUTPUT, AUTHORIZED>(
  declaration: ToolDeclaration<INPUT, OUTPUT, AUTHORIZED>,
  context: ToolContext,
  input: INPUT,
  toolCallId: string,
  started: number,
): Promise<{ output: OUTPUT | Stop; recorded: Promise<unknown> }> {
  const summary = declaration.summary(input);
  const event = (action: AuditEventInput["action"], outcome: AuditEventInput["outcome"], evidence: Record<string, unknown>, extra: Partial<AuditEventInput> = {}) =>
    recordAuditEvent({
      userId: context.user.sub,
      modelId: context.via?.channel === "mcp" ? undefined : getConfig().OPENAI_MODEL,
      chatId: context.chatId,
      turnId: context.turnId,
      toolCallId,
      action,
      input,
      summary,
      outcome,
      evidence: { tool: declaration.name, ...(context.via ? { via: context.via } : {}), ...evidence },
      ...extra,
    });
  const entered: EnteredContext = {};
  const attested: Record<string, unknown> = {};
  const result = (outcome: AuditEventInput["outcome"], details: Record<string, unknown>) =>
    // The work has happened (or failed): its outcome is recorded best effort, and recordAuditEvent logs a failure.
    event("tool.result", outcome, { ...attested, ...(Object.keys(entered).length > 0 ? { entered } : {}), ...details }, { durationMs: Math.round(performance.now() - started) }).catch(() => {});
  let output: OUTPUT | Stop;
  // An authorizer said no: the call's outcome is a denial, not a failure of the tool.
  let denied = false;
  const [permission, ...authorizers] = authorizersOf(declaration);
  // Written while FGA is asked for the permission, if it has not answered yet (a question, not an action); every
  // decision, and so everything done on one, comes after it in the chain.
  const called = event("tool.call", "started", { title: declaration.title, risk: declaration.risk, authorizers: [permission!, ...authorizers].map((a) => a.kind) });
  called.catch(() => {});
  try {
    const decide = async (decision: AuthorizationDecision) => {
      await called;
      if (OUTCOME_OF_DECISION[decision.decision] === "denied") denied = true;
      await event("tool.authorization", OUTCOME_OF_DECISION[decision.decision], { authorizer: decision.authorizer, decision: decision.decision, ...decision.evidence });
    };
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
    const chain = authorizers.reduceRight<(grant: Grant<AUTHORIZED>) => Promise<OUTPUT | Stop>>(
      // Each authorizer adds to what the ones before it granted (a token, then an approval of the same call).
      (next, authorizer) => (grant) => authorizer.authorize({ context, toolCallId, input: grant.input, decide }, (granted) => next({ ...grant, ...granted })),
      run,
    );
    // The permission comes before `prepare`, which may already ask a service (the shop's catalogue): a tool the
    // user switched off asks nothing of anyone.
    let permitted = false;
    output = await permission!.authorize({ context, toolCallId, input, decide }, async () => {
      await called;
      permitted = true;
      const prepared = declaration.prepare ? await declaration.prepare(input, context) : (input as unknown as AUTHORIZED);
      return isToolFailure(prepared) ? prepared : chain({ input: prepared });
    });
    // A call resumed after its tool was switched off: what the later authorizers left waiting for it (a request on
    // the user's phone) is ended, so it neither lingers there nor blocks the next request. Best effort: the refusal
    // stands either way, and a request left waiting expires on its own.
    if (!permitted) await cancelLeftWaiting(authorizers, context, toolCallId).catch((error: unknown) => logError("tools", "ending what a refused call left waiting failed", error));
    await called;
  } catch (error) {
    // The model relays this; the call did nothing past the event that could not be written. A call whose own event
    // was not written gets no result event either, whatever else went wrong meanwhile.
    const callRecorded = await called.then(
      () => true,
      () => false,
    );
    if (error instanceof AuditUnavailableError || !callRecorded) return { output: { error: AUDIT_UNAVAILABLE_MESSAGE }, recorded: Promise.resolve() };
    await result("error", { failure: "exception" });
    throw error;
  }
  const recorded = result(isInterruptedOutput(output) ? "interrupted" : isToolFailure(output) ? (denied ? "denied" : "error") : "done", isToolFailure(output) ? { message: output.error } : {});
  return { output, recorded };
}

async function cancelLeftWaiting(authorizers: Authorizer[], context: ToolContext, toolCallId: string) {
  for (const authorizer of authorizers) await authorizer.cancel?.({ context, toolCallId });
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
  await cancelLeftWaiting(authorizersOf(declaration), context, toolCallId);
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
