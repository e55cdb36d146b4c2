import { splitObjectRelation, typeOf, type ParsedUser, type TupleKey } from "./identifiers";
import { parseModel, refLabel, walkRewrite, type AuthorizationModelJSON, type RelationDef, type Rewrite, type TypeDef } from "./model";

/**
 * How a rewrite leaf contributes to its relation, for reverse expansion (list-objects): "exact" when the
 * leaf is reached only through unions (a user found there has the relation), "partial" when it sits under
 * an intersection or the base of an exclusion (the user is only a candidate and needs a Check).
 * Leaves that appear only under `but not` subtract never grant the relation.
 */
export const EXACT = 2;
export const PARTIAL = 1;
export type LeafStatus = typeof EXACT | typeof PARTIAL;

export interface RelationLeaves {
  direct?: LeafStatus;
  computed: Map<string, LeafStatus>;
  ttu: { tupleset: string; computed: string; status: LeafStatus }[];
}

/** Edges from a fact "subject has relation X on some T:id" up to what it can grant. */
export interface UpEdges {
  /** Same object: relations of T whose rewrite includes `X`. */
  computed: { relation: string; status: LeafStatus }[];
  /** Tuples `O:*#R@T:id#X`: relations that accept the userset `T#X`. */
  userset: { objectType: string; relation: string; status: LeafStatus }[];
  /** Tuples `O:*#ts@T:id` where `R: X from ts`. */
  ttu: { objectType: string; relation: string; tupleset: string; status: LeafStatus }[];
}

const nodeKey = (type: string, relation: string) => `${type}#${relation}`;

/**
 * A parsed authorization model with the lookups the evaluator needs, each computed once per model
 * (models are immutable, so the index is cached by model id and shared by every request).
 */
export class ModelIndex {
  readonly types: Map<string, TypeDef>;
  private readonly tuplesets = new Map<string, Set<string>>();
  private readonly readableCache = new Map<string, boolean>();
  private readonly reachingCache = new Map<string, Set<string>>();
  private readonly leavesCache = new Map<string, RelationLeaves>();
  private readonly relevantCache = new Map<string, Set<string>>();
  private upEdgesIndex: Map<string, UpEdges> | undefined;

  constructor(readonly json: AuthorizationModelJSON) {
    this.types = parseModel(json);
    for (const typeDef of this.types.values()) {
      const names = new Set<string>();
      for (const relation of typeDef.relations.values()) {
        for (const node of walkRewrite(relation.rewrite)) if (node.kind === "ttu") names.add(node.tupleset);
      }
      this.tuplesets.set(typeDef.name, names);
    }
  }

  get id(): string {
    return this.json.id;
  }

  hasType(type: string): boolean {
    return this.types.has(type);
  }

  relation(type: string, relation: string): RelationDef | undefined {
    return this.types.get(type)?.relations.get(relation);
  }

  isTupleset(type: string, relation: string): boolean {
    return this.tuplesets.get(type)?.has(relation) ?? false;
  }

  /**
   * Whether a stored or contextual tuple counts under this model (upstream's ValidateTupleForRead): the
   * relation exists, tupleset relations hold only plain objects, and the user matches one of the
   * relation's *current* type restrictions. Tuples written under an older model that no longer fit are
   * thereby ignored rather than trusted.
   */
  isReadable(tuple: TupleKey): boolean {
    const objectType = typeOf(tuple.object);
    const [userObject, userRelation] = splitObjectRelation(tuple.user);
    const userType = typeOf(userObject);
    const wildcard = userRelation === "" && userObject.endsWith(":*");
    const signature = `${objectType}#${tuple.relation}@${userType}${userRelation ? `#${userRelation}` : wildcard ? ":*" : ""}`;
    const cached = this.readableCache.get(signature);
    if (cached !== undefined) return cached;
    const readable = this.computeReadable(objectType, tuple.relation, userType, userRelation, wildcard);
    this.readableCache.set(signature, readable);
    return readable;
  }

  private computeReadable(objectType: string, relation: string, userType: string, userRelation: string, wildcard: boolean): boolean {
    const def = this.relation(objectType, relation);
    if (!def) return false;
    if (this.isTupleset(objectType, relation) && (userRelation !== "" || wildcard)) return false;
    return def.directTypes.some((ref) => {
      if (ref.type !== userType || ref.condition) return false;
      if (userRelation !== "") return ref.relation === userRelation;
      if (wildcard) return ref.wildcard === true;
      return !ref.relation && !ref.wildcard;
    });
  }

  /**
   * Whether any rewrite path leads from users like `user` to `type#relation` (upstream's PathExists). A
   * Check can answer false without reading tuples when there is none.
   */
  pathExists(user: ParsedUser, type: string, relation: string): boolean {
    const reaching = this.reaching(type, relation);
    if (user.relation) return reaching.has(`${user.type}#${user.relation}`);
    return reaching.has(user.type) || reaching.has(`${user.type}:*`);
  }

  /** Labels (`user`, `user:*`, `group#member`) from which some rewrite path reaches `type#relation`. */
  private reaching(type: string, relation: string): Set<string> {
    const key = nodeKey(type, relation);
    const cached = this.reachingCache.get(key);
    if (cached) return cached;
    const seen = new Set<string>([key]);
    const queue = [key];
    while (queue.length > 0) {
      const current = queue.pop() as string;
      const [currentType, currentRelation] = splitObjectRelation(current);
      const def = currentRelation ? this.relation(currentType, currentRelation) : undefined;
      if (!def) continue;
      for (const source of this.sourcesOf(def)) {
        if (!seen.has(source)) {
          seen.add(source);
          queue.push(source);
        }
      }
    }
    this.reachingCache.set(key, seen);
    return seen;
  }

