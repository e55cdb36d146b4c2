import type { PendingQuery, Row, Sql, TransactionSql } from "postgres";
import { FgaError } from "./errors";
import { isUserset, splitObject, type TupleKey } from "./identifiers";
import type { AuthorizationModelJSON } from "./model";
import type { ObjectRelation, TupleBackend, TupleReadResults, TupleReads } from "./tuple-reader";
import { ulid } from "./ulid";

/** Stores, models and tuples in Postgres (postgres.js), with the evaluator's set queries. */

export interface StoreRecord {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface StoredTuple {
  key: TupleKey;
  timestamp: string;
}

/** One row of the changelog: a tuple that was written or deleted, in ReadChanges' order (`ulid`). */
export interface StoredChange {
  ulid: string;
  key: TupleKey;
  operation: "write" | "delete";
  /** When the write that made it committed, as OpenFGA's HTTP API renders a timestamp (see `protoTimestamp`). */
  timestamp: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; empty when there is nothing more. */
  continuationToken: string;
}

type StoreRow = { id: string; name: string; created_at: Date; updated_at: Date };
type TupleRow = { object_type: string; object_id: string; relation: string; user_key: string };

const toStore = (row: StoreRow): StoreRecord => ({
  id: row.id,
  name: row.name,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

const toTuple = (row: TupleRow): TupleKey => ({ object: `${row.object_type}:${row.object_id}`, relation: row.relation, user: row.user_key });

/** Tells tuple keys apart exactly (a delete's object and relation are not validated, so they may hold "#" or "@"). */
const keyOf = (t: TupleKey): string => JSON.stringify([t.object, t.relation, t.user]);

/**
 * A Postgres time (microseconds, as `to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.US')` in UTC gives it) the way protojson
 * writes a google.protobuf.Timestamp: Z-normalized, with 0, 3, 6 or 9 fractional digits, the fewest that lose
 * nothing. OpenFGA's HTTP gateway renders ReadChanges' timestamps so.
 */
export function protoTimestamp(utc: string): string {
  const [seconds, fraction = ""] = utc.split(".");
  const digits = fraction.endsWith("000") ? fraction.slice(0, -3) : fraction;
  return `${seconds}${/^0*$/.test(digits) ? "" : `.${digits}`}Z`;
}

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeToken<T>(token: string, valid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (valid(value)) return value;
  } catch {
    // fall through
  }
  throw new FgaError("invalid_continuation_token", "Invalid continuation token");
}

const isStringArray = (length: number) => (value: unknown): value is string[] =>
  Array.isArray(value) && value.length === length && value.every((v) => typeof v === "string");

/** Columns of many tuple keys, for `unnest(...)` set queries. */
function columns(keys: readonly TupleKey[]) {
  const types: string[] = [];
  const ids: string[] = [];
  const relations: string[] = [];
  const users: string[] = [];
  for (const key of keys) {
    const { type, id } = splitObject(key.object);
    types.push(type);
    ids.push(id);
    relations.push(key.relation);
    users.push(key.user);
  }
  return { types, ids, relations, users };
}

/** The kinds of read, numbered by their place here in the `part` column. */
const PARTS = ["exact", "usersets", "users", "byUser"] as const;

/**
 * The tuples of these keys, as one part of a read: exact tuples (with `user`), or whole object#relations.
 *
 * Keys that are (nearly) every combination of their columns' values — one object's three relations for one user,
 * as a Check asks — are matched with one `= any(...)` per column: the index probes each combination, and in PGlite
 * the statement takes about half as long as a join with `unnest(...)` (0.4 ms instead of 0.8 for a Check's read).
 * Exact keys may probe up to twice as many combinations as were asked for (each finds at most one tuple, and the
 * caller ignores what it did not ask for); object#relations only when the combinations are exactly the keys,
 * since a relation nobody asked for may hold thousands of users. Other keys — 50 documents for 50 different
 * users — are looked up one key at a time (`lateral`; `offset 0` keeps the planner from flattening it into a plain
 * join), which probes each key once. With a join or `in (...)` on `unnest(...)`, the planner, which in PGlite has
 * no statistics, hashed the whole store instead.
 */
function selectKeys(
  sql: Sql,
  storeId: string,
  kind: Exclude<keyof TupleReads, "byUser">,
  keys: readonly (ObjectRelation & { user?: string })[],
  filter: PendingQuery<Row[]>,
): PendingQuery<Row[]> {
  const part = PARTS.indexOf(kind);
  const exact = kind === "exact";
  const c = columns(keys.map((k) => ({ object: k.object, relation: k.relation, user: k.user ?? "" })));
  const [types, ids, relations, users] = [c.types, c.ids, c.relations, c.users].map((values) => [...new Set(values)]) as [string[], string[], string[], string[]];
  const combinations = types.length * ids.length * relations.length * (exact ? users.length : 1);
  if (combinations <= (exact ? 2 : 1) * keys.length) {
    return sql`
      select ${part}::int as part, t.object_type, t.object_id, t.relation, t.user_key from fga_tuples t
      where t.store_id = ${storeId} and t.object_type = any(${sql.array(types)}::text[]) and t.object_id = any(${sql.array(ids)}::text[])
        and t.relation = any(${sql.array(relations)}::text[]) ${exact ? sql`and t.user_key = any(${sql.array(users)}::text[])` : sql``} ${filter}`;
  }
  const sameUser = exact ? sql`and t.user_key = q.user_key` : sql``;
  return sql`
    select ${part}::int as part, t.object_type, t.object_id, t.relation, t.user_key
    from unnest(${sql.array(c.types)}::text[], ${sql.array(c.ids)}::text[], ${sql.array(c.relations)}::text[], ${sql.array(c.users)}::text[])
      as q(object_type, object_id, relation, user_key),
    lateral (select * from fga_tuples t where t.store_id = ${storeId} and t.object_type = q.object_type and t.object_id = q.object_id
      and t.relation = q.relation ${sameUser} ${filter} offset 0) t`;
}

export class FgaStorage {
  constructor(private readonly sql: Sql) {}

  // --- stores -------------------------------------------------------------------------------------

  async createStore(name: string): Promise<StoreRecord> {
    const [row] = await this.sql<StoreRow[]>`
      insert into fga_stores (id, name) values (${ulid()}, ${name}) returning id, name, created_at, updated_at`;
    return toStore(row as StoreRow);
  }

  async getStore(id: string): Promise<StoreRecord | undefined> {
    const [row] = await this.sql<StoreRow[]>`select id, name, created_at, updated_at from fga_stores where id = ${id}`;
    return row ? toStore(row) : undefined;
  }

  async listStores(pageSize: number, continuationToken: string, name?: string): Promise<Page<StoreRecord>> {
    const after = continuationToken ? (decodeToken(continuationToken, isStringArray(1))[0] ?? "") : "";
    const rows = await this.sql<StoreRow[]>`
      select id, name, created_at, updated_at from fga_stores
      where id > ${after} ${name ? this.sql`and name = ${name}` : this.sql``}
      order by id limit ${pageSize + 1}`;
    const more = rows.length > pageSize;
    const items = rows.slice(0, pageSize).map(toStore);
    return { items, continuationToken: more ? encodeToken([items[items.length - 1]?.id]) : "" };
  }

  /** Removes the store with its models, tuples and changelog (the sandbox keeps no history). */
  async deleteStore(id: string): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      await tx`delete from fga_tuples where store_id = ${id}`;
      await tx`delete from fga_changelog where store_id = ${id}`;
      await tx`delete from fga_authorization_models where store_id = ${id}`;
      const deleted = await tx`delete from fga_stores where id = ${id} returning id`;
      return deleted.length > 0;
    });
  }

  // --- authorization models ------------------------------------------------------------------------

  async writeModel(storeId: string, model: Omit<AuthorizationModelJSON, "id">): Promise<string> {
    const id = ulid();
    await this.sql`insert into fga_authorization_models (store_id, id, model) values (${storeId}, ${id}, ${this.sql.json(model as never)})`;
    return id;
  }

  async readModel(storeId: string, id: string): Promise<AuthorizationModelJSON | undefined> {
    const [row] = await this.sql<{ model: Omit<AuthorizationModelJSON, "id"> }[]>`
      select model from fga_authorization_models where store_id = ${storeId} and id = ${id}`;
    return row ? { id, ...row.model } : undefined;
  }

  /** Newest first, as OpenFGA lists them; model ids are monotonic ULIDs. */
  async listModels(storeId: string, pageSize: number, continuationToken: string): Promise<Page<AuthorizationModelJSON>> {
    const before = continuationToken ? decodeToken(continuationToken, isStringArray(1))[0] : undefined;
    const rows = await this.sql<{ id: string; model: Omit<AuthorizationModelJSON, "id"> }[]>`
      select id, model from fga_authorization_models
      where store_id = ${storeId} ${before ? this.sql`and id < ${before}` : this.sql``}
      order by id desc limit ${pageSize + 1}`;
    const more = rows.length > pageSize;
    const items = rows.slice(0, pageSize).map((row) => ({ id: row.id, ...row.model }));
    return { items, continuationToken: more ? encodeToken([items[items.length - 1]?.id]) : "" };
  }

  async latestModelId(storeId: string): Promise<string | undefined> {
    const [row] = await this.sql<{ id: string }[]>`
      select id from fga_authorization_models where store_id = ${storeId} order by id desc limit 1`;
    return row?.id;
  }

  // --- tuples ------------------------------------------------------------------------------------

  /**
   * Deletes then writes, in one transaction: any failure leaves the store as it was. With `error`, a
   * write of an existing tuple or a delete of a missing one fails the whole request, as in OpenFGA.
   * Each tuple actually deleted or written gets a changelog row (one ignored as missing or duplicate gets none).
   */
  async writeTuples(
    storeId: string,
    deletes: readonly TupleKey[],
    writes: readonly TupleKey[],
    options: { onDuplicate: "error" | "ignore"; onMissing: "error" | "ignore" },
  ): Promise<void> {
    await this.sql.begin(async (tx) => {
      const changes: { key: TupleKey; operation: StoredChange["operation"] }[] = [];
      if (deletes.length > 0) {
        const c = columns(deletes);
        const deleted = await tx<TupleRow[]>`
          delete from fga_tuples t
          using unnest(${tx.array(c.types)}::text[], ${tx.array(c.ids)}::text[], ${tx.array(c.relations)}::text[], ${tx.array(c.users)}::text[])
            as q(object_type, object_id, relation, user_key)
          where t.store_id = ${storeId} and t.object_type = q.object_type and t.object_id = q.object_id
            and t.relation = q.relation and t.user_key = q.user_key
          returning t.object_type, t.object_id, t.relation, t.user_key`;
        if (options.onMissing === "error" && deleted.length < deletes.length) {
          const gone = new Set(deleted.map((row) => JSON.stringify(toTuple(row))));
          const missing = deletes.find((t) => !gone.has(JSON.stringify({ object: t.object, relation: t.relation, user: t.user }))) as TupleKey;
          throw writeConflict("delete a tuple which does not exist", missing);
        }
        changes.push(...happened(deletes, deleted).map((key) => ({ key, operation: "delete" as const })));
      }
      if (writes.length > 0) {
        const c = columns(writes);
        const flags = writes.map((t) => isUserset(t.user));
        const inserted = await tx<TupleRow[]>`
          insert into fga_tuples (store_id, object_type, object_id, relation, user_key, user_is_userset)
          select ${storeId}, q.object_type, q.object_id, q.relation, q.user_key, q.is_userset
          from unnest(${tx.array(c.types)}::text[], ${tx.array(c.ids)}::text[], ${tx.array(c.relations)}::text[], ${tx.array(c.users)}::text[], ${tx.array(flags)}::boolean[])
            as q(object_type, object_id, relation, user_key, is_userset)
          on conflict do nothing
          returning object_type, object_id, relation, user_key`;
        if (options.onDuplicate === "error" && inserted.length < writes.length) {
          const added = new Set(inserted.map((row) => JSON.stringify(toTuple(row))));
          const existing = writes.find((t) => !added.has(JSON.stringify({ object: t.object, relation: t.relation, user: t.user }))) as TupleKey;
          throw writeConflict("write a tuple which already exists", existing);
        }
        changes.push(...happened(writes, inserted).map((key) => ({ key, operation: "write" as const })));
      }
      await recordChanges(tx, storeId, changes);
    });
  }

  /**
   * ReadChanges' page: changes after the ulid `after` (all when empty), of one object type when `objectType` is
   * set, oldest first, at most `pageSize`, as OpenFGA's Postgres datastore reads them (ReadChanges in
   * pkg/storage/postgres/postgres.go, which keeps `inserted_at < NOW()` with its default horizon offset of 0).
   */
  async readChanges(storeId: string, filter: { objectType: string; after: string }, pageSize: number): Promise<StoredChange[]> {
    const sql = this.sql;
    const rows = await sql<(TupleRow & { ulid: string; operation: StoredChange["operation"]; inserted_at: string })[]>`
      select ulid, object_type, object_id, relation, user_key, operation,
        to_char(inserted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as inserted_at
      from fga_changelog
      where store_id = ${storeId} and inserted_at < now()
        ${filter.objectType ? sql`and object_type = ${filter.objectType}` : sql``}
        ${filter.after ? sql`and ulid > ${filter.after}` : sql``}
      order by ulid
      limit ${pageSize}`;
    return rows.map((row) => ({ ulid: row.ulid, key: toTuple(row), operation: row.operation, timestamp: protoTimestamp(row.inserted_at) }));
  }

  /** Read API: filter by object (or object type), relation and user; paginated in key order. */
  async readTuples(
    storeId: string,
    filter: { objectType?: string; objectId?: string; relation?: string; user?: string },
    pageSize: number,
    continuationToken: string,
  ): Promise<Page<StoredTuple>> {
    const sql = this.sql;
    const after = continuationToken ? decodeToken(continuationToken, isStringArray(4)) : undefined;
    const rows = await sql<(TupleRow & { inserted_at: Date })[]>`
      select object_type, object_id, relation, user_key, inserted_at from fga_tuples
      where store_id = ${storeId}
        ${filter.objectType ? sql`and object_type = ${filter.objectType}` : sql``}
        ${filter.objectId ? sql`and object_id = ${filter.objectId}` : sql``}
        ${filter.relation ? sql`and relation = ${filter.relation}` : sql``}
        ${filter.user ? sql`and user_key = ${filter.user}` : sql``}
        ${after ? sql`and (object_type, object_id, relation, user_key) > (${after[0] ?? ""}, ${after[1] ?? ""}, ${after[2] ?? ""}, ${after[3] ?? ""})` : sql``}
      order by object_type, object_id, relation, user_key
      limit ${pageSize + 1}`;
    const more = rows.length > pageSize;
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({ key: toTuple(row), timestamp: row.inserted_at.toISOString() })),
      continuationToken: more && last ? encodeToken([last.object_type, last.object_id, last.relation, last.user_key]) : "",
    };
  }

  /**
   * The evaluator's reads for one store. Every kind asked for goes into one statement (UNION ALL, a `part` column
   * telling the rows apart), so a batch of reads costs one round trip however many kinds it mixes.
   */
  backend(storeId: string): TupleBackend {
    const sql = this.sql;
    return {
      async read(reads) {
        const parts: PendingQuery<Row[]>[] = [];
        if (reads.exact.length > 0) parts.push(selectKeys(sql, storeId, "exact", reads.exact, sql``));
        if (reads.usersets.length > 0) parts.push(selectKeys(sql, storeId, "usersets", reads.usersets, sql`and t.user_is_userset`));
        if (reads.users.length > 0) parts.push(selectKeys(sql, storeId, "users", reads.users, sql``));
        if (reads.byUser.length > 0) {
          parts.push(sql`
            select ${PARTS.indexOf("byUser")}::int as part, object_type, object_id, relation, user_key from fga_tuples
            where store_id = ${storeId} and user_key = any(${sql.array(reads.byUser)}::text[])`);
        }
        const found: TupleReadResults = { exact: [], usersets: [], users: [], byUser: [] };
        if (parts.length === 0) return found;
        const query = parts.reduce((all, part) => sql`${all} union all ${part}`);
        for (const row of await sql<(TupleRow & { part: number })[]>`${query}`) found[PARTS[row.part] as keyof TupleReads].push(toTuple(row));
        return found;
      },
    };
  }
}

