import { FgaError } from "./errors";

/**
 * Authorization models: the JSON shape OpenFGA's API and `@openfga/syntax-transformer` use (snake_case
 * keys except `computedUserset` / `tupleToUserset`, which are protojson's camelCase), and the parsed
 * form the evaluator works with.
 */

export interface RelationReferenceJSON {
  type: string;
  relation?: string;
  wildcard?: Record<string, never>;
  condition?: string;
}

export interface UsersetJSON {
  this?: Record<string, never>;
  computedUserset?: { object?: string; relation?: string };
  tupleToUserset?: { tupleset?: { object?: string; relation?: string }; computedUserset?: { object?: string; relation?: string } };
  union?: { child?: UsersetJSON[] };
  intersection?: { child?: UsersetJSON[] };
  difference?: { base?: UsersetJSON; subtract?: UsersetJSON };
}

export interface TypeDefinitionJSON {
  type: string;
  relations?: Record<string, UsersetJSON>;
  metadata?: {
    relations?: Record<string, { directly_related_user_types?: RelationReferenceJSON[] } | null> | null;
  } | null;
}

export interface AuthorizationModelJSON {
  id: string;
  schema_version: string;
  type_definitions: TypeDefinitionJSON[];
  conditions?: Record<string, unknown>;
}

export type Rewrite =
  | { kind: "this" }
  | { kind: "computed"; relation: string }
  | { kind: "ttu"; tupleset: string; computed: string }
  | { kind: "union" | "intersection"; children: Rewrite[] }
  | { kind: "difference"; base: Rewrite; subtract: Rewrite };

/** A type restriction: `user`, `user:*` (wildcard) or `group#member` (relation). */
export interface RelationRef {
  type: string;
  relation?: string;
  wildcard?: boolean;
  condition?: string;
}

export interface RelationDef {
  type: string;
  name: string;
  rewrite: Rewrite;
  directTypes: RelationRef[];
}

export interface TypeDef {
  name: string;
  relations: Map<string, RelationDef>;
}

export const refLabel = (ref: RelationRef): string =>
  ref.relation ? `${ref.type}#${ref.relation}` : ref.wildcard ? `${ref.type}:*` : ref.type;

const invalidModel = (message: string) => new FgaError("invalid_authorization_model", message);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Structural parse of a model as sent to the API; semantic rules live in model-validation.ts. */
export function parseModel(json: AuthorizationModelJSON): Map<string, TypeDef> {
  if (!Array.isArray(json.type_definitions)) throw invalidModel("type_definitions must be an array");
  const types = new Map<string, TypeDef>();
  for (const raw of json.type_definitions as unknown[]) {
    if (!isRecord(raw) || typeof raw.type !== "string") throw invalidModel("every type definition needs a 'type' name");
    const typeName = raw.type;
    if (types.has(typeName)) throw new FgaError("invalid_authorization_model", "an authorization model cannot contain duplicate types");
    const relations = new Map<string, RelationDef>();
    const rawRelations = raw.relations ?? {};
    if (!isRecord(rawRelations)) throw invalidModel(`the relations of type '${typeName}' must be an object`);
    const metadata = isRecord(raw.metadata) && isRecord(raw.metadata.relations) ? raw.metadata.relations : {};
    for (const [name, rewriteJSON] of Object.entries(rawRelations)) {
      const info = metadata[name];
      const rawRefs = isRecord(info) && Array.isArray(info.directly_related_user_types) ? info.directly_related_user_types : [];
      relations.set(name, {
        type: typeName,
        name,
        rewrite: parseRewrite(rewriteJSON, typeName, name),
        directTypes: rawRefs.map((ref) => parseRef(ref, typeName, name)),
      });
    }
    types.set(typeName, { name: typeName, relations });
  }
  return types;
}

function parseRef(raw: unknown, typeName: string, relation: string): RelationRef {
  if (!isRecord(raw) || typeof raw.type !== "string" || raw.type === "") {
    throw invalidModel(`a type restriction of '${typeName}#${relation}' has no type`);
  }
  const ref: RelationRef = { type: raw.type };
  if (typeof raw.relation === "string" && raw.relation !== "") ref.relation = raw.relation;
  if (raw.wildcard !== undefined && raw.wildcard !== null) ref.wildcard = true;
  if (ref.relation && ref.wildcard) throw invalidModel(`the type restriction '${raw.type}' of '${typeName}#${relation}' cannot be both a userset and a wildcard`);
  if (typeof raw.condition === "string" && raw.condition !== "") ref.condition = raw.condition;
  return ref;
}

function parseRewrite(raw: unknown, typeName: string, relation: string): Rewrite {
  const where = `'${typeName}#${relation}'`;
  if (!isRecord(raw)) throw invalidModel(`invalid userset rewrite definition for ${where}`);
  const keys = Object.keys(raw).filter((key) => raw[key] !== undefined && raw[key] !== null);
  if (keys.length !== 1) throw invalidModel(`the relation ${where} needs exactly one rewrite (this, computedUserset, tupleToUserset, union, intersection or difference)`);
  const value = raw[keys[0] as string];
  const relationName = (v: unknown): string => {
    if (!isRecord(v) || typeof v.relation !== "string" || v.relation === "") throw invalidModel(`invalid userset rewrite definition for ${where}`);
    return v.relation;
  };
  switch (keys[0]) {
    case "this":
      return { kind: "this" };
    case "computedUserset":
      return { kind: "computed", relation: relationName(value) };
    case "tupleToUserset": {
      if (!isRecord(value)) throw invalidModel(`invalid userset rewrite definition for ${where}`);
      return { kind: "ttu", tupleset: relationName(value.tupleset), computed: relationName(value.computedUserset) };
    }
    case "union":
    case "intersection": {
      const children = isRecord(value) && Array.isArray(value.child) ? value.child : undefined;
      if (!children || children.length < 2) throw invalidModel(`invalid relation: ${where} as ${keys[0]} has less than 2 children`);
      return { kind: keys[0], children: children.map((child) => parseRewrite(child, typeName, relation)) };
    }
    case "difference": {
      if (!isRecord(value) || value.base === undefined) throw invalidModel(`the difference of ${where} needs a base`);
      if (value.subtract === undefined) throw invalidModel(`the difference of ${where} needs a subtract`);
      return { kind: "difference", base: parseRewrite(value.base, typeName, relation), subtract: parseRewrite(value.subtract, typeName, relation) };
    }
    default:
      throw invalidModel(`unknown userset rewrite '${keys[0]}' for ${where}`);
  }
}

/** Every node of a rewrite tree, depth first. */
export function* walkRewrite(rewrite: Rewrite): Generator<Rewrite> {
  yield rewrite;
  if (rewrite.kind === "union" || rewrite.kind === "intersection") {
    for (const child of rewrite.children) yield* walkRewrite(child);
  } else if (rewrite.kind === "difference") {
    yield* walkRewrite(rewrite.base);
    yield* walkRewrite(rewrite.subtract);
  }
}
