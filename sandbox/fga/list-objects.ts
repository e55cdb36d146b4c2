import { Checker } from "./check";
import { FgaError, validationError } from "./errors";
import { parseUser, typeOf, type ParsedUser, type TupleKey } from "./identifiers";
import { DEFAULT_MAX_RESULTS } from "./limits";
import { EXACT, type LeafStatus, type ModelIndex, type UpEdges } from "./model-index";
import { ContextualTuples, createTupleReader, type StoreReads, type TupleReader } from "./tuple-reader";
import { assertContextualLimit, assertContextualTuples, checkUser } from "./tuple-validation";

/**
 * ListObjects: the objects of `type` on which `user` has `relation`, by reverse expansion from the user
 * (as OpenFGA's reverseexpand does) rather than by checking every object of the type:
 *
 * 1. Seeds: the tuples naming the user itself (and `type:*` for a plain user), or, for a userset user
 *    `group:x#member`, the fact "group:x#member" itself (a userset is a member of itself).
 * 2. A fact "user has X on T:id" grants, one step up: other relations of T:id that include X (no read);
 *    `O#R` for tuples `O#R@T:id#X` (userset tuples); and `O#R` for tuples `O#ts@T:id` where
 *    `R: X from ts`. Each step reads "tuples whose user is …" for the whole frontier in one query.
 * 3. Only nodes that can lead to `type#relation` are followed (ModelIndex.relevantTo).
 *
 * A fact reached only through unions is exact. One reached through an intersection or the base of a
 * `but not` is a candidate, and candidates of the target relation are confirmed with Check, so the
 * answer always agrees with Check.
 */

const CHECK_SLICE = 50;

export interface ListObjectsInput {
  type: string;
  relation: string;
  user: string;
  contextualTuples?: readonly TupleKey[];
}

export interface ListObjectsOptions {
  /** 0 means unlimited (streamed list-objects). */
  maxResults?: number;
  /** Called once per object as soon as it is known, for streaming. */
  onObject?: (object: string) => void;
}

interface Fact {
  object: string;
  type: string;
  relation: string;
  status: LeafStatus;
}

interface ExpansionNode {
  /** Facts here can lead to the target relation (ModelIndex.relevantTo). */
  relevant: boolean;
  target: boolean;
  /** How a direct tuple of this relation counts, if it can. */
  direct: LeafStatus | undefined;
  up: UpEdges;
  /** Whether facts here need the tuples naming them as a userset / as a tupleset parent. */
  readsUsersets: boolean;
  readsTupleToUserset: boolean;
}

/** Upstream's order: contextual tuples (2027), then type (2021) / relation (2022), then the user (2000). */
function validate(model: ModelIndex, input: ListObjectsInput): ParsedUser {
  assertContextualLimit(input.contextualTuples);
  assertContextualTuples(model, input.contextualTuples ?? []);
  if (!model.hasType(input.type)) throw new FgaError("type_not_found", `type '${input.type}' not found`);
  if (!model.relation(input.type, input.relation)) {
    throw new FgaError("relation_not_found", `relation '${input.type}#${input.relation}' not found`);
  }
  const p = checkUser(model, input.user);
  const parsed = parseUser(input.user);
  if (p || !parsed) throw validationError(`invalid 'user' value: ${p?.reason ?? "the 'user' field is malformed"}`);
  return parsed;
}

export async function listObjects(model: ModelIndex, store: StoreReads, input: ListObjectsInput, options: ListObjectsOptions = {}): Promise<string[]> {
  const user = validate(model, input);
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  const reader = createTupleReader(store, new ContextualTuples(input.contextualTuples ?? [], model));
  const results: string[] = [];
  const found = new Set<string>();
  const full = () => maxResults > 0 && results.length >= maxResults;
  const emit = (object: string) => {
    if (found.has(object) || full()) return;
    found.add(object);
    results.push(object);
    options.onObject?.(object);
  };

  const candidates = await reverseExpand(model, reader, input.type, input.relation, user, input.user, emit, full);
  if (!full()) {
    const checker = new Checker(model, reader);
    const pending = [...candidates].filter((object) => !found.has(object));
    for (let start = 0; start < pending.length && !full(); start += CHECK_SLICE) {
      const slice = pending.slice(start, start + CHECK_SLICE);
      const allowed = await Promise.all(slice.map((object) => checker.check(object, input.relation, input.user)));
      slice.forEach((object, i) => {
        if (allowed[i]) emit(object);
      });
    }
  }
  return results;
}

