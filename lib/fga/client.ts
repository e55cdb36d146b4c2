import "server-only";
import { OpenFgaClient } from "@openfga/sdk";
import { getConfig } from "@/lib/config";
import { fgaCredentials } from "./credentials";

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
  });
  client = { key, value };
  return value;
}
