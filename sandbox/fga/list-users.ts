import { Checker, DEFAULT_MAX_DEPTH } from "./check";
import { FgaError, resolutionTooComplex, validationError } from "./errors";
import { isUserset, splitObject, splitObjectRelation, type TupleKey } from "./identifiers";
import { DEFAULT_MAX_RESULTS } from "./limits";
import type { ModelIndex } from "./model-index";
import { walkRewrite } from "./model";
import { ContextualTuples, createTupleReader, type StoreReads } from "./tuple-reader";
import { assertContextualLimit, assertContextualTuples } from "./tuple-validation";

/**
 * ListUsers: the users of one type (or usersets `type#relation`) that have `relation` on `object`.
 *
 * 1. Expand downwards from `object#relation` level by level, as upstream's expand does: direct tuples
 *    give users and usersets to expand, computed relations and tuple-to-userset parents are expanded in
 *    turn. Each level is one batched read; each `object#relation` is expanded once. Like upstream, a
 *    path needing 25 or more hops is an error (2002).
 * 2. Everything of the filter's type met on the way is a candidate (including `type:*` and the node
 *    itself when it matches a userset filter), and each candidate is confirmed with Check — so the result
 *    agrees with Check by construction, including under intersection and `but not`.
 */

export interface UserFilter {
  type: string;
  relation?: string;
}

export interface ListUsersInput {
  object: { type: string; id: string };
  relation: string;
  userFilters: readonly UserFilter[];
  contextualTuples?: readonly TupleKey[];
}

export type ListedUser =
  | { object: { type: string; id: string } }
  | { wildcard: { type: string } }
  | { userset: { type: string; id: string; relation: string } };

const CHECK_SLICE = 50;

/** Upstream's order: contextual tuples (2027), the filter (2021/2022), then the target (2021/2022). */
function validate(model: ModelIndex, input: ListUsersInput): UserFilter {
  assertContextualLimit(input.contextualTuples);
  if (input.userFilters.length !== 1) throw validationError("user_filters must contain exactly one filter");
  assertContextualTuples(model, input.contextualTuples ?? []);
  const filter = input.userFilters[0] as UserFilter;
  if (!model.hasType(filter.type)) throw new FgaError("type_not_found", `type '${filter.type}' not found`);
  if (filter.relation && !model.relation(filter.type, filter.relation)) {
    throw new FgaError("relation_not_found", `relation '${filter.type}#${filter.relation}' not found`);
  }
  if (!model.hasType(input.object.type)) throw new FgaError("type_not_found", `type '${input.object.type}' not found`);
  if (!model.relation(input.object.type, input.relation)) {
    throw new FgaError("relation_not_found", `relation '${input.object.type}#${input.relation}' not found`);
  }
  if (!input.object.id || input.object.id === "*" || /[:#\s]/.test(input.object.id)) throw validationError("invalid 'object' field format");
  return filter;
}

export function renderUser(user: string): ListedUser {
  const [object, relation] = splitObjectRelation(user);
  const { type, id } = splitObject(object);
  if (relation) return { userset: { type, id, relation } };
  if (id === "*") return { wildcard: { type } };
  return { object: { type, id } };
}

export async function listUsers(model: ModelIndex, store: StoreReads, input: ListUsersInput, options: { maxResults?: number } = {}): Promise<string[]> {
  const filter = validate(model, input);
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  const reader = createTupleReader(store, new ContextualTuples(input.contextualTuples ?? [], model));
  const target = `${input.object.type}:${input.object.id}`;

  const candidates = new Set<string>();
  const expanded = new Set<string>();
  let level: [object: string, relation: string][] = [[target, input.relation]];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= DEFAULT_MAX_DEPTH) throw resolutionTooComplex();
    const next: [string, string][] = [];
    await Promise.all(
      level.map(async ([object, relation]) => {
        const key = `${object}#${relation}`;
        if (expanded.has(key)) return;
        expanded.add(key);
        const { type } = splitObject(object);
        if (filter.relation && type === filter.type && relation === filter.relation) candidates.add(key);
        const def = model.relation(type, relation);
        if (!def) return;
        const reads: Promise<void>[] = [];
        for (const node of walkRewrite(def.rewrite)) {
          if (node.kind === "computed") next.push([object, node.relation]);
          if (node.kind === "this") {
            reads.push(
              reader.users(object, relation).then((users) => {
                for (const user of users) {
                  if (isUserset(user)) next.push(splitObjectRelation(user));
                  else if (!filter.relation && splitObject(user).type === filter.type) candidates.add(user);
                }
              }),
            );
          }
          if (node.kind === "ttu") {
            const computed = node.computed;
            reads.push(
              reader.users(object, node.tupleset).then((parents) => {
                for (const parent of parents) if (model.relation(splitObject(parent).type, computed)) next.push([parent, computed]);
              }),
            );
          }
        }
        await Promise.all(reads);
      }),
    );
    level = next.filter(([object, relation]) => !expanded.has(`${object}#${relation}`));
  }

  const checker = new Checker(model, reader);
  const users: string[] = [];
  const pending = [...candidates];
  for (let start = 0; start < pending.length && users.length < maxResults; start += CHECK_SLICE) {
    const slice = pending.slice(start, start + CHECK_SLICE);
    const allowed = await Promise.all(slice.map((user) => checker.check(target, input.relation, user)));
    slice.forEach((user, i) => {
      if (allowed[i] && users.length < maxResults) users.push(user);
    });
  }
  return users;
}
