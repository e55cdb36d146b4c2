import "server-only";
import { and, desc, eq, exists, getTableColumns, gte, lt, max, sql, type SQL } from "drizzle-orm";
import postgres from "postgres";
import { asStoredJson, canonicalAroundChain, eventHash, type ChainedEvent } from "../audit-chain";
import { getDb, prepared, type Database } from "../client";
import { auditChains, auditEvents, auditEvidence, type AuditEventRow, type AuditOutcome } from "../schema";
import { hasCause } from "../error-causes";
import { storable } from "../storable";
import { retryOnceIfUnreachable } from "../unreachable";

/** An event as its writer describes it; the chain fields (sequence, prevHash, hash) are assigned here. */
export type NewAuditEvent = Omit<ChainedEvent, "sequence" | "prevHash">;

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Appends one event to its user's chain: in one statement when it can (appendAtHead), else in a transaction that
 * locks the user's chain row (SELECT … FOR UPDATE), so concurrent writers — on any instance, directly or through a
 * transaction pooler — queue up and each links to the event before it; the chain never forks. Events older than
 * `pruneBefore` are pruned in that transaction, under the same lock, so retention needs no scheduled job.
 * Tried once more if the database could not be reached: after a restart the first statement on each pooled
 * connection fails (57P01), and an action whose event is not written does not happen. The event's id makes the second
 * attempt safe: should the first have been stored with only its answer lost, its place in the chain is returned.
 */
export async function appendAuditEvent(written: NewAuditEvent, { pruneBefore }: { pruneBefore?: Date } = {}): Promise<{ sequence: number; hash: string }> {
  const event = storable({ ...written, evidence: asStoredJson(written.evidence) });
  return retryOnceIfUnreachable(async () => {
    try {
      return (await appendAtHead(event, pruneBefore)) ?? (await appendLocked(event, pruneBefore));
    } catch (error) {
      if (!isAlreadyStored(error)) throw error;
      const [stored] = await getDb().$client<{ sequence: number; hash: string }[]>`
        select sequence, hash from audit_events
        where id = ${event.id}::uuid and user_id = ${event.userId} and action = ${event.action} and occurred_at = ${event.occurredAt.toISOString()}::timestamptz`;
      if (!stored) throw error;
      return stored;
    }
  });
}

/**
 * Every event has an id of its own, so only an earlier attempt of the same append can have taken it; the row is
 * returned only if it is that event (same user, action and time), never another's.
 */
const isAlreadyStored = (error: unknown) =>
  hasCause(error, (cause) => cause instanceof postgres.PostgresError && cause.code === "23505" && cause.constraint_name === "audit_events_pkey");

/**
 * The common case, one round trip where the transaction takes four: the event is chained to the head the statement
 * reads (its hash computed by the database from canonicalAroundChain), and migration 0012's trigger moves the head
 * onto it only if that is still the head. The head's row is locked before the event is inserted, as appendLocked
 * locks it: taken in the other order (the event's index entry, then the row), a writer here and one there would each
 * wait for the other (a deadlock). Waiting for the lock, the statement reads the head as the lock's holder left it.
 * Null, and nothing written, when the transaction must do it: the user's first event (no chain row yet), events due
 * for pruning, or another writer appended first (the unique (user_id, sequence) index or the trigger refuses this
 * one).
 */
async function appendAtHead(event: NewAuditEvent, pruneBefore: Date | undefined): Promise<{ sequence: number; hash: string } | null> {
  const { before, after } = canonicalAroundChain(event);
  try {
    // The evidence goes as text, which postgres.js sends as it is; as jsonb it would pass through its jsonb serializer.
    const [appended] = await getDb().$client<{ sequence: number; hash: string }[]>`
      insert into audit_events (id, user_id, sequence, occurred_at, agent_id, model_id, chat_id, turn_id, tool_call_id, action,
        evidence, input_digest, summary, outcome, duration_ms, prev_hash, hash)
      select ${event.id}::uuid, c.user_id, c.head_sequence + 1, ${event.occurredAt.toISOString()}::timestamptz, ${event.agentId}, ${event.modelId},
        ${event.chatId}::uuid, ${event.turnId}, ${event.toolCallId}, ${event.action}, ${JSON.stringify(event.evidence)}::text::jsonb,
        ${event.inputDigest}, ${event.summary}, ${event.outcome}, ${event.durationMs}::integer, c.head_hash,
        encode(sha256(convert_to(${before} || coalesce('"' || c.head_hash || '"', 'null') || ',"sequence":' || (c.head_sequence + 1) || ${after}, 'UTF8')), 'hex')
      from audit_chains c
      where c.user_id = ${event.userId}
        and not exists (select from audit_events e where e.user_id = ${event.userId} and e.occurred_at < ${pruneBefore?.toISOString() ?? null}::timestamptz)
      for no key update of c
      returning sequence, hash`;
    return appended ?? null;
  } catch (error) {
    if (lostRace(error)) return null;
    throw error;
  }
}

