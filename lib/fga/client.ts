import "server-only";
import { ConsistencyPreference, OpenFgaClient, type ClientBatchCheckItem } from "@openfga/sdk";
import { getConfig } from "@/lib/config";
import { logError } from "@/lib/log";
import { fgaCredentials } from "./credentials";

/**
 * How long one FGA request may take. The SDK's axios has no timeout of its own, so a stalled FGA would hold a
 * chat turn or a document request for as long as the platform lets it run. An expired wait counts as a network
 * error, which the SDK retries like any other (maxRetry), so a stalled FGA is given up on after about 3 × this.
 */
const REQUEST_TIMEOUT_MS = 3_000;

/** One OpenFGA client for the process, configured from FGA_* (OpenFGA, Auth0 FGA or the sandbox alike). */
let client: { key: string; value: OpenFgaClient } | undefined;

export function getFga(): OpenFgaClient {
  const config = getConfig();
  const key = [config.FGA_API_URL, config.FGA_STORE_ID, config.FGA_MODEL_ID].join("|");
  if (client?.key === key) return client.value;
  const value = new OpenFgaClient({
    apiUrl: config.FGA_API_URL,
    storeId: config.FGA_STORE_ID,
    authorizationModelId: config.FGA_MODEL_ID,
    credentials: fgaCredentials(config),
    retryParams: { maxRetry: 2, minWaitInMs: 100 },
    // Handed to axios with every request; `headers` is where the SDK adds its User-Agent.
    baseOptions: { headers: {}, timeout: REQUEST_TIMEOUT_MS },
  });
  client = { key, value };
  return value;
}

/** FGA gave no answer (down, stalled, refused the request). Callers refuse the action: authorization fails closed. */
export class FgaUnavailableError extends Error {
  override name = "FgaUnavailableError";
}

/** Asks FGA; any failure to get an answer becomes FgaUnavailableError (logged here, once). */
export async function ask<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    logError("fga", `${what} failed`, error);
    throw new FgaUnavailableError(`Authorization service failed to answer (${what})`);
  }
}

/**
 * Every question Delegate asks gates content, an action or a change of access, so it bypasses FGA's caches (Auth0
 * FGA, or OpenFGA with check caching): a document unshared or a tool switched off a moment ago must not stay
 * allowed for the cache's lifetime.
 */
export const FRESH = { consistency: ConsistencyPreference.HigherConsistency };

export const userRef = (sub: string) => `user:${sub}`;

/** One question of a batch: may `user` have `relation` on `object`? */
export type Check = Omit<ClientBatchCheckItem, "correlationId">;

/**
 * Asks every check in one batch-check (the SDK splits it into FGA's batches of 50) and answers in the same order.
 * An item that errored is not allowed: the absence of a yes is a no.
 */
export async function checkEach(checks: Check[]): Promise<boolean[]> {
  if (checks.length === 0) return [];
  // Correlation ids are positions: FGA accepts only up to 36 letters, digits, `-` and `_`.
  const { result } = await ask("batch-check", () => getFga().batchCheck({ checks: checks.map((each, i) => ({ ...each, correlationId: String(i) })) }, FRESH));
  const allowed = checks.map(() => false);
  for (const answer of result) if (answer.allowed === true && !answer.error) allowed[Number(answer.correlationId)] = true;
  // Counted as a no, an errored item would only show as a missing document or tool; the operator is told.
  const errored = result.find((answer) => answer.error)?.error;
  if (errored) logError("fga", "batch-check item failed, counted as not allowed", Object.assign(new Error(), { name: "CheckError", code: errored.input_error ?? errored.internal_error }));
  return allowed;
}
