import "server-only";
import { OpenFgaClient } from "@openfga/sdk";
import { getConfig } from "@/lib/config";
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
