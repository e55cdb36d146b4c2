import { FgaError, validationError } from "./errors";
import { isValidUser, tupleKeyString, type TupleKey } from "./identifiers";
import { MAX_TUPLES_PER_WRITE } from "./limits";
import type { ModelIndex } from "./model-index";
import { checkTupleForWrite, invalidTupleMessage } from "./tuple-validation";

/** The Write API's rules, in upstream's order (commands/write.go), before anything touches storage. */

export interface WriteInput {
  writes: readonly (TupleKey & { condition?: unknown })[];
  deletes: readonly TupleKey[];
  onDuplicate?: string | null;
  onMissing?: string | null;
}

export interface ValidWrite {
  writes: TupleKey[];
  deletes: TupleKey[];
  onDuplicate: "error" | "ignore";
  onMissing: "error" | "ignore";
}

function conflictOption(value: string | null | undefined, field: string): "error" | "ignore" {
  if (!value || value === "error") return "error";
  if (value === "ignore") return "ignore";
  throw validationError(`invalid ${field} option: ${value}`);
}

/**
 * Written tuples are checked against the model (`model` is only needed when there are writes: deletes of
 * tuples the model no longer allows must stay possible); a request may not name a tuple twice or hold more
 * than 100 of them.
 */
export async function validateWrite(input: WriteInput, model: () => Promise<ModelIndex>): Promise<ValidWrite> {
  const { writes, deletes } = input;
  if (writes.length === 0 && deletes.length === 0) {
    throw new FgaError("invalid_write_input", "Invalid input. Make sure you provide at least one write, or at least one delete");
  }
  const onDuplicate = conflictOption(input.onDuplicate, "on_duplicate");
  const onMissing = conflictOption(input.onMissing, "on_missing");
  if (writes.length > 0) {
    const index = await model();
    for (const t of writes) {
      const p = checkTupleForWrite(index, t);
      if (p) throw validationError(invalidTupleMessage(t, p));
      // `doc:1#viewer@doc:1#viewer` holds by definition; storing it would mean nothing.
      if (t.user === `${t.object}#${t.relation}`) {
        throw validationError(invalidTupleMessage(t, { kind: "invalid", reason: "cannot write a tuple that is implicit" }));
      }
    }
  }
  for (const t of deletes) {
    if (!t.object || !t.relation || !isValidUser(t.user)) {
      throw validationError(invalidTupleMessage(t, { kind: "invalid", reason: "the 'user' field is malformed" }));
    }
  }
  const seen = new Set<string>();
  for (const t of [...deletes, ...writes]) {
    const key = tupleKeyString(t);
    if (seen.has(key)) {
      throw new FgaError("cannot_allow_duplicate_tuples_in_one_request", `duplicate tuple in write: user: '${t.user}', relation: '${t.relation}', object: '${t.object}'`);
    }
    seen.add(key);
  }
  if (seen.size > MAX_TUPLES_PER_WRITE) {
    throw new FgaError("exceeded_entity_limit", `The number of write operations exceeds the allowed limit of ${MAX_TUPLES_PER_WRITE}`);
  }
  const plain = (t: TupleKey): TupleKey => ({ object: t.object, relation: t.relation, user: t.user });
  return { writes: writes.map(plain), deletes: deletes.map(plain), onDuplicate, onMissing };
}
