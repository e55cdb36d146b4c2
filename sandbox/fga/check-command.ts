import { Checker } from "./check";
import { FgaError, validationError } from "./errors";
import { tupleKeyString, type TupleKey } from "./identifiers";
import { MAX_CHECKS_PER_BATCH } from "./limits";
import type { ModelIndex } from "./model-index";
import { ContextualTuples, createTupleReader, type StoreReads } from "./tuple-reader";
import { assertContextualLimit, assertContextualTuples, checkUserObjectRelation } from "./tuple-validation";

/** Request validation around the evaluator, with the error codes OpenFGA's Check and BatchCheck use. */

const CORRELATION_ID = /^[\w\d-]{1,36}$/;

export interface CheckInput {
  tuple: TupleKey;
  contextualTuples?: readonly TupleKey[];
}

/** The tuple key first (validation_error), then contextual tuples (invalid_tuple), as upstream orders them. */
function validateCheck(model: ModelIndex, input: CheckInput): void {
  const p = checkUserObjectRelation(model, input.tuple);
  if (p) throw validationError(`invalid relation: ${p.reason}`);
  assertContextualLimit(input.contextualTuples);
  assertContextualTuples(model, input.contextualTuples ?? []);
}

export async function runCheck(model: ModelIndex, store: StoreReads, input: CheckInput): Promise<boolean> {
  validateCheck(model, input);
  const contextual = new ContextualTuples(input.contextualTuples ?? [], model);
  const checker = new Checker(model, createTupleReader(store, contextual));
  return checker.check(input.tuple.object, input.tuple.relation, input.tuple.user);
}

export interface BatchCheckItem extends CheckInput {
  correlationId: string;
}

export type BatchCheckResult = { allowed: boolean } | { error: FgaError };

/**
 * Up to 50 checks with their own correlation ids. A bad item gets an error of its own; the rest still run.
 * Identical checks are evaluated once, and checks with the same contextual tuples share one Checker (and
 * so its remembered sub-answers); all share the request's batched tuple reads.
 */
export async function runBatchCheck(model: ModelIndex, store: StoreReads, items: readonly BatchCheckItem[]): Promise<Map<string, BatchCheckResult>> {
  if (items.length === 0) throw validationError("batch check requires at least one check to evaluate, no checks were received");
  if (items.length > MAX_CHECKS_PER_BATCH) {
    throw validationError(`batchCheck received ${items.length} checks, the maximum allowed is ${MAX_CHECKS_PER_BATCH}`);
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (!item.correlationId) throw validationError(`received empty correlation id for tuple: ${tupleKeyString(item.tuple)}`);
    if (!CORRELATION_ID.test(item.correlationId)) throw validationError(`invalid correlation id: ${item.correlationId}`);
    if (seen.has(item.correlationId)) throw validationError(`received duplicate correlation id: ${item.correlationId}`);
    seen.add(item.correlationId);
  }

  const checkers = new Map<string, Checker>();
  const evaluations = new Map<string, Promise<BatchCheckResult>>();
  const evaluate = (item: BatchCheckItem): Promise<BatchCheckResult> => {
    try {
      validateCheck(model, item);
    } catch (error) {
      return Promise.resolve({ error: toFgaError(error) });
    }
    const contextKey = (item.contextualTuples ?? []).map(tupleKeyString).sort().join("\n");
    let checker = checkers.get(contextKey);
    if (!checker) {
      checker = new Checker(model, createTupleReader(store, new ContextualTuples(item.contextualTuples ?? [], model)));
      checkers.set(contextKey, checker);
    }
    return checker
      .check(item.tuple.object, item.tuple.relation, item.tuple.user)
      .then((allowed): BatchCheckResult => ({ allowed }), (error: unknown): BatchCheckResult => ({ error: toFgaError(error) }));
  };

  const results = new Map<string, BatchCheckResult>();
  await Promise.all(
    items.map(async (item) => {
      const key = `${tupleKeyString(item.tuple)}\n${(item.contextualTuples ?? []).map(tupleKeyString).sort().join("\n")}`;
      let evaluation = evaluations.get(key);
      if (!evaluation) {
        evaluation = evaluate(item);
        evaluations.set(key, evaluation);
      }
      results.set(item.correlationId, await evaluation);
    }),
  );
  return results;
}

function toFgaError(error: unknown): FgaError {
  if (error instanceof FgaError) return error;
  return new FgaError("internal_error", error instanceof Error ? error.message : String(error));
}
