import { ClientWriteRequestOnDuplicateWrites, OpenFgaClient } from "@openfga/sdk";
import { loadEnvFiles } from "../sandbox/env-files";
import { fgaCredentials } from "../lib/fga/credentials";
import { ensureModel, ensureStore } from "../lib/fga/setup";
import { administratorTuples } from "../lib/fga/organization";

/**
 * `npm run fga:write-model`: writes lib/fga/model.fga to the OpenFGA or Auth0 FGA store named by FGA_*.
 * With `--create-store <name>` it first finds or creates a store of that name (OpenFGA only: Auth0 FGA stores are
 * created in its dashboard) and prints its id. With `--administrator <sub>` (repeatable) it makes that user an
 * administrator of the organisation, who sets which tools are on for everyone on /permissions.
 */
loadEnvFiles();
const env = process.env;
const createIndex = process.argv.indexOf("--create-store");
const administrators = process.argv.flatMap((arg, i) => (process.argv[i - 1] === "--administrator" ? [arg] : []));
if (!env.FGA_API_URL) {
  console.error("FGA_API_URL is not set. Point it at your OpenFGA or Auth0 FGA API, e.g. https://api.us1.fga.dev.");
  process.exit(1);
}
/** FGA's own reason for a refusal (the SDK's errors carry it), else the error's message: never a stack trace. */
function reason(error: unknown): string {
  if (typeof error === "object" && error !== null && "apiErrorMessage" in error && typeof error.apiErrorMessage === "string") return error.apiErrorMessage;
  return error instanceof Error ? error.message : String(error);
}

try {
  let storeId = env.FGA_STORE_ID;
  if (createIndex !== -1) {
    const name = process.argv[createIndex + 1] ?? "delegate";
    const store = await ensureStore(env.FGA_API_URL, name);
    storeId = store.storeId;
    console.log(`${store.created ? "Created" : "Found"} store "${name}": FGA_STORE_ID=${storeId}`);
  }
  if (!storeId) {
    console.error("FGA_STORE_ID is not set. Create a store (Auth0 FGA dashboard, or --create-store <name> for OpenFGA).");
    process.exit(1);
  }
  const client = new OpenFgaClient({
    apiUrl: env.FGA_API_URL,
    storeId,
    credentials: fgaCredentials({ ...env, FGA_API_URL: env.FGA_API_URL }),
  });
  const { modelId, written } = await ensureModel(client);
  console.log(written ? `Wrote the model: FGA_MODEL_ID=${modelId}` : `The store already has this model (FGA_MODEL_ID=${modelId}).`);
  for (const sub of administrators) {
    await client.write({ writes: administratorTuples(sub) }, { authorizationModelId: modelId, conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } });
    console.log(`${sub} is an administrator: they set which tools are on for everyone.`);
  }
} catch (error) {
  console.error(`Could not write the model to ${env.FGA_API_URL}: ${reason(error)}`);
  process.exit(1);
}
