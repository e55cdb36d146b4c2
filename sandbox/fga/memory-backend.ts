import { isUserset, tupleKeyString, type TupleKey } from "./identifiers";
import type { ObjectRelation, TupleBackend } from "./tuple-reader";

/** Tuples in memory behind the same set queries as the Postgres store: for evaluator unit tests. */
export class MemoryTupleBackend implements TupleBackend {
  private readonly all = new Map<string, TupleKey>();
  /** Every set query received, for tests about batching. */
  readonly calls: { kind: string; size: number }[] = [];

  constructor(tuples: readonly TupleKey[] = []) {
    this.write(tuples);
  }

  write(tuples: readonly TupleKey[]): void {
    for (const t of tuples) this.all.set(tupleKeyString(t), { object: t.object, relation: t.relation, user: t.user });
  }

  delete(tuples: readonly TupleKey[]): void {
    for (const t of tuples) this.all.delete(tupleKeyString(t));
  }

  async findTuples(keys: readonly TupleKey[]): Promise<TupleKey[]> {
    this.calls.push({ kind: "find", size: keys.length });
    return keys.filter((key) => this.all.has(tupleKeyString(key)));
  }

  async readObjectRelations(keys: readonly ObjectRelation[], usersetsOnly: boolean): Promise<TupleKey[]> {
    this.calls.push({ kind: usersetsOnly ? "usersets" : "users", size: keys.length });
    const wanted = new Set(keys.map((k) => `${k.object}#${k.relation}`));
    return [...this.all.values()].filter((t) => wanted.has(`${t.object}#${t.relation}`) && (!usersetsOnly || isUserset(t.user)));
  }

  async readByUsers(users: readonly string[]): Promise<TupleKey[]> {
    this.calls.push({ kind: "byUser", size: users.length });
    const wanted = new Set(users);
    return [...this.all.values()].filter((t) => wanted.has(t.user));
  }
}
