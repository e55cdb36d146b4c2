import { FgaError, validationError } from "./errors";
import {
  isTypedWildcard,
  isValidObject,
  isValidRelation,
  isValidUserset,
  splitObject,
  splitObjectRelation,
  tupleKeyString,
  type TupleKey,
} from "./identifiers";
import { MAX_CONTEXTUAL_TUPLES } from "./limits";
import type { ModelIndex } from "./model-index";

/**
 * Validation of request input against a model, following upstream's internal/validation: which rule
 * failed decides the error code each API reports, so the checks are kept separate.
 */

export type Problem = { kind: "invalid" | "type_not_found" | "relation_not_found"; reason: string };

const problem = (kind: Problem["kind"], reason: string): Problem => ({ kind, reason });

/** A user must be `type:id`, `type:*` or `type:id#relation` with the type (and relation) in the model. */
export function checkUser(index: ModelIndex, user: string): Problem | undefined {
  const validObject = isValidObject(user);
  const validUserset = isValidUserset(user);
  if (!validObject && !validUserset) {
    if (/[\s]/.test(user) || user.split(":").length > 2 || user.split("#").length > 2 || user === "") {
      return problem("invalid", "the 'user' field is malformed");
    }
    return problem("invalid", "the 'user' field must be an object (e.g. document:1) or an 'object#relation' or a typed wildcard (e.g. group:*)");
  }
  const [userObject, userRelation] = splitObjectRelation(user);
  const { type } = splitObject(userObject);
  if (!index.hasType(type)) return problem("type_not_found", `type '${type}' not found`);
  if (validUserset && !index.relation(type, userRelation)) return problem("relation_not_found", `relation '${type}#${userRelation}' not found`);
  return undefined;
}

export function checkObject(index: ModelIndex, object: string): Problem | undefined {
  if (!isValidObject(object)) return problem("invalid", "invalid 'object' field format");
  const { type, id } = splitObject(object);
  if (id === "*") return problem("invalid", "the 'object' field cannot reference a typed wildcard");
  if (!index.hasType(type)) return problem("type_not_found", `type '${type}' not found`);
  return undefined;
}

export function checkRelation(index: ModelIndex, object: string, relation: string): Problem | undefined {
  if (!isValidRelation(relation)) return problem("invalid", "the 'relation' field is malformed");
  const { type } = splitObject(object);
  if (!index.hasType(type)) return problem("type_not_found", `type '${type}' not found`);
  if (!index.relation(type, relation)) return problem("relation_not_found", `relation '${type}#${relation}' not found`);
  return undefined;
}

/** The API's field limits: object up to 256 characters, relation up to 50, user up to 512 bytes. */
function checkLengths(tuple: TupleKey): Problem | undefined {
  if (tuple.object.length > 256) return problem("invalid", "the 'object' field is longer than 256 characters");
  if (tuple.relation.length > 50) return problem("invalid", "the 'relation' field is longer than 50 characters");
  if (Buffer.byteLength(tuple.user) > 512) return problem("invalid", "the 'user' field is longer than 512 bytes");
  return undefined;
}

/** User, object and relation are well formed and defined (upstream's ValidateUserObjectRelation). */
export function checkUserObjectRelation(index: ModelIndex, tuple: TupleKey): Problem | undefined {
  return (
    checkLengths(tuple) ?? checkUser(index, tuple.user) ?? checkObject(index, tuple.object) ?? checkRelation(index, tuple.object, tuple.relation)
  );
}

/** The rules a tuple must meet to be written or sent as a contextual tuple (ValidateTupleForWrite). */
export function checkTupleForWrite(index: ModelIndex, tuple: TupleKey & { condition?: unknown }): Problem | undefined {
  const basic = checkUserObjectRelation(index, tuple);
  if (basic) return basic;
  const { type: objectType } = splitObject(tuple.object);
  const where = `'${objectType}#${tuple.relation}'`;
  if (index.isTupleset(objectType, tuple.relation)) {
    if (isTypedWildcard(tuple.user)) return problem("invalid", `unexpected wildcard relationship with tupleset relation ${where}`);
    if (!isValidObject(tuple.user)) return problem("invalid", `unexpected user '${tuple.user}' with tupleset relation ${where}`);
  }
  const [userObject, userRelation] = splitObjectRelation(tuple.user);
  const userType = splitObject(userObject).type;
  const refs = index.relation(objectType, tuple.relation)?.directTypes ?? [];
  if (userRelation) {
    if (!refs.some((ref) => ref.type === userType && ref.relation === userRelation)) {
      return problem("invalid", `'${userType}#${userRelation}' is not an allowed type restriction for ${where}`);
    }
  } else if (isTypedWildcard(tuple.user)) {
    if (!refs.some((ref) => ref.type === userType && ref.wildcard)) {
      return problem("invalid", `the typed wildcard '${tuple.user}' is not an allowed type restriction for ${where}`);
    }
  } else if (!refs.some((ref) => ref.type === userType && !ref.relation && !ref.wildcard)) {
    return problem("invalid", `type '${userType}' is not an allowed type restriction for ${where}`);
  }
  if (tuple.condition !== undefined && tuple.condition !== null) {
    return problem("invalid", "undefined condition (this sandbox does not support conditions)");
  }
  return undefined;
}

export const invalidTupleMessage = (tuple: TupleKey, p: Problem) => `Invalid tuple '${tupleKeyString(tuple)}'. Reason: ${p.reason}`;

export function assertContextualLimit(tuples: readonly unknown[] | undefined): void {
  if (tuples && tuples.length > MAX_CONTEXTUAL_TUPLES) {
    throw validationError(`at most ${MAX_CONTEXTUAL_TUPLES} contextual tuples are allowed per request (got ${tuples.length})`);
  }
}

/** Contextual tuples are validated like writes and refused with `invalid_tuple` (2027) by every API. */
export function assertContextualTuples(index: ModelIndex, tuples: readonly (TupleKey & { condition?: unknown })[]): void {
  for (const tuple of tuples) {
    const p = checkTupleForWrite(index, tuple);
    if (p) throw new FgaError("invalid_tuple", invalidTupleMessage(tuple, p));
  }
}
