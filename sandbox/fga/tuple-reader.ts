import { isUserset, tupleKeyString, type TupleKey } from "./identifiers";
import type { ModelIndex } from "./model-index";

/**
 * How the evaluator reads tuples. Storage answers a few kinds of *set* read (TupleBackend), all in one round trip;
 * the evaluator asks for one thing at a time (TupleReader). In between, StoreReads collects every request made
 * while the evaluator's promises settle and sends them together, caching each answer for the rest of the request
 * — so a Check that fans out to 50 groups costs one query for the 50, and a Check of Delegate's `can_view` (exact
 * tuples and usersets of three relations) one query per level of groups, usually one in all.
 */

export interface ObjectRelation {
  object: string;
  relation: string;
}

/** The kinds of read, each a set of keys. */
export interface TupleReads {
  /**
   * Which of these exact tuples are stored. The answer may hold other stored tuples of the same objects, relations
   * and users besides (see storage.ts); StoreReads answers only what was asked.
   */
  exact: TupleKey[];
  /** The tuples of each `object#relation` whose user is `type:id#relation`. */
  usersets: ObjectRelation[];
  /** Every tuple of each `object#relation`. */
  users: ObjectRelation[];
  /** Tuples whose user is exactly one of these strings. */
  byUser: string[];
}

export type TupleReadResults = { [K in keyof TupleReads]: TupleKey[] };

export interface TupleBackend {
  /** Answers every kind of read at once (one round trip to storage); kinds with no keys come back empty. */
  read(reads: TupleReads): Promise<TupleReadResults>;
}

/** What the evaluator sees: tuples that count under the model, stored and contextual alike. */
export interface TupleReader {
  hasTuple(object: string, relation: string, user: string): Promise<boolean>;
  /** Users of `object#relation` that are usersets. */
  usersets(object: string, relation: string): Promise<string[]>;
  /** All users of `object#relation`. */
  users(object: string, relation: string): Promise<string[]>;
  /** Tuples whose user is exactly `user`. */
  tuplesOfUser(user: string): Promise<TupleKey[]>;
}

const objectRelationKey = (object: string, relation: string) => `${object}#${relation}`;

interface Waiting<K, V> {
  key: K;
  callbacks: { resolve: (value: V) => void; reject: (error: unknown) => void }[];
}

/** One kind's requests gathered for the next read, by key. */
class Pending<K, V> {
  private readonly waiting = new Map<string, Waiting<K, V>>();

  constructor(private readonly keyOf: (key: K) => string) {}

  add(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const id = this.keyOf(key);
      const entry = this.waiting.get(id);
      if (entry) entry.callbacks.push({ resolve, reject });
      else this.waiting.set(id, { key, callbacks: [{ resolve, reject }] });
    });
  }

  keys(): K[] {
    return [...this.waiting.values()].map((w) => w.key);
  }

  settle(results: Map<string, V>, empty: () => V): void {
    for (const [id, w] of this.waiting) {
      const value = results.get(id) ?? empty();
      for (const c of w.callbacks) c.resolve(value);
    }
  }

  fail(error: unknown): void {
    for (const w of this.waiting.values()) for (const c of w.callbacks) c.reject(error);
  }
}

const orKey = (k: ObjectRelation) => objectRelationKey(k.object, k.relation);

/** The requests of every kind waiting for the next read. */
function newBatch() {
  return {
    exact: new Pending<TupleKey, boolean>(tupleKeyString),
    usersets: new Pending<ObjectRelation, string[]>(orKey),
    users: new Pending<ObjectRelation, string[]>(orKey),
    byUser: new Pending<string, TupleKey[]>((user) => user),
  };
}
type Batch = ReturnType<typeof newBatch>;

/**
 * Stored tuples for one request (or one batch-check), filtered by the model, batched and cached. Shared by
 * every evaluation in the request; contextual tuples are layered on top per evaluation.
 */
export class StoreReads {
  private readonly exists = new Map<string, Promise<boolean>>();
  private readonly usersetUsers = new Map<string, Promise<string[]>>();
  private readonly allUsers = new Map<string, Promise<string[]>>();
  private readonly byUser = new Map<string, Promise<TupleKey[]>>();
  private batch: Batch | undefined;
  /** Reads sent to the backend (for tests and performance notes). */
  queries = 0;

  constructor(
    private readonly backend: TupleBackend,
    private readonly index: ModelIndex,
  ) {}

  /** The batch requests join until it goes out. */
  private pending() {
    if (!this.batch) {
      this.batch = newBatch();
      // setImmediate, not a microtask: the evaluator's nested awaits all settle before the batch goes out.
      setImmediate(() => void this.flush());
    }
    return this.batch;
  }