const lostRace = (error: unknown) =>
  error instanceof postgres.PostgresError &&
  (error.code === "40001" || (error.code === "23505" && error.constraint_name === "audit_events_user_sequence_idx"));

async function appendLocked(event: NewAuditEvent, pruneBefore: Date | undefined): Promise<{ sequence: number; hash: string }> {
  return getDb().transaction(async (tx) => {
    const chain = await lockChain(tx, event.userId, pruneBefore);
    if (pruneBefore) await pruneLocked(tx, event.userId, chain);
    const chained: ChainedEvent = { ...event, sequence: chain.headSequence + 1, prevHash: chain.headHash };
    const hash = eventHash(chained);
    // The insert moves the head (migration 0012).
    await prepared(tx.insert(auditEvents).values({ ...chained, hash }));
    return { sequence: chained.sequence, hash };
  });
}

/** Removes the user's events that occurred before `before`, keeping the rest verifiable from the moved anchor. */
export async function pruneAuditEvents(userId: string, before: Date, db: Database = getDb()): Promise<number> {
  return db.transaction(async (tx) => pruneLocked(tx, userId, await lockChain(tx, userId, before)));
}

/**
 * Prunes every chain holding events older than `before`, including those of users who no longer write any (the
 * prune at each write never reaches them). One transaction per chain, so a user's writer waits for one chain's
 * prune at most. Returns the number of events removed from each chain it pruned.
 */
export async function pruneExpiredAuditEvents(before: Date, db: Database = getDb()): Promise<number[]> {
  const expired = db
    .select({ one: sql`1` })
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, auditChains.userId), lt(auditEvents.occurredAt, before)));
  const chains = await db.select({ userId: auditChains.userId }).from(auditChains).where(exists(expired)).orderBy(auditChains.userId);
  const removed: number[] = [];
  for (const { userId } of chains) removed.push(await pruneAuditEvents(userId, before, db));
  return removed;
}

type LockedChain = typeof auditChains.$inferSelect & { lastExpired: number | null };

/**
 * Locks the user's chain row, creating it for their first event, and reads with it the last event that occurred
 * before `expiredBefore`: one statement for what every write needs, where it took three. The expired event is read as
 * the statement began, before any wait for the lock: an event that a writer holding the lock committed meanwhile is a
 * new one, not expired, and what such a writer pruned lies below the anchor this lock returns, which pruneLocked
 * compares with. So a prune is at most left to the next write, never wrong.
 */
async function lockChain(tx: Transaction, userId: string, expiredBefore?: Date): Promise<LockedChain> {
  const lastExpired = expiredBefore
    ? sql<number | null>`(${tx
        .select({ sequence: max(auditEvents.sequence) })
        .from(auditEvents)
        .where(and(eq(auditEvents.userId, userId), lt(auditEvents.occurredAt, expiredBefore)))})`
    : sql<null>`null`;
  const lock = () => prepared(tx.select({ ...getTableColumns(auditChains), lastExpired }).from(auditChains).where(eq(auditChains.userId, userId)).for("update"));
  const [chain] = await lock();
  if (chain) return chain;
  // The user's first event: concurrent first writers all insert, one row results, and each then waits for its lock.
  await tx.insert(auditChains).values({ userId, headSequence: 0, headHash: null, anchorSequence: 1, anchorHash: null }).onConflictDoNothing();
  const [created] = await lock();
  if (!created) throw new Error("audit chain row missing after insert");
  return created;
}

/**
 * Moves the anchor past the last expired event, then deletes below it: the trigger of migration 0006 lets a
 * DELETE through only under the anchor, and the anchor only onto a stored event's hash.
 */
async function pruneLocked(tx: Transaction, userId: string, { lastExpired, anchorSequence }: LockedChain): Promise<number> {
  if (lastExpired === null || lastExpired < anchorSequence) return 0;
  const [last] = await tx
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.sequence, lastExpired)));
  await tx.update(auditChains).set({ anchorSequence: lastExpired + 1, anchorHash: last!.hash }).where(eq(auditChains.userId, userId));
  const deleted = await tx
    .delete(auditEvents)
    .where(and(eq(auditEvents.userId, userId), lt(auditEvents.sequence, lastExpired + 1)))
    .returning({ id: auditEvents.id });
  return deleted.length;
}

/** The user's events, oldest first, in one query (tests; the Activity page and export page through listAuditEventsPage). */
export async function listAuditEvents(userId: string) {
  return getDb().select().from(auditEvents).where(eq(auditEvents.userId, userId)).orderBy(auditEvents.sequence);
}


