import { transformer } from "@openfga/syntax-transformer";
import type { TupleKey } from "./identifiers";
import type { AuthorizationModelJSON } from "./model";
import type { ModelIndex } from "./model-index";
import { validateModel } from "./model-validation";
import { MemoryTupleBackend } from "./memory-backend";
import { StoreReads } from "./tuple-reader";

/** Helpers for the evaluator's unit tests: a validated model from DSL and tuples from "object#relation@user". */

export function modelFromDsl(dsl: string, id = "01HZZZZZZZZZZZZZZZZZZZZZZZ"): ModelIndex {
  const json = transformer.transformDSLToJSONObject(dsl) as unknown as Omit<AuthorizationModelJSON, "id">;
  return validateModel({ id, ...json });
}

export function tuple(text: string): TupleKey {
  const match = /^([^#]+)#([^@]+)@(.+)$/.exec(text);
  if (!match) throw new Error(`not a tuple: ${text}`);
  return { object: match[1] as string, relation: match[2] as string, user: match[3] as string };
}

export const tuples = (...texts: string[]) => texts.map(tuple);

/** A model plus an in-memory store; `reads()` gives a fresh per-request reader, as each API request gets. */
export function memoryStore(model: ModelIndex, stored: readonly string[] = []) {
  const backend = new MemoryTupleBackend(tuples(...stored));
  return { model, backend, reads: () => new StoreReads(backend, model) };
}

/** The model Delegate's app uses (lib/fga/model.fga). */
export const DELEGATE_MODEL = `model
  schema 1.1
type user
type group
  relations
    define member: [user]
type doc
  relations
    define owner: [user]
    define editor: [user, group#member]
    define viewer: [user, user:*, group#member]
    define can_view: owner or editor or viewer
    define can_share: owner
    define can_delete: owner
`;