/** Emits exact results as it finds them; returns the target objects that still need a Check. */
async function reverseExpand(
  model: ModelIndex,
  reader: TupleReader,
  targetType: string,
  targetRelation: string,
  user: ParsedUser,
  userString: string,
  emit: (object: string) => void,
  full: () => boolean,
): Promise<Set<string>> {
  const relevant = model.relevantTo(targetType, targetRelation);
  const facts = new Map<string, LeafStatus>();
  const candidates = new Set<string>();
  let worklist: Fact[] = [];

  // Per type#relation, what the expansion needs to know, worked out once: a big list meets the same few over and over.
  const nodes = new Map<string, Map<string, ExpansionNode>>();
  const nodeOf = (type: string, relation: string): ExpansionNode => {
    let byRelation = nodes.get(type);
    if (!byRelation) nodes.set(type, (byRelation = new Map()));
    let node = byRelation.get(relation);
    if (!node) {
      const up = model.upEdges(type, relation);
      const leads = (edge: { objectType: string; relation: string }) => relevant.has(`${edge.objectType}#${edge.relation}`);
      node = {
        relevant: relevant.has(`${type}#${relation}`),
        target: type === targetType && relation === targetRelation,
        direct: model.leaves(type, relation).direct,
        up,
        readsUsersets: up.userset.some(leads),
        readsTupleToUserset: up.ttu.some(leads),
      };
      byRelation.set(relation, node);
    }
    return node;
  };

  const add = (object: string, type: string, relation: string, status: LeafStatus) => {
    if (!nodeOf(type, relation).relevant) return;
    const key = `${object}#${relation}`;
    const previous = facts.get(key) ?? 0;
    if (status <= previous) return;
    facts.set(key, status);
    worklist.push({ object, type, relation, status });
  };
  const addDirect = (t: TupleKey) => {
    const type = typeOf(t.object);
    const status = nodeOf(type, t.relation).direct;
    if (status) add(t.object, type, t.relation, status);
  };

  if (user.relation) {
    add(`${user.type}:${user.id}`, user.type, user.relation, EXACT);
  } else {
    // A plain user is named by its own tuples and by wildcard tuples of its type.
    const names = user.id === "*" ? [userString] : [userString, `${user.type}:*`];
    for (const seeds of await Promise.all(names.map((name) => reader.tuplesOfUser(name)))) seeds.forEach(addDirect);
  }

  while (worklist.length > 0 && !full()) {
    // Follow computed relations without reading, and gather the reads the next step needs.
    const lookups = new Map<string, Fact[]>();
    const need = (userKey: string, fact: Fact) => {
      const list = lookups.get(userKey);
      if (list) list.push(fact);
      else lookups.set(userKey, [fact]);
    };
    for (let i = 0; i < worklist.length; i++) {
      // Capped and full: the rest could only add objects that would not be returned.
      if (full()) return candidates;
      const fact = worklist[i] as Fact;
      const node = nodeOf(fact.type, fact.relation);
      if (node.target) {
        if (fact.status === EXACT) {
          candidates.delete(fact.object);
          emit(fact.object);
        } else {
          candidates.add(fact.object);
        }
      }
      for (const edge of node.up.computed) add(fact.object, fact.type, edge.relation, Math.min(fact.status, edge.status) as LeafStatus);
      if (node.readsUsersets) need(`${fact.object}#${fact.relation}`, fact);
      if (node.readsTupleToUserset) need(fact.object, fact);
    }
    worklist = [];
    const keys = [...lookups.keys()];
    const tuplesByKey = await Promise.all(keys.map((key) => reader.tuplesOfUser(key)));
    keys.forEach((key, i) => {
      const tuples = tuplesByKey[i] as TupleKey[];
      for (const fact of lookups.get(key) as Fact[]) {
        const { up } = nodeOf(fact.type, fact.relation);
        const viaUserset = key.includes("#");
        for (const t of tuples) {
          const objectType = typeOf(t.object);
          if (viaUserset) {
            for (const edge of up.userset) {
              if (edge.objectType === objectType && edge.relation === t.relation) add(t.object, objectType, t.relation, Math.min(fact.status, edge.status) as LeafStatus);
            }
          } else {
            for (const edge of up.ttu) {
              if (edge.objectType === objectType && edge.tupleset === t.relation) add(t.object, objectType, edge.relation, Math.min(fact.status, edge.status) as LeafStatus);
            }
          }
        }
      }
    });
  }
  return candidates;
}
