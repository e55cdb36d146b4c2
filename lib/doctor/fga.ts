import { FgaApiAuthenticationError, FgaApiError, FgaApiNotFoundError, OpenFgaClient } from "@openfga/sdk";
import type { Config } from "@/lib/config";
import { fgaCredentials } from "@/lib/fga/credentials";
import { loadAuthorizationModel } from "@/lib/fga/model";
import { sameModel } from "@/lib/fga/setup";
import { fail, pass, skipAfter, Unreachable, withTimeout, type CheckResult } from "./check";
import { networkReason, TIMEOUT_MS } from "./http";

/** The FGA store, its credentials, and whether its model is lib/fga/model.fga (what the app's checks assume). */
export const FGA_STORE_TITLE = "FGA store and credentials";
export const FGA_MODEL_TITLE = "FGA authorization model";

type FgaConfig = Pick<
  Config,
  "FGA_API_URL" | "FGA_STORE_ID" | "FGA_MODEL_ID" | "FGA_API_TOKEN" | "FGA_CLIENT_ID" | "FGA_CLIENT_SECRET" | "FGA_API_TOKEN_ISSUER" | "FGA_API_AUDIENCE"
>;

const WRITE_MODEL_FIX = "Run `npm run fga:write-model` (it writes lib/fga/model.fga to FGA_STORE_ID and prints its id).";

export async function checkFga(config: FgaConfig): Promise<CheckResult[]> {
  const client = new OpenFgaClient({
    apiUrl: config.FGA_API_URL,
    storeId: config.FGA_STORE_ID,
    credentials: fgaCredentials(config),
    // One attempt: a refusal is the answer the doctor reports, not something to wait out.
    retryParams: { maxRetry: 0 },
  });
  const store = await checkStore(client, config);
  if (store.status !== "pass") return [store, skipAfter(FGA_MODEL_TITLE, store)];
  return [store, await checkModel(client, config)];
}

async function checkStore(client: OpenFgaClient, config: FgaConfig): Promise<CheckResult> {
  try {
    const store = await withTimeout(client.getStore(), TIMEOUT_MS, "FGA");
    return pass(FGA_STORE_TITLE, `store "${store.name}" (${store.id})`);
  } catch (error) {
    if (error instanceof FgaApiAuthenticationError) {
      return fail(
        FGA_STORE_TITLE,
        `FGA refused the credentials for store ${config.FGA_STORE_ID} (HTTP ${error.statusCode ?? 401})`,
        config.FGA_CLIENT_ID
          ? "Check FGA_CLIENT_ID and FGA_CLIENT_SECRET (Auth0 FGA dashboard → Settings → Authorized Clients: a client of the store FGA_STORE_ID names), and FGA_API_TOKEN_ISSUER / FGA_API_AUDIENCE for your region."
          : "Set FGA_API_TOKEN to the server's pre-shared key (OpenFGA), or FGA_CLIENT_ID and FGA_CLIENT_SECRET for Auth0 FGA.",
      );
    }
    if (error instanceof FgaApiNotFoundError) {
      return fail(
        FGA_STORE_TITLE,
        `FGA has no store ${config.FGA_STORE_ID}`,
        "Set FGA_STORE_ID to your store's id (Auth0 FGA dashboard → Settings), or create one on OpenFGA with `npm run fga:write-model -- --create-store delegate`.",
      );
    }
    if (error instanceof FgaApiError) {
      return fail(FGA_STORE_TITLE, `FGA answered HTTP ${error.statusCode}: ${error.apiErrorMessage ?? error.message}`, "Check FGA_API_URL and FGA_STORE_ID.");
    }
    const reason = error instanceof Unreachable ? error.message : `FGA could not be reached: ${networkReason(error)}`;
    return fail(FGA_STORE_TITLE, reason, "Check FGA_API_URL (e.g. https://api.us1.fga.dev, or your OpenFGA's http://host:8080) and that the server is up.");
  }
}

async function checkModel(client: OpenFgaClient, config: FgaConfig): Promise<CheckResult> {
  const wanted = await loadAuthorizationModel();
  const answer = await withTimeout(
    config.FGA_MODEL_ID ? client.readAuthorizationModel({ authorizationModelId: config.FGA_MODEL_ID }) : client.readLatestAuthorizationModel(),
    TIMEOUT_MS,
    "FGA",
  ).catch((error: unknown) => {
    if (error instanceof FgaApiError && error.statusCode !== undefined && error.statusCode < 500) return undefined;
    throw error;
  });
  const deployed = answer?.authorization_model;
  const which = config.FGA_MODEL_ID ? `the model FGA_MODEL_ID names (${config.FGA_MODEL_ID})` : "the store's latest model";
  if (!deployed) {
    return fail(FGA_MODEL_TITLE, `${which} does not exist`, config.FGA_MODEL_ID ? `${WRITE_MODEL_FIX} Then set FGA_MODEL_ID to that id, or unset it.` : WRITE_MODEL_FIX);
  }
  if (!sameModel(deployed, wanted)) {
    return fail(
      FGA_MODEL_TITLE,
      `${which} (${deployed.id}) is not lib/fga/model.fga, so permission checks would ask about relations the store does not define`,
      config.FGA_MODEL_ID ? `${WRITE_MODEL_FIX} Then set FGA_MODEL_ID to the new id, or unset it.` : WRITE_MODEL_FIX,
    );
  }
  return pass(FGA_MODEL_TITLE, `model ${deployed.id} matches lib/fga/model.fga`);
}
