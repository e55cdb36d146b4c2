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
  | "auth.sign_out";


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

/** The audit trail could not be written, so the action it describes must not happen. */
export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The one way events are written. Throws AuditUnavailableError when the event cannot be stored: callers record
 * before they act and do not act when this throws (fail closed). The agent is this application's client id.
 */
export async function recordAuditEvent(input: AuditEventInput): Promise<void> {
  const config = getConfig();
  const occurredAt = new Date();
  try {
    await appendAuditEvent(
      {
        id: crypto.randomUUID(),
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
  } catch (error) {
    logError("audit", "event could not be written", error);
    throw new AuditUnavailableError("the audit event could not be written", { cause: error });
  }
}

/** SHA-256 of the canonical JSON of an input. */
export const inputDigest = (input: unknown): string => sha256Hex(canonicalJson(input));

export const AUDIT_UNAVAILABLE_MESSAGE = "The activity record is not available, so nothing was done. Try again in a moment.";

/**
 * Records the event and answers null, or answers the 503 the route returns instead of acting. Routes call it after
 * every check has passed and just before they act, so an event is an authorized action that is being carried out.
 */
export async function auditOrRefuse(input: AuditEventInput): Promise<Response | null> {
  try {
    await recordAuditEvent(input);
    return null;
  } catch (error) {
    if (error instanceof AuditUnavailableError) return apiError("unavailable", AUDIT_UNAVAILABLE_MESSAGE);
    throw error;
  }
}

/** The FGA decision a document route acted on, as audit evidence. */
export const documentDecision = (documentId: string, relation: string) => ({
  documentId,
  fga: { relation, object: `document:${documentId}`, allowed: true },
});
