import { isUserset, tupleKeyString, type TupleKey } from "./identifiers";
import type { TupleBackend, TupleReadResults, TupleReads } from "./tuple-reader";

/** Tuples in memory behind the same reads as the Postgres store: for evaluator unit tests. */
export class MemoryTupleBackend implements TupleBackend {
  private readonly all = new Map<string, TupleKey>();
  /** Every kind of read received, with how many keys it held, for tests about batching. */
  readonly calls: { kind: keyof TupleReads; size: number }[] = [];

  constructor(tuples: readonly TupleKey[] = []) {
    this.write(tuples);
  }

  write(tuples: readonly TupleKey[]): void {
    for (const t of tuples) this.all.set(tupleKeyString(t), { object: t.object, relation: t.relation, user: t.user });
  }

  delete(tuples: readonly TupleKey[]): void {
    for (const t of tuples) this.all.delete(tupleKeyString(t));
  }

  async read(reads: TupleReads): Promise<TupleReadResults> {
    for (const [kind, keys] of Object.entries(reads) as [keyof TupleReads, unknown[]][]) if (keys.length > 0) this.calls.push({ kind, size: keys.length });
    const stored = [...this.all.values()];
    const objectRelations = (keys: { object: string; relation: string }[]) => new Set(keys.map((k) => `${k.object}#${k.relation}`));
    const usersets = objectRelations(reads.usersets);
    const users = objectRelations(reads.users);
    const byUser = new Set(reads.byUser);
    return {
      exact: reads.exact.filter((key) => this.all.has(tupleKeyString(key))),
      usersets: stored.filter((t) => usersets.has(`${t.object}#${t.relation}`) && isUserset(t.user)),
      users: stored.filter((t) => users.has(`${t.object}#${t.relation}`)),
      byUser: stored.filter((t) => byUser.has(t.user)),
    };
  }
}
