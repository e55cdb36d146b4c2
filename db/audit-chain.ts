import { createHash } from "node:crypto";
import type postgres from "postgres";
import type { AuditOutcome } from "./schema";

/**
 * JSON with object keys sorted at every level and no whitespace, so the same value always gives the same bytes
 * (jsonb reorders keys; a hash must not depend on that). Undefined object members are left out, as JSON.stringify
 * does; non-finite numbers are refused rather than silently written as null.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("canonical JSON has no non-finite numbers");
    return JSON.stringify(value) ?? "null";
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const members = Object.entries(value)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
  return `{${members.join(",")}}`;
}

/**
 * `value` as jsonb will hold it: a URL or a Date as its toJSON gives it, undefined members left out. So what is hashed
 * is what is stored, and verifies. Refused, as canonicalJson refuses them, rather than stored as null: non-finite
 * numbers, an invalid Date, and a value that is not JSON at all (undefined, a function).
 */
export function asStoredJson(value: unknown): unknown {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, member: unknown) {
    const original = this[key];
    if ((typeof member === "number" && !Number.isFinite(member)) || (original instanceof Date && Number.isNaN(original.getTime())))
      throw new TypeError("canonical JSON has no non-finite numbers or invalid dates");
    return member;
  });
  if (text === undefined) throw new TypeError("audit evidence must be a JSON value");
  return JSON.parse(text) as unknown;
}

export const sha256Hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Every stored field of an event except its own hash: what the hash covers, including `prevHash`. */
export interface ChainedEvent {
  id: string;
  userId: string;
  sequence: number;
  occurredAt: Date;
  agentId: string;
  modelId: string | null;
  chatId: string | null;
  turnId: string | null;
  toolCallId: string | null;
  action: string;
  evidence: unknown;
  inputDigest: string | null;
  summary: string;
  outcome: AuditOutcome;
  durationMs: number | null;
  prevHash: string | null;
}

/** What an event says, without its place in the chain. */
export type EventContent = Omit<ChainedEvent, "sequence" | "prevHash">;

/**
 * The canonical JSON of an event, cut where its two chain fields go: sorted, "prevHash" and "sequence" sit next to
 * each other between "outcome" and "summary". The database fills them in from the chain's head when it appends an
 * event in one statement (db/queries/audit.ts), and eventHash joins them the same way, so both hash the same bytes.
 */
export function canonicalAroundChain(event: EventContent): { before: string; after: string } {
  const { id, userId, occurredAt, agentId, modelId, chatId, turnId, toolCallId, action, evidence, inputDigest, summary, outcome, durationMs } = event;
  const before = canonicalJson({ action, agentId, chatId, durationMs, evidence, id, inputDigest, modelId, occurredAt, outcome });
  const after = canonicalJson({ summary, toolCallId, turnId, userId });
  return { before: `${before.slice(0, -1)},"prevHash":`, after: `,${after.slice(1)}` };
}

export function eventHash(event: ChainedEvent): string {
  const { before, after } = canonicalAroundChain(event);
  return sha256Hex(`${before}${JSON.stringify(event.prevHash)},"sequence":${event.sequence}${after}`);
}

export interface ChainBreak {
  userId: string;
  /** The event where the chain stops verifying; null when the break is at the chain's recorded end. */
  eventId: string | null;
  problem: string;
}

interface EventRow {
  id: string;
  user_id: string;
  sequence: number;
  occurred_at_iso: string;
  agent_id: string;
  model_id: string | null;
  chat_id: string | null;
  turn_id: string | null;
  tool_call_id: string | null;
  action: string;
  evidence: unknown;
  input_digest: string | null;
  summary: string;
  outcome: AuditOutcome;
  duration_ms: number | null;
  prev_hash: string | null;
  hash: string;
}

const short = (hash: string | null) => (hash === null ? "none" : hash.slice(0, 12));

/**
 * Walks one user's chain from its anchor to its head, in sequence order, and returns the first break: a gap in
 * the sequence (an event deleted), a `prevHash` that is not the previous event's hash (reordered or re-chained),
 * a hash that does not match the event's content (altered), or a chain that ends before its recorded head.
 */
export async function verifyUserChain(sql: postgres.Sql, userId: string): Promise<ChainBreak | null> {
  const [chain] = await sql<{ head_sequence: number; head_hash: string | null; anchor_sequence: number; anchor_hash: string | null }[]>`
    select head_sequence, head_hash, anchor_sequence, anchor_hash from audit_chains where user_id = ${userId}`;
  if (!chain) return { userId, eventId: null, problem: "the user has events but no chain record (audit_chains row missing)" };
  let expected = chain.anchor_sequence;
  let previous = chain.anchor_hash;
  let found: ChainBreak | null = null;
  // The timestamp is read as ISO text so that no client-side type parser (drizzle installs its own) can change it.
  const rows = sql<EventRow[]>`
    select *, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at_iso
    from audit_events where user_id = ${userId} order by sequence`.cursor(500);
  for await (const batch of rows) {
    for (const row of batch) {
      found = checkEvent(row, expected, previous);
      if (found) break;
      expected = row.sequence + 1;
      previous = row.hash;
    }
    if (found) break;
  }
  if (found) return found;
  if (expected - 1 !== chain.head_sequence || previous !== chain.head_hash)
    return {
      userId,
      eventId: null,
      problem: `the chain ends at sequence ${expected - 1} (hash ${short(previous)}) but its recorded head is sequence ${chain.head_sequence} (hash ${short(chain.head_hash)}): events were removed from the end`,
    };
  return null;
}

function checkEvent(row: EventRow, expectedSequence: number, previousHash: string | null): ChainBreak | null {
  const at = { userId: row.user_id, eventId: row.id };
  if (row.sequence !== expectedSequence)
    return { ...at, problem: `sequence ${row.sequence} follows ${expectedSequence - 1}: event ${expectedSequence} is missing (deleted)` };
  if (row.prev_hash !== previousHash)
    return { ...at, problem: `prev_hash ${short(row.prev_hash)} is not the previous event's hash ${short(previousHash)} (reordered or re-chained)` };
  const recomputed = eventHash({
    id: row.id,
    userId: row.user_id,
    sequence: row.sequence,
    occurredAt: new Date(row.occurred_at_iso),
    agentId: row.agent_id,
    modelId: row.model_id,
    chatId: row.chat_id,
    turnId: row.turn_id,
    toolCallId: row.tool_call_id,
    action: row.action,
    evidence: row.evidence,
    inputDigest: row.input_digest,
    summary: row.summary,
    outcome: row.outcome,
    durationMs: row.duration_ms,
    prevHash: row.prev_hash,
  });
  if (recomputed !== row.hash)
    return { ...at, problem: `stored hash ${short(row.hash)} does not match the event's content (${short(recomputed)}): the event was altered` };
  return null;
}

/** Every user's chain, including users whose events lost their chain record; the first break of each broken one. */
export async function verifyAllChains(sql: postgres.Sql): Promise<{ users: number; breaks: ChainBreak[] }> {
  const users = await sql<{ user_id: string }[]>`
    select user_id from audit_chains union select distinct user_id from audit_events order by user_id`;
  const breaks: ChainBreak[] = [];
  for (const { user_id } of users) {
    const found = await verifyUserChain(sql, user_id);
    if (found) breaks.push(found);
  }
  return { users: users.length, breaks };
}
