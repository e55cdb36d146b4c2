import { resolutionTooComplex } from "./errors";
import { parseUser, splitObject, splitObjectRelation, type ParsedUser } from "./identifiers";
import { walkRewrite, type RelationDef, type Rewrite } from "./model";
import type { ModelIndex } from "./model-index";
import type { TupleReader } from "./tuple-reader";

/**
 * Check: does `user` have `relation` on `object`? The semantics are OpenFGA's LocalChecker
 * (internal/graph/check.go), re-expressed:
 *
 * - Depth: every hop through a userset tuple or a tuple-to-userset parent costs one level; computed
 *   relations cost none. Reaching the limit (25) is an error (2002), not a denial.
 * - Cycles: the path of `object#relation@user` keys is tracked per branch; meeting a key already on the
 *   path answers false *with a cycle flag*, which makes an intersection false and a `but not` false.
 * - Union is true if any child is; an error only surfaces when nothing is true (and for intersection /
 *   exclusion, only when nothing is false). So a deep branch does not spoil a shallow grant.
 * - A userset is a member of itself (`doc:1#viewer` is a viewer of `doc:1`).
 *
 * It runs in two phases. First a breadth-first *prefetch* walks every object#relation the evaluation
 * could visit, one level at a time, so each level's reads go out as one set query (and the walk visits
 * each object#relation once, however many paths lead to it). Then the evaluation proper runs depth first
 * over the now-cached reads, in order, short-circuiting like upstream, and remembering answers that did
 * not depend on the path taken — which keeps diamond-shaped group hierarchies linear.
 */

export const DEFAULT_MAX_DEPTH = 25;
/** object#relation nodes the prefetch reads ahead for one check; beyond this the evaluation reads as it goes. */
const PREFETCH_LIMIT = 5000;
/** After a prefetch hit its limit, large fan-outs are read ahead this many targets at a time. */
const READ_AHEAD_CHUNK = 500;
/** Resolution steps one check may take before it is refused as too complex (cycles defeat the memo). */
const MAX_STEPS = 200_000;
/** Subtrees bigger than this are not memoised (the bookkeeping would cost more than it saves). */
const MAX_MEMO_KEYS = 2000;

interface Outcome {
  allowed: boolean;
  /** Upstream's CycleDetected: this false answer came from meeting a cycle. */
  cycle: boolean;
}

interface PathNode {
  key: string;
  parent: PathNode | undefined;
}

/** What one resolution touched: needed to know whether its answer may be reused elsewhere. */
class Trace {
  keys: Set<string> | undefined;
  /** A cycle was met somewhere below, so the answer depends on the path it was reached by. */
  tainted = false;

  constructor(key?: string) {
    this.keys = new Set(key ? [key] : []);
  }

  absorb(keys: Set<string> | undefined, tainted: boolean): void {
    if (tainted) this.tainted = true;
    if (!this.keys) return;
    if (!keys || this.keys.size + keys.size > MAX_MEMO_KEYS) {
      this.keys = undefined;
      return;
    }
    for (const key of keys) this.keys.add(key);
  }
}

interface MemoEntry {
  allowed: boolean;
  depth: number;
  keys: Set<string>;
}

const FALSE: Outcome = { allowed: false, cycle: false };
const TRUE: Outcome = { allowed: true, cycle: false };

function onPath(path: PathNode | undefined, key: string): boolean {
  for (let node = path; node; node = node.parent) if (node.key === key) return true;
  return false;
}

function pathTouches(path: PathNode | undefined, keys: Set<string>): boolean {
  for (let node = path; node; node = node.parent) if (keys.has(node.key)) return true;
  return false;
}

type Step = () => Promise<Outcome>;

/** Any child true; errors only count when none is (the first error is reported). */
async function union(steps: Step[]): Promise<Outcome> {
  let cycle = false;
  let failure: { reason: unknown } | undefined;
  for (const step of steps) {
    try {
      const outcome = await step();
      if (outcome.allowed) return TRUE;
      if (outcome.cycle) cycle = true;
    } catch (error) {
      failure ??= { reason: error };
    }
  }
  if (failure) throw failure.reason;
  return { allowed: false, cycle };
}

/** Every child true; a false or cyclic child decides, whatever errors the others raise. */
async function intersection(steps: Step[]): Promise<Outcome> {
  let failure: { reason: unknown } | undefined;
  for (const step of steps) {
    try {
      const outcome = await step();
      if (!outcome.allowed || outcome.cycle) return { allowed: false, cycle: outcome.cycle };
    } catch (error) {
      failure ??= { reason: error };
    }
  }
  if (failure) throw failure.reason;
  return TRUE;
}

