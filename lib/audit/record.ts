import "server-only";
import { canonicalJson, sha256Hex } from "@/db/audit-chain";
import { appendAuditEvent } from "@/db/queries/audit";
import type { AuditOutcome } from "@/db/schema";
import { getConfig } from "@/lib/config";
import { apiError } from "@/lib/errors";
import { logError } from "@/lib/log";

export type AuditAction =
  | "document.upload"
  | "document.download"
  | "document.share"
  | "document.unshare"
  | "document.publish"
  | "document.delete"
  | "auth.sign_in"
  | "auth.sign_out"
  // The user's own choice for a tool, and an administrator's default for everyone (/permissions).
  | "permission.change"
  | "permission.change_default"
  // A tool call, written by the pipeline (lib/ai/tools/pipeline.ts): requested before anything happens, one event
  // per authorizer decision, and the result with its duration and the data that entered the model's context.
  | "tool.call"
  | "tool.authorization"
  | "tool.result"
  // Accounts the agent may act on: connecting grants it authority over the account, disconnecting takes it back.
  | "account.connect"
  | "account.disconnect"
  // The user's own history read out in bulk (lib/audit/export.ts).
  | "activity.export";

export interface AuditEventInput {
  userId: string;
  action: AuditAction;
  /** What allowed the action (e.g. the FGA relation and object checked) and the ids it touched; never a token. */
  evidence: Record<string, unknown>;
  /** The action's input: only its SHA-256 digest is stored. */
  input?: unknown;
  /** One readable line, already free of secrets and of content the user did not name. */
  summary: string;
  outcome: AuditOutcome;
  modelId?: string;
  chatId?: string;
  turnId?: string;
  toolCallId?: string;
  durationMs?: number;
}

/** A written event: its id, and its place in the user's history (the keyset order of the Activity page). */
export interface RecordedEvent {
  id: string;
  occurredAt: Date;
  sequence: number;
}

/** The audit trail could not be written, so the action it describes must not happen. */
export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The one way events are written. Throws AuditUnavailableError when the event cannot be stored: callers record
 * before they act and do not act when this throws (fail closed). The agent is this application's client id.
 */
export async function recordAuditEvent(input: AuditEventInput): Promise<RecordedEvent> {
  const config = getConfig();
  const occurredAt = new Date();
  const id = crypto.randomUUID();
  try {
    const { sequence } = await appendAuditEvent(
      {
        id,
        userId: input.userId,
        occurredAt,
        agentId: config.AUTH0_CLIENT_ID,
        modelId: input.modelId ?? null,
        chatId: input.chatId ?? null,
        turnId: input.turnId ?? null,
        toolCallId: input.toolCallId ?? null,
        action: input.action,
        evidence: input.evidence,
        inputDigest: input.input === undefined ? null : inputDigest(input.input),
        summary: input.summary,
        outcome: input.outcome,
        durationMs: input.durationMs ?? null,
      },
      { pruneBefore: new Date(occurredAt.getTime() - config.AUDIT_RETENTION_DAYS * DAY_MS) },
    );
    return { id, occurredAt, sequence };
  } catch (error) {
    logError("audit", "event could not be written", error);
    throw new AuditUnavailableError("the audit event could not be written", { cause: error });
  }
}

/** SHA-256 of the canonical JSON of an input. */
export const inputDigest = (input: unknown): string => sha256Hex(canonicalJson(input));

export const AUDIT_UNAVAILABLE_MESSAGE = "The activity record is not available, so nothing was done. Try again in a moment.";

/** A route's action as the audit trail records it; its outcome is "done" unless it fails. */
export type AuditedAction = Omit<AuditEventInput, "outcome" | "durationMs">;

/**
 * Runs a route's action only once its event is recorded: if the event cannot be written, the action does not run
 * and the user gets a 503 that says so. Routes call this after every check has passed, so the event is an authorized
 * action being carried out. If the action then fails (throws or answers an error), a second event with outcome
 * "error", naming the first, records that; writing it is best effort, as the action has already failed.
 */
export async function audited(event: AuditedAction, act: (recorded: RecordedEvent) => Promise<Response>): Promise<Response> {
  let recorded: RecordedEvent;
  try {
    recorded = await recordAuditEvent({ ...event, outcome: "done" });
  } catch (error) {
    if (error instanceof AuditUnavailableError) return apiError("unavailable", AUDIT_UNAVAILABLE_MESSAGE);
    throw error;
  }
  const started = performance.now();
  const recordFailure = (status: number | null) =>
    recordAuditEvent({
      ...event,
      evidence: { ...event.evidence, failureOf: recorded.id, ...(status === null ? {} : { status }) },
      summary: `${event.summary} (failed)`,
      outcome: "error",
      durationMs: Math.round(performance.now() - started),
    }).catch(() => {});
  try {
    const response = await act(recorded);
    if (!response.ok) await recordFailure(response.status);
    return response;
  } catch (error) {
    await recordFailure(null);
    throw error;
  }
}

/**
 * A document as an action's summary names it: its name as the user saw it, in JSON quotes, so a name with quotes,
 * line breaks or a leading "=" stays one quoted value inside the line (the id stays in the evidence).
 */
export const quotedDocumentName = (name: string) => JSON.stringify(name);