  /** Labels with an edge into this relation: its type restrictions, computed relations and TTU targets. */
  private *sourcesOf(def: RelationDef): Generator<string> {
    for (const node of walkRewrite(def.rewrite)) {
      if (node.kind === "this") {
        for (const ref of def.directTypes) yield refLabel(ref);
      } else if (node.kind === "computed") {
        yield nodeKey(def.type, node.relation);
      } else if (node.kind === "ttu") {
        for (const ref of this.relation(def.type, node.tupleset)?.directTypes ?? []) {
          if (!ref.relation && !ref.wildcard && this.relation(ref.type, node.computed)) yield nodeKey(ref.type, node.computed);
        }
      }
    }
  }

  /** Where each leaf of a relation's rewrite sits: under unions only (exact) or under and / but-not base. */
  leaves(type: string, relation: string): RelationLeaves {
    const key = nodeKey(type, relation);
    const cached = this.leavesCache.get(key);
    if (cached) return cached;
    const leaves: RelationLeaves = { computed: new Map(), ttu: [] };
    const def = this.relation(type, relation);
    const best = (a: LeafStatus | undefined, b: LeafStatus): LeafStatus => (a === EXACT || b === EXACT ? EXACT : PARTIAL);
    const visit = (node: Rewrite, status: LeafStatus) => {
      switch (node.kind) {
        case "this":
          leaves.direct = best(leaves.direct, status);
          break;
        case "computed":
          leaves.computed.set(node.relation, best(leaves.computed.get(node.relation), status));
          break;
        case "ttu": {
          const existing = leaves.ttu.find((leaf) => leaf.tupleset === node.tupleset && leaf.computed === node.computed);
          if (existing) existing.status = best(existing.status, status);
          else leaves.ttu.push({ tupleset: node.tupleset, computed: node.computed, status });
          break;
        }
        case "union":
          for (const child of node.children) visit(child, status);
          break;
        case "intersection":
          for (const child of node.children) visit(child, PARTIAL);
          break;
        case "difference":
          visit(node.base, PARTIAL);
          break;
      }
    };
    if (def) visit(def.rewrite, EXACT);
    this.leavesCache.set(key, leaves);
    return leaves;
  }

  /** Reverse edges of the whole model, keyed by `T#X`. */
  upEdges(type: string, relation: string): UpEdges {
    if (!this.upEdgesIndex) this.upEdgesIndex = this.buildUpEdges();
    return this.upEdgesIndex.get(nodeKey(type, relation)) ?? { computed: [], userset: [], ttu: [] };
  }

  private buildUpEdges(): Map<string, UpEdges> {
    const index = new Map<string, UpEdges>();
    const edgesOf = (key: string) => {
      let edges = index.get(key);
      if (!edges) index.set(key, (edges = { computed: [], userset: [], ttu: [] }));
      return edges;
    };
    for (const typeDef of this.types.values()) {
      for (const def of typeDef.relations.values()) {
        const leaves = this.leaves(def.type, def.name);
        for (const [computed, status] of leaves.computed) {
          edgesOf(nodeKey(def.type, computed)).computed.push({ relation: def.name, status });
        }
        if (leaves.direct) {
          for (const ref of def.directTypes) {
            if (ref.relation) edgesOf(nodeKey(ref.type, ref.relation)).userset.push({ objectType: def.type, relation: def.name, status: leaves.direct });
          }
        }
        for (const leaf of leaves.ttu) {
          for (const ref of this.relation(def.type, leaf.tupleset)?.directTypes ?? []) {
            if (ref.relation || ref.wildcard || !this.relation(ref.type, leaf.computed)) continue;
            edgesOf(nodeKey(ref.type, leaf.computed)).ttu.push({ objectType: def.type, relation: def.name, tupleset: leaf.tupleset, status: leaf.status });
          }
        }
      }
    }
    return index;
  }

  /**
   * The `T#X` nodes whose facts can lead to `type#relation` through the up-edges (the nodes reverse
   * expansion needs to follow at all).
   */
  relevantTo(type: string, relation: string): Set<string> {
    const key = nodeKey(type, relation);
    const cached = this.relevantCache.get(key);
    if (cached) return cached;
    const relevant = new Set<string>([key]);
    const queue = [key];
    while (queue.length > 0) {
      const current = queue.pop() as string;
      const [currentType, currentRelation] = splitObjectRelation(current);
      const def = this.relation(currentType, currentRelation);
      if (!def) continue;
      const leaves = this.leaves(currentType, currentRelation);
      const sources: string[] = [];
      for (const computed of leaves.computed.keys()) sources.push(nodeKey(currentType, computed));
      if (leaves.direct) for (const ref of def.directTypes) if (ref.relation) sources.push(nodeKey(ref.type, ref.relation));
      for (const leaf of leaves.ttu) {
        for (const ref of this.relation(currentType, leaf.tupleset)?.directTypes ?? []) {
          if (!ref.relation && !ref.wildcard && this.relation(ref.type, leaf.computed)) sources.push(nodeKey(ref.type, leaf.computed));
        }
      }
      for (const source of sources) {
        if (!relevant.has(source)) {
          relevant.add(source);
          queue.push(source);
        }
      }
    }
    this.relevantCache.set(key, relevant);
    return relevant;
  }
}