/** Base and not subtract: a false base, or a true or cyclic subtract, decides. */
async function difference(base: Step, subtract: Step): Promise<Outcome> {
  let baseFailure: { reason: unknown } | undefined;
  try {
    const outcome = await base();
    if (!outcome.allowed || outcome.cycle) return { allowed: false, cycle: outcome.cycle };
  } catch (error) {
    baseFailure = { reason: error };
  }
  let outcome: Outcome;
  try {
    outcome = await subtract();
  } catch (error) {
    throw baseFailure ? baseFailure.reason : error;
  }
  if (outcome.allowed || outcome.cycle) return { allowed: false, cycle: outcome.cycle };
  if (baseFailure) throw baseFailure.reason;
  return TRUE;
}

/** One top-level check in progress: who is asked about, and its own budgets. */
interface Query {
  user: string;
  parsed: ParsedUser;
  /** Resolution steps taken so far (bounded by MAX_STEPS). */
  steps: number;
  /** A prefetch stopped at PREFETCH_LIMIT: big fan-outs then read ahead chunk by chunk. */
  truncated: boolean;
}

/**
 * Evaluates checks against one model and one tuple reader. One Checker serves one request (or the checks
 * of a batch that share contextual tuples, or a list-objects' candidates): it remembers answers that did
 * not depend on the path taken (no cycle met below), so a sub-answer is worked out once per request.
 */
export class Checker {
  private readonly memo = new Map<string, MemoEntry>();

  constructor(
    private readonly model: ModelIndex,
    private readonly reader: TupleReader,
    private readonly maxDepth = DEFAULT_MAX_DEPTH,
  ) {}

  /** Inputs must already be validated against the model (see check-command.ts). */
  async check(object: string, relation: string, user: string): Promise<boolean> {
    const parsed = parseUser(user);
    if (!parsed) return false;
    const query: Query = { user, parsed, steps: 0, truncated: false };
    await this.prefetch(query, [[object, relation]]);
    const outcome = await this.resolve(query, object, relation, 0, undefined, new Trace());
    return outcome.allowed;
  }

