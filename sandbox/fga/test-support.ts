import { readFileSync } from "node:fs";
import { FgaApiError, OpenFgaClient } from "@openfga/sdk";
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

/** The model Delegate's app uses, read from lib/fga/model.fga itself so a change to the real model is what gets tested. */
export const DELEGATE_MODEL = readFileSync(new URL("../../lib/fga/model.fga", import.meta.url), "utf8");

/** For the HTTP tests: a fresh store on the server at `apiUrl` with Delegate's model; `client` is bound to both. */
export async function freshStore(apiUrl: string, name: string) {
  const admin = new OpenFgaClient({ apiUrl, retryParams: { maxRetry: 0 } });
  const { id: storeId } = await admin.createStore({ name });
  const client = new OpenFgaClient({ apiUrl, storeId, retryParams: { maxRetry: 0 } });
  const { authorization_model_id: modelId } = await client.writeAuthorizationModel(transformer.transformDSLToJSONObject(DELEGATE_MODEL) as never);
  return { storeId, modelId, client };
}

/** An SDK API error; the subclasses for 400/404 carry OpenFGA's string code. */
export type ApiFailure = FgaApiError & { apiErrorCode?: string };

/** The SDK error a call fails with. */
export async function failure(call: Promise<unknown>): Promise<ApiFailure> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FgaApiError)) throw new Error(`expected an API error, got ${String(error)}`);
  return error as ApiFailure;
}