/** The requested keys that the statement's returned rows name, in request order. */
function happened(requested: readonly TupleKey[], rows: readonly TupleRow[]): TupleKey[] {
  const done = new Set(rows.map((row) => keyOf(toTuple(row))));
  return requested.filter((t) => done.has(keyOf(t)));
}

/**
 * One changelog row per change, deletes before writes and each in request order, with ulids made here, inside the
 * transaction, as OpenFGA's sqlcommon.GetDeleteWriteChangelogItems orders them. In PGlite, whose one backend runs one
 * transaction at a time, ulid order is then commit order, so a reader polling with its last token never skips a
 * change committed after it read. (On a real Postgres, concurrent writers may commit out of ulid order, as they may
 * with OpenFGA, whose answer is the changelog horizon offset.) `inserted_at` is the transaction's now(), the same
 * as the tuple's.
 */
async function recordChanges(tx: TransactionSql, storeId: string, changes: readonly { key: TupleKey; operation: StoredChange["operation"] }[]): Promise<void> {
  if (changes.length === 0) return;
  const c = columns(changes.map((change) => change.key));
  const ulids = changes.map(() => ulid());
  const operations = changes.map((change) => change.operation);
  await tx`
    insert into fga_changelog (store_id, ulid, object_type, object_id, relation, user_key, operation)
    select ${storeId}, q.ulid, q.object_type, q.object_id, q.relation, q.user_key, q.operation
    from unnest(${tx.array(ulids)}::text[], ${tx.array(c.types)}::text[], ${tx.array(c.ids)}::text[], ${tx.array(c.relations)}::text[],
      ${tx.array(c.users)}::text[], ${tx.array(operations)}::text[])
      as q(ulid, object_type, object_id, relation, user_key, operation)`;
}

function writeConflict(action: string, t: TupleKey): FgaError {
  return new FgaError(
    "write_failed_due_to_invalid_input",
    `cannot ${action}: user: '${t.user}', relation: '${t.relation}', object: '${t.object}': tuple to be written already existed or the tuple to be deleted did not exist`,
  );
}
