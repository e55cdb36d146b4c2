import { OpenFgaClient } from "@openfga/sdk";
import { loadAuthorizationModel } from "./model";

/**
 * Makes a store hold Delegate's model: writes lib/fga/model.fga unless the store's latest model already is it.
 * Used by `npm run fga:write-model` (a real OpenFGA or Auth0 FGA store) and by the sandbox at start-up.
 */
export async function ensureModel(client: OpenFgaClient): Promise<{ modelId: string; written: boolean }> {
  const model = await loadAuthorizationModel();
  const latest = await client.readLatestAuthorizationModel().catch(() => null);
  const current = latest?.authorization_model;
  if (current && sameModel(current, model)) return { modelId: current.id, written: false };
  const { authorization_model_id: modelId } = await client.writeAuthorizationModel(model);
  return { modelId, written: true };
}

/** Finds the store with this name, or creates it. */
export async function ensureStore(apiUrl: string, name: string): Promise<{ storeId: string; created: boolean }> {
  const client = new OpenFgaClient({ apiUrl });
  let continuationToken: string | undefined;
  do {
    const page = await client.listStores({ continuationToken });
    const store = page.stores.find((s) => s.name === name);
    if (store) return { storeId: store.id, created: false };
    continuationToken = page.continuation_token || undefined;
  } while (continuationToken);
  const { id } = await client.createStore({ name });
  return { storeId: id, created: true };
}

/**
 * Whether two authorization models define the same types, whatever their ids. A stored model comes back with its
 * keys in the server's order and with empty fields spelled out (`"metadata": null`, `"condition": ""` on OpenFGA),
 * so both sides are compared in one canonical form: keys sorted, empty values dropped.
 */
export function sameModel(a: { schema_version: string; type_definitions: unknown }, b: { schema_version: string; type_definitions: unknown }) {
  return a.schema_version === b.schema_version && canonicalJson(a.type_definitions) === canonicalJson(b.type_definitions);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const kept = Object.entries(item).filter(([, field]) => field !== null && field !== undefined && field !== "");
    return Object.fromEntries(kept.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  });
}
