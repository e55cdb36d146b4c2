import { FgaError } from "./errors";
import type { AuthorizationModelJSON, RelationDef, Rewrite, TypeDef } from "./model";
import { ModelIndex } from "./model-index";

/**
 * The checks OpenFGA runs before accepting a model (typesystem.NewAndValidate), with its wording, all
 * reported as `invalid_authorization_model`. Conditions (CEL) are not implemented by this sandbox, so
 * models that declare or use them are refused with a message that says so.
 */

const MAX_TYPES = 100;
const TYPE_NAME = /^[^:#@\s]{1,254}$/;
const RELATION_NAME = /^[^:#@\s]{1,50}$/;

const invalid = (message: string) => new FgaError("invalid_authorization_model", message);
const invalidRelation = (type: string, relation: string, cause: string) =>
  invalid(`the definition of relation '${relation}' in object type '${type}' is invalid: ${cause}`);

/** Parses and validates a model as sent to `POST …/authorization-models`; returns its index. */
export function validateModel(json: AuthorizationModelJSON): ModelIndex {
  if (json.schema_version !== "1.1") {
    throw invalid(`invalid schema version: only schema 1.1 is supported (got '${json.schema_version}')`);
  }
  if (!Array.isArray(json.type_definitions) || json.type_definitions.length === 0) {
    throw new FgaError("type_definitions_too_few_items", "the model must define at least one type");
  }
  if (json.type_definitions.length > MAX_TYPES) {
    throw new FgaError("exceeded_entity_limit", `The number of type definitions in an authorization model exceeds the allowed limit of ${MAX_TYPES}`);
  }
  if (json.conditions && Object.keys(json.conditions).length > 0) {
    throw invalid("conditions are not supported by the Delegate sandbox FGA service (it has no CEL evaluator); remove the condition declarations");
  }
  const index = new ModelIndex(json);
  const types = index.types;
  validateNames(types);
  for (const typeName of [...types.keys()].sort()) {
    const typeDef = types.get(typeName) as TypeDef;
    for (const relationName of [...typeDef.relations.keys()].sort()) {
      const def = typeDef.relations.get(relationName) as RelationDef;
      validateRewrite(index, def, def.rewrite);
      validateTypeRestrictions(index, def);
      const [hasEntry, loop] = hasEntrypoints(index, typeName, relationName, def.rewrite, new Map());
      if (!hasEntry) throw invalidRelation(typeName, relationName, loop ? "potential loop" : "no entrypoints defined");
      if (hasComputedCycle(index, typeName, relationName, def.rewrite, new Set())) {
        throw invalidRelation(typeName, relationName, "an authorization model cannot contain a cycle");
      }
    }
  }
  return index;
}

function validateNames(types: Map<string, TypeDef>): void {
  for (const [typeName, typeDef] of types) {
    if (typeName === "") throw invalid("the type name of a type definition cannot be an empty string");
    if (typeName === "self" || typeName === "this") throw invalid(`the definition of type '${typeName}' is invalid: self and this are reserved keywords`);
    if (!TYPE_NAME.test(typeName)) throw invalid(`the type name '${typeName}' is invalid`);
    for (const relationName of typeDef.relations.keys()) {
      if (relationName === "") throw invalid(`type '${typeName}' defines a relation with an empty string for a name`);
      if (relationName === "self" || relationName === "this") throw invalidRelation(typeName, relationName, "self and this are reserved keywords");
      if (!RELATION_NAME.test(relationName)) throw invalid(`the relation name '${relationName}' of type '${typeName}' is invalid`);
    }
  }
}

/** Computed relations and tuplesets must exist; tupleset relations must be purely direct. */
function validateRewrite(index: ModelIndex, def: RelationDef, rewrite: Rewrite): void {
  switch (rewrite.kind) {
    case "this":
      return;
    case "computed":
      if (rewrite.relation === def.name) throw invalidRelation(def.type, def.name, "invalid userset rewrite definition");
      if (!index.relation(def.type, rewrite.relation)) throw invalid(`'${def.type}#${rewrite.relation}' relation is undefined`);
      return;
    case "ttu": {
      const tupleset = index.relation(def.type, rewrite.tupleset);
      if (!tupleset) throw invalid(`'${def.type}#${rewrite.tupleset}' relation is undefined`);
      if (tupleset.rewrite.kind !== "this") {
        throw invalid(`the '${def.type}#${rewrite.tupleset}' relation is referenced in at least one tupleset and thus must be a direct relation`);
      }
      if (!tupleset.directTypes.some((ref) => index.relation(ref.type, rewrite.computed))) {
        const types = tupleset.directTypes.map((ref) => ref.type).join(", ");
        throw invalid(`undefined relation: ${rewrite.computed} does not appear as a relation in any of the directly related user types [${types}]`);
      }
      return;
    }
    case "union":
    case "intersection":
      for (const child of rewrite.children) validateRewrite(index, def, child);
      return;
    case "difference":
      validateRewrite(index, def, rewrite.base);
      validateRewrite(index, def, rewrite.subtract);
      return;
  }
}

const containsThis = (rewrite: Rewrite): boolean => {
  switch (rewrite.kind) {
    case "this":
      return true;
    case "union":
    case "intersection":
      return rewrite.children.some(containsThis);
    case "difference":
      return containsThis(rewrite.base) || containsThis(rewrite.subtract);
    default:
      return false;
  }
};

function validateTypeRestrictions(index: ModelIndex, def: RelationDef): void {
  const assignable = containsThis(def.rewrite);
  if (assignable && def.directTypes.length === 0) {
    throw invalid(`the assignable relation '${def.name}' in object type '${def.type}' must contain at least one relation type`);
  }
  if (!assignable && def.directTypes.length > 0) {
    throw invalid(`the non-assignable relation '${def.name}' in object type '${def.type}' should not contain a relation type`);
  }
  for (const ref of def.directTypes) {
    const label = ref.relation ? `${ref.type}#${ref.relation}` : ref.type;
    const notValid = () => invalid(`the relation type '${label}' on '${def.name}' in object type '${def.type}' is not valid`);
    if (!index.hasType(ref.type)) throw notValid();
    if (ref.relation || ref.wildcard) {
      if (index.isTupleset(def.type, def.name)) throw notValid();
      if (ref.relation && !index.relation(ref.type, ref.relation)) throw notValid();
    }
    if (ref.condition) {
      throw invalid(`condition ${ref.condition} is used by relation ${def.name}, but conditions are not supported by the Delegate sandbox FGA service`);
    }
  }
}

type Visited = Map<string, Map<string, boolean>>;

/**
 * Whether some path through the rewrite reaches a concrete type (OpenFGA's hasEntrypoints): a relation
 * defined only in terms of itself (`define viewer: viewer from parent` with nothing direct) could never
 * be true and is refused. Returns [hasEntrypoint, loopFound]. Mirrors upstream's bookkeeping, including
 * its shallow copy of the visited map.
 */
function hasEntrypoints(index: ModelIndex, type: string, relation: string, rewrite: Rewrite, visited: Visited): [boolean, boolean] {
  const v: Visited = new Map(visited);
  const marks = v.get(type);
  if (marks) marks.set(relation, false);
  else v.set(type, new Map([[relation, false]]));

  const def = index.relation(type, relation);
  if (!def) throw invalid(`undefined type definition for '${type}#${relation}'`);

  switch (rewrite.kind) {
    case "this": {
      for (const ref of def.directTypes) {
        if (!ref.relation || ref.wildcard) {
          (v.get(type) as Map<string, boolean>).set(relation, true);
          return [true, false];
        }
        const assignable = index.relation(ref.type, ref.relation);
        if (!assignable) throw invalid(`undefined type definition for '${ref.type}#${ref.relation}'`);
        if (v.get(ref.type)?.has(ref.relation)) continue;
        const [has] = hasEntrypoints(index, ref.type, ref.relation, assignable.rewrite, v);
        if (has) return [true, false];
      }
      return [false, false];
    }
    case "computed": {
      const computed = index.relation(type, rewrite.relation);
      if (!computed) throw invalid(`undefined type definition for '${type}#${rewrite.relation}'`);
      const mark = v.get(type)?.get(rewrite.relation);
      if (mark !== undefined) return [mark, true];
      return hasEntrypoints(index, type, rewrite.relation, computed.rewrite, v);
    }
    case "ttu": {
      const tupleset = index.relation(type, rewrite.tupleset);
      if (!tupleset) throw invalid(`undefined type definition for '${type}#${rewrite.tupleset}'`);
      for (const ref of tupleset.directTypes) {
        const target = index.relation(ref.type, rewrite.computed);
        if (!target) continue;
        const mark = v.get(ref.type)?.get(rewrite.computed);
        if (mark !== undefined) {
          if (mark) return [true, false];
          continue;
        }
        const [has] = hasEntrypoints(index, ref.type, rewrite.computed, target.rewrite, v);
        if (has) return [true, false];
      }
      return [false, false];
    }
    case "union": {
      let loop = false;
      for (const child of rewrite.children) {
        const [has, childLoop] = hasEntrypoints(index, type, relation, child, visited);
        if (has) return [true, false];
        loop = loop || childLoop;
      }
      return [false, loop];
    }
    case "intersection": {
      for (const child of rewrite.children) {
        const [has, childLoop] = hasEntrypoints(index, type, relation, child, visited);
        if (!has) return [false, childLoop];
      }
      return [true, false];
    }
    case "difference": {
      for (const part of [rewrite.base, rewrite.subtract]) {
        const [has, loop] = hasEntrypoints(index, type, relation, part, visited);
        if (!has) return [false, loop];
      }
      return [true, false];
    }
  }
}

/** A relation that reaches itself through computed relations only (`a: b`, `b: a`) is refused. */
function hasComputedCycle(index: ModelIndex, type: string, relation: string, rewrite: Rewrite, visited: Set<string>): boolean {
  visited.add(`${type}#${relation}`);
  const copy = new Set(visited);
  switch (rewrite.kind) {
    case "this":
    case "ttu":
      return false;
    case "computed": {
      if (visited.has(`${type}#${rewrite.relation}`)) return true;
      const target = index.relation(type, rewrite.relation);
      return target ? hasComputedCycle(index, type, rewrite.relation, target.rewrite, copy) : false;
    }
    case "union":
    case "intersection":
      return rewrite.children.some((child) => hasComputedCycle(index, type, relation, child, copy));
    case "difference":
      return [rewrite.base, rewrite.subtract].some((child) => hasComputedCycle(index, type, relation, child, copy));
  }
}