  private async flush(): Promise<void> {
    const batch = this.batch as Batch;
    this.batch = undefined;
    this.queries++;
    let found: TupleReadResults;
    try {
      found = await this.backend.read({ exact: batch.exact.keys(), usersets: batch.usersets.keys(), users: batch.users.keys(), byUser: batch.byUser.keys() });
    } catch (error) {
      for (const kind of Object.values(batch)) kind.fail(error);
      return;
    }
    const readable = (t: TupleKey) => this.index.isReadable(t);
    batch.exact.settle(new Map(found.exact.filter(readable).map((t) => [tupleKeyString(t), true])), () => false);
    batch.usersets.settle(groupBy(found.usersets.filter(readable), (t) => objectRelationKey(t.object, t.relation), (t) => t.user), () => []);
    batch.users.settle(groupBy(found.users.filter(readable), (t) => objectRelationKey(t.object, t.relation), (t) => t.user), () => []);
    batch.byUser.settle(groupBy(found.byUser.filter(readable), (t) => t.user, (t) => t), () => []);
  }

  hasTuple(object: string, relation: string, user: string): Promise<boolean> {
    const key = tupleKeyString({ object, relation, user });
    let found = this.exists.get(key);
    if (!found) {
      // An object#relation already read in full answers without another query.
      const all = this.allUsers.get(objectRelationKey(object, relation));
      found = all ? all.then((users) => users.includes(user)) : this.pending().exact.add({ object, relation, user });
      this.exists.set(key, found);
    }
    return found;
  }

  usersets(object: string, relation: string): Promise<string[]> {
    const key = objectRelationKey(object, relation);
    let users = this.usersetUsers.get(key);
    if (!users) {
      const all = this.allUsers.get(key);
      users = all ? all.then((list) => list.filter(isUserset)) : this.pending().usersets.add({ object, relation });
      this.usersetUsers.set(key, users);
    }
    return users;
  }

  users(object: string, relation: string): Promise<string[]> {
    const key = objectRelationKey(object, relation);
    let users = this.allUsers.get(key);
    if (!users) {
      users = this.pending().users.add({ object, relation });
      this.allUsers.set(key, users);
    }
    return users;
  }

  tuplesOfUser(user: string): Promise<TupleKey[]> {
    let tuples = this.byUser.get(user);
    if (!tuples) {
      tuples = this.pending().byUser.add(user);
      this.byUser.set(user, tuples);
    }
    return tuples;
  }
}

function groupBy<V>(tuples: TupleKey[], keyOf: (t: TupleKey) => string, valueOf: (t: TupleKey) => V): Map<string, V[]> {
  const grouped = new Map<string, V[]>();
  for (const t of tuples) {
    const key = keyOf(t);
    const list = grouped.get(key);
    if (list) list.push(valueOf(t));
    else grouped.set(key, [valueOf(t)]);
  }
  return grouped;
}

/** Contextual tuples in memory, indexed like the store; only those that count under the model. */
export class ContextualTuples {
  private readonly exact = new Set<string>();
  private readonly byObjectRelation = new Map<string, string[]>();
  private readonly byUser = new Map<string, TupleKey[]>();

  constructor(tuples: readonly TupleKey[], index: ModelIndex) {
    for (const raw of tuples) {
      const t = { object: raw.object, relation: raw.relation, user: raw.user };
      const id = tupleKeyString(t);
      // Duplicates are tolerated, as upstream does, and counted once.
      if (this.exact.has(id) || !index.isReadable(t)) continue;
      this.exact.add(id);
      const key = objectRelationKey(t.object, t.relation);
      const users = this.byObjectRelation.get(key);
      if (users) users.push(t.user);
      else this.byObjectRelation.set(key, [t.user]);
      const named = this.byUser.get(t.user);
      if (named) named.push(t);
      else this.byUser.set(t.user, [t]);
    }
  }

  get size(): number {
    return this.exact.size;
  }

  has(t: TupleKey): boolean {
    return this.exact.has(tupleKeyString(t));
  }

  users(object: string, relation: string): string[] {
    return this.byObjectRelation.get(objectRelationKey(object, relation)) ?? [];
  }

  tuplesOfUser(user: string): TupleKey[] {
    return this.byUser.get(user) ?? [];
  }
}

const union = (stored: string[], extra: string[]): string[] => {
  if (extra.length === 0) return stored;
  const merged = new Set(stored);
  for (const value of extra) merged.add(value);
  return [...merged];
};

/** The reader for one evaluation: stored tuples (shared, batched) plus its own contextual tuples. */
export function createTupleReader(store: StoreReads, contextual?: ContextualTuples): TupleReader {
  if (!contextual || contextual.size === 0) return store;
  return {
    async hasTuple(object, relation, user) {
      return contextual.has({ object, relation, user }) || store.hasTuple(object, relation, user);
    },
    async usersets(object, relation) {
      return union(await store.usersets(object, relation), contextual.users(object, relation).filter(isUserset));
    },
    async users(object, relation) {
      return union(await store.users(object, relation), contextual.users(object, relation));
    },
    async tuplesOfUser(user) {
      const extra = contextual.tuplesOfUser(user);
      const stored = await store.tuplesOfUser(user);
      if (extra.length === 0) return stored;
      const seen = new Set(stored.map(tupleKeyString));
      return [...stored, ...extra.filter((t) => !seen.has(tupleKeyString(t)))];
    },
  };
}
