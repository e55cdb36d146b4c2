import { isUserset, tupleKeyString, type TupleKey } from "./identifiers";
import type { ModelIndex } from "./model-index";

/**
 * How the evaluator reads tuples. Storage implements a few *set* queries (TupleBackend); the evaluator
 * asks for one thing at a time (TupleReader). In between, StoreReads collects every request made while
 * the evaluator's promises settle and sends them as one set query per kind, caching each answer for the
 * rest of the request — so a Check that fans out to 50 groups costs one query for the 50, not 50.
 */

export interface ObjectRelation {
  object: string;
  relation: string;
}

export interface TupleBackend {
  /** Which of these exact tuples are stored. */
  findTuples(keys: readonly TupleKey[]): Promise<TupleKey[]>;
  /** Every tuple of each `object#relation`; with `usersetsOnly`, only those whose user is `type:id#relation`. */
  readObjectRelations(keys: readonly ObjectRelation[], usersetsOnly: boolean): Promise<TupleKey[]>;
  /** Tuples whose user is exactly one of these strings. */
  readByUsers(users: readonly string[]): Promise<TupleKey[]>;
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

/** Calls made in the same turn of the event loop, answered by one backend call. */
class Batcher<K, V> {
  private pending = new Map<string, { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly keyOf: (key: K) => string,
    private readonly run: (keys: K[]) => Promise<Map<string, V>>,
    private readonly empty: () => V,
  ) {}

  load(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const id = this.keyOf(key);
      const waiting = this.pending.get(id);
      if (waiting) waiting.push({ key, resolve, reject });
      else this.pending.set(id, [{ key, resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: the evaluator's nested awaits all settle before the batch goes out.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    const keys = [...batch.values()].map((waiting) => (waiting[0] as { key: K }).key);
    try {
      const results = await this.run(keys);
      for (const [id, waiting] of batch) {
        const value = results.get(id) ?? this.empty();
        for (const w of waiting) w.resolve(value);
      }
    } catch (error) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(error);
    }
  }
}

/**
 * Stored tuples for one request (or one batch-check), filtered by the model, batched and cached. Shared by
 * every evaluation in the request; contextual tuples are layered on top per evaluation.
 */
export class StoreReads {
  private readonly exists = new Map<string, Promise<boolean>>();
  private readonly usersetUsers = new Map<string, Promise<string[]>>();
  private readonly allUsers = new Map<string, Promise<string[]>>();
  private readonly byUser = new Map<string, Promise<TupleKey[]>>();
  private readonly findBatcher: Batcher<TupleKey, boolean>;
  private readonly usersetBatcher: Batcher<ObjectRelation, string[]>;
  private readonly usersBatcher: Batcher<ObjectRelation, string[]>;
  private readonly byUserBatcher: Batcher<string, TupleKey[]>;
  /** Set queries sent to the backend (for tests and performance notes). */
  queries = 0;

  constructor(backend: TupleBackend, index: ModelIndex) {
    const readable = (t: TupleKey) => index.isReadable(t);
    this.findBatcher = new Batcher(
      tupleKeyString,
      async (keys) => {
        this.queries++;
        const found = await backend.findTuples(keys);
        return new Map(found.filter(readable).map((t) => [tupleKeyString(t), true]));
      },
      () => false,
    );
    const groupUsers = (tuples: TupleKey[]) => {
      const grouped = new Map<string, string[]>();
      for (const t of tuples) {
        if (!readable(t)) continue;
        const key = objectRelationKey(t.object, t.relation);
        const list = grouped.get(key);
        if (list) list.push(t.user);
        else grouped.set(key, [t.user]);
      }
      return grouped;
    };
    const orKey = (k: ObjectRelation) => objectRelationKey(k.object, k.relation);
    this.usersetBatcher = new Batcher(
      orKey,
      async (keys) => {
        this.queries++;
        return groupUsers(await backend.readObjectRelations(keys, true));
      },
      () => [],
    );
    this.usersBatcher = new Batcher(
      orKey,
      async (keys) => {
        this.queries++;
        return groupUsers(await backend.readObjectRelations(keys, false));
      },
      () => [],
    );
    this.byUserBatcher = new Batcher(
      (user) => user,
      async (users) => {
        this.queries++;
        const grouped = new Map<string, TupleKey[]>();
        for (const t of await backend.readByUsers(users)) {
          if (!readable(t)) continue;
          const list = grouped.get(t.user);
          if (list) list.push(t);
          else grouped.set(t.user, [t]);
        }
        return grouped;
      },
      () => [],
    );
  }

  hasTuple(object: string, relation: string, user: string): Promise<boolean> {
    const key = tupleKeyString({ object, relation, user });
    let found = this.exists.get(key);
    if (!found) {
      // An object#relation already read in full answers without another query.
      const all = this.allUsers.get(objectRelationKey(object, relation));
      found = all ? all.then((users) => users.includes(user)) : this.findBatcher.load({ object, relation, user });
      this.exists.set(key, found);
    }
    return found;
  }

  usersets(object: string, relation: string): Promise<string[]> {
    const key = objectRelationKey(object, relation);
    let users = this.usersetUsers.get(key);
    if (!users) {
      const all = this.allUsers.get(key);
      users = all ? all.then((list) => list.filter(isUserset)) : this.usersetBatcher.load({ object, relation });
      this.usersetUsers.set(key, users);
    }
    return users;
  }

  users(object: string, relation: string): Promise<string[]> {
    const key = objectRelationKey(object, relation);
    let users = this.allUsers.get(key);
    if (!users) {
      users = this.usersBatcher.load({ object, relation });
      this.allUsers.set(key, users);
    }
    return users;
  }

  tuplesOfUser(user: string): Promise<TupleKey[]> {
    let tuples = this.byUser.get(user);
    if (!tuples) {
      tuples = this.byUserBatcher.load(user);
      this.byUser.set(user, tuples);
    }
    return tuples;
  }
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