/** Which of a user's events to read; every field narrows, none widens beyond the user. */
export interface AuditEventFilter {
  action?: string;
  /** The tool a tool call's events are about, by the name the model calls it (`buy_product`). */
  tool?: string;
  /** A decision kind: the authorizer of a tool call's decision (e.g. `token-vault`), or `fga` for an event carrying
   * FGA evidence of its own (a document action's check, a retrieval's questions). */
  decision?: string;
  outcome?: AuditOutcome;
  /** Inclusive lower and exclusive upper bound on `occurredAt`. */
  from?: Date;
  until?: Date;
}

/** A position in the newest-first order: the (occurredAt, sequence) of the last event already read. */
export interface AuditCursor {
  occurredAt: Date;
  sequence: number;
}

/**
 * One page of the user's events, newest first, after `cursor` (keyset paging: the index on (user_id, occurred_at)
 * serves every page equally fast, and an event written while paging does not shift the pages). Each filter has an
 * index of its own (migration 0009).
 */
export function auditEventsPageQuery(userId: string, filter: AuditEventFilter, { after, limit }: { after?: AuditCursor; limit: number }) {
  const conditions: SQL[] = [eq(auditEvents.userId, userId)];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.tool) conditions.push(sql`${auditEvidence.tool} = ${filter.tool}`);
  if (filter.decision) conditions.push(sql`${auditEvidence.decisionKind} = ${filter.decision}`);
  if (filter.outcome) conditions.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, filter.from));
  if (filter.until) conditions.push(lt(auditEvents.occurredAt, filter.until));
  if (after) conditions.push(sql`(${auditEvents.occurredAt}, ${auditEvents.sequence}) < (${after.occurredAt.toISOString()}::timestamptz, ${after.sequence})`);
  return getDb()
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.sequence))
    .limit(limit);
}

export const listAuditEventsPage = async (...args: Parameters<typeof auditEventsPageQuery>): Promise<AuditEventRow[]> => auditEventsPageQuery(...args);

/**
 * The distinct non-null values of an indexed expression among the user's events, ascending: a loose index scan,
 * one probe of the (user_id, expression, …) index per value, so its cost follows how many values there are rather
 * than how long the user's history is (PostgreSQL has no skip scan of its own for this).
 */
function distinctValuesQuery(userId: string, expression: SQL): SQL {
  const next = sql`select ${expression} from ${auditEvents} where ${auditEvents.userId} = ${userId} and ${expression} > found.value order by ${expression} limit 1`;
  return sql`with recursive found(value) as (
      (select ${expression} from ${auditEvents} where ${auditEvents.userId} = ${userId} and ${expression} is not null order by ${expression} limit 1)
      union all
      select (${next}) from found where found.value is not null
    ) select value from found where value is not null`;
}

/** The reads of the values the user's own events offer for filtering: their actions, tools and decision kinds. */
export const auditFacetQueries = (userId: string) => ({
  actions: distinctValuesQuery(userId, sql`${auditEvents.action}`),
  tools: distinctValuesQuery(userId, auditEvidence.tool),
  decisions: distinctValuesQuery(userId, auditEvidence.decisionKind),
});

export async function auditEventFacets(userId: string): Promise<Record<keyof ReturnType<typeof auditFacetQueries>, string[]>> {
  const read = async (query: SQL) => [...(await getDb().execute<{ value: string }>(query))].map((row) => row.value);
  const queries = auditFacetQueries(userId);
  const [actions, tools, decisions] = await Promise.all([read(queries.actions), read(queries.tools), read(queries.decisions)]);
  return { actions, tools, decisions };
}

export interface ToolDecisionQuestion {
  userId: string;
  chatId: string;
  toolCallId: string;
  authorizer: string;
  decision: string;
}

export const toolDecisionQuery = ({ userId, chatId, toolCallId, authorizer, decision }: ToolDecisionQuestion) =>
  getDb()
    .select({ id: auditEvents.id, occurredAt: auditEvents.occurredAt, evidence: auditEvents.evidence, inputDigest: auditEvents.inputDigest })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.userId, userId),
        eq(auditEvents.chatId, chatId),
        eq(auditEvents.toolCallId, toolCallId),
        eq(auditEvents.action, "tool.authorization"),
        sql`${auditEvents.evidence} ->> 'authorizer' = ${authorizer} and ${auditEvents.evidence} ->> 'decision' = ${decision}`,
      ),
    )
    .orderBy(desc(auditEvents.sequence))
    .limit(1);

/**
 * The latest event recording an authorizer's decision on one tool call of the user's, or null: the in-chat
 * approval authorizer reads the user's recorded answer through it before the call runs.
 */
export async function findToolDecision(question: ToolDecisionQuestion) {
  const [row] = await toolDecisionQuery(question);
  return row ?? null;
}