  /**
   * Reads ahead, breadth first, everything the evaluation may read: per level one batched query per
   * kind of read. Reads are the same whatever path leads to a node, so each object#relation is visited
   * once. Pruned like the evaluation (type-graph reachability) and bounded by depth and PREFETCH_LIMIT.
   */
  private async prefetch(query: Query, start: [object: string, relation: string][]): Promise<void> {
    const { user, parsed } = query;
    const seen = new Set<string>();
    let level = start;
    for (let depth = 0; level.length > 0 && depth < this.maxDepth && seen.size < PREFETCH_LIMIT; depth++) {
      const next: [string, string][] = [];
      const reads: Promise<unknown>[] = [];
      const queue = [...level];
      while (queue.length > 0 && seen.size < PREFETCH_LIMIT) {
        const [nodeObject, nodeRelation] = queue.pop() as [string, string];
        const key = `${nodeObject}#${nodeRelation}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (parsed.relation && user === key) continue;
        const type = splitObject(nodeObject).type;
        const def = this.model.relation(type, nodeRelation);
        if (!def || !this.model.pathExists(parsed, type, nodeRelation)) continue;
        for (const node of walkRewrite(def.rewrite)) {
          if (node.kind === "computed") {
            queue.push([nodeObject, node.relation]);
          } else if (node.kind === "this") {
            if (exactAllowed(def, parsed)) reads.push(this.reader.hasTuple(nodeObject, nodeRelation, user));
            if (wildcardAllowed(def, parsed)) reads.push(this.reader.hasTuple(nodeObject, nodeRelation, `${parsed.type}:*`));
            if (def.directTypes.some((ref) => ref.relation)) {
              reads.push(this.reader.usersets(nodeObject, nodeRelation).then((usersets) => usersets.forEach((u) => next.push(splitObjectRelation(u)))));
            }
          } else if (node.kind === "ttu") {
            const computed = node.computed;
            reads.push(
              this.reader.users(nodeObject, node.tupleset).then((parents) => {
                for (const parent of parents) if (this.model.relation(splitObject(parent).type, computed)) next.push([parent, computed]);
              }),
            );
          }
        }
      }
      await Promise.all(reads);
      level = next;
    }
    if (seen.size >= PREFETCH_LIMIT) query.truncated = true;
  }

  private async resolve(query: Query, object: string, relation: string, depth: number, path: PathNode | undefined, parentTrace: Trace): Promise<Outcome> {
    if (depth >= this.maxDepth) throw resolutionTooComplex();
    if (++query.steps > MAX_STEPS) throw resolutionTooComplex();
    const key = `${object}#${relation}@${query.user}`;
    if (onPath(path, key)) {
      parentTrace.tainted = true;
      return { allowed: false, cycle: true };
    }
    const remembered = this.memo.get(key);
    if (remembered && depth <= remembered.depth && !pathTouches(path, remembered.keys)) {
      parentTrace.absorb(remembered.keys, false);
      return remembered.allowed ? TRUE : FALSE;
    }
    const trace = new Trace(key);
    let outcome: Outcome;
    try {
      outcome = await this.evaluate(query, object, relation, depth, { key, parent: path }, trace);
    } catch (error) {
      // What an erroring subtree touched is unknown: nothing above it may be remembered.
      parentTrace.absorb(undefined, true);
      throw error;
    }
    if (!trace.tainted && trace.keys) this.memo.set(key, { allowed: outcome.allowed, depth, keys: trace.keys });
    parentTrace.absorb(trace.keys, trace.tainted);
    return outcome;
  }

  private async evaluate(query: Query, object: string, relation: string, depth: number, path: PathNode, trace: Trace): Promise<Outcome> {
    // A userset is a member of itself.
    if (query.parsed.relation && query.user === `${object}#${relation}`) return TRUE;
    const { type } = splitObject(object);
    const def = this.model.relation(type, relation);
    if (!def) return FALSE;
    // No rewrite path from this kind of user to the relation: nothing to read.
    if (!this.model.pathExists(query.parsed, type, relation)) return FALSE;
    return this.rewrite(query, def, def.rewrite, object, depth, path, trace);
  }

  private rewrite(query: Query, def: RelationDef, node: Rewrite, object: string, depth: number, path: PathNode, trace: Trace): Promise<Outcome> {
    const child = (n: Rewrite): Step => () => this.rewrite(query, def, n, object, depth, path, trace);
    switch (node.kind) {
      case "this":
        return this.direct(query, def, object, depth, path, trace);
      case "computed":
        return this.resolve(query, object, node.relation, depth, path, trace);
      case "ttu":
        return this.tupleToUserset(query, node.tupleset, node.computed, object, depth, path, trace);
      case "union":
        return union(node.children.map(child));
      case "intersection":
        return intersection(node.children.map(child));
      case "difference":
        return difference(child(node.base), child(node.subtract));
    }
  }

  /** Direct tuples: the exact tuple, a typed wildcard tuple, and usersets (each only where the type restrictions allow it). */
  private direct(query: Query, def: RelationDef, object: string, depth: number, path: PathNode, trace: Trace): Promise<Outcome> {
    const { user, parsed } = query;
    const steps: Step[] = [];
    if (exactAllowed(def, parsed)) steps.push(async () => ((await this.reader.hasTuple(object, def.name, user)) ? TRUE : FALSE));
    if (wildcardAllowed(def, parsed)) steps.push(async () => ((await this.reader.hasTuple(object, def.name, `${parsed.type}:*`)) ? TRUE : FALSE));
    if (def.directTypes.some((ref) => ref.relation)) {
      steps.push(async () => {
        const usersets = await this.reader.usersets(object, def.name);
        return this.dispatch(query, usersets.map((userset) => splitObjectRelation(userset)), depth, path, trace);
      });
    }
    return union(steps);
  }

  /** `computed from tupleset`: for each parent in `object#tupleset`, check `parent#computed` one level down. */
  private async tupleToUserset(query: Query, tupleset: string, computed: string, object: string, depth: number, path: PathNode, trace: Trace): Promise<Outcome> {
    const parents = await this.reader.users(object, tupleset);
    // A parent whose type lacks the computed relation contributes nothing (upstream skips it).
    const targets = parents
      .filter((parent) => this.model.relation(splitObject(parent).type, computed))
      .map((parent): [string, string] => [parent, computed]);
    return this.dispatch(query, targets, depth, path, trace);
  }

  /** Sub-checks one level deeper; the first that grants decides. */
  private async dispatch(query: Query, targets: [object: string, relation: string][], depth: number, path: PathNode, trace: Trace): Promise<Outcome> {
    const steps = (chunk: [string, string][]) => chunk.map(([object, relation]) => () => this.resolve(query, object, relation, depth + 1, path, trace));
    if (!query.truncated || targets.length <= READ_AHEAD_CHUNK) return union(steps(targets));
    // The prefetch did not reach all of these: read each chunk's subtrees in one go before evaluating it.
    let cycle = false;
    let failure: { reason: unknown } | undefined;
    for (let start = 0; start < targets.length; start += READ_AHEAD_CHUNK) {
      const chunk = targets.slice(start, start + READ_AHEAD_CHUNK);
      await this.prefetch(query, chunk);
      try {
        const outcome = await union(steps(chunk));
        if (outcome.allowed) return TRUE;
        if (outcome.cycle) cycle = true;
      } catch (error) {
        failure ??= { reason: error };
      }
    }
    if (failure) throw failure.reason;
    return { allowed: false, cycle };
  }
}

/** The exact tuple can count: the user's own kind (`user`, or `group#member` for a userset) is allowed. */
function exactAllowed(def: RelationDef, user: ParsedUser): boolean {
  return def.directTypes.some((ref) => ref.type === user.type && !ref.wildcard && (ref.relation ?? "") === (user.relation ?? ""));
}

/** A `type:*` tuple can count: the relation allows the wildcard and the user is not a userset. */
function wildcardAllowed(def: RelationDef, user: ParsedUser): boolean {
  return !user.relation && def.directTypes.some((ref) => ref.type === user.type && ref.wildcard);
}
