import { OpenFgaClient } from "@openfga/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuthorizationModel } from "@/lib/fga/model";
import { sameModel } from "@/lib/fga/setup";
import { startFgaServer, type FgaServer } from "@/sandbox/fga/server";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { runNpmScript } from "@/tests/npm-script";

// `npm run fga:write-model` as a developer runs it, against the sandbox FGA server (the OpenFGA HTTP API): it
// creates or finds the store, writes lib/fga/model.fga, and writes nothing the second time.
let postgres: SandboxPostgres;
let fga: FgaServer;

beforeAll(async () => {
  postgres = await startSandboxPostgres({ port: 0 });
  fga = await startFgaServer({ port: 0, databaseUrl: postgres.url, log: () => {} });
});

afterAll(async () => {
  await fga?.close();
  await postgres?.close();
});

/** The script's environment: this FGA server, no credentials, and whatever a test adds. */
const writeModel = (args: string[], env: Record<string, string> = {}) =>
  runNpmScript("fga:write-model", args, { FGA_API_URL: fga.url, FGA_STORE_ID: "", FGA_CLIENT_ID: "", FGA_API_TOKEN: "", ...env });

describe("npm run fga:write-model", { timeout: 120_000 }, () => {
  it("creates the store, writes the model once, and on a second run finds both unchanged", async () => {
    const name = `Delegate tests/CI @ v1.2_${crypto.randomUUID().slice(0, 8)} & co`;
    const first = await writeModel(["--create-store", name]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const [created, wrote] = first.stdout.trim().split("\n");
    const storeId = /^Created store ".+": FGA_STORE_ID=(\w+)$/.exec(created ?? "")?.[1];
    const modelId = /^Wrote the model: FGA_MODEL_ID=(\w+)$/.exec(wrote ?? "")?.[1];
    expect(created).toBe(`Created store "${name}": FGA_STORE_ID=${storeId}`);
    expect(modelId).toBeDefined();

    const client = new OpenFgaClient({ apiUrl: fga.url, storeId });
    const { authorization_model: stored } = await client.readLatestAuthorizationModel();
    expect(stored?.id).toBe(modelId);
    expect(sameModel(stored!, await loadAuthorizationModel())).toBe(true);

    // Idempotent, by store id as in .env.local and by name again: no second model, no second store.
    const again = await writeModel([], { FGA_STORE_ID: storeId! });
    expect(again).toEqual({ code: 0, stdout: `The store already has this model (FGA_MODEL_ID=${modelId}).\n`, stderr: "" });
    const byName = await writeModel(["--create-store", name]);
    expect(byName.stdout).toBe(`Found store "${name}": FGA_STORE_ID=${storeId}\nThe store already has this model (FGA_MODEL_ID=${modelId}).\n`);
    expect((await client.readAuthorizationModels()).authorization_models.map((model) => model.id)).toEqual([modelId]);
    expect((await client.listStores()).stores.filter((store) => store.name === name)).toHaveLength(1);

    // The model it wrote is the one the app relies on: a group member can view, a viewer cannot delete.
    await client.write({
      writes: [
        { user: "user:auth0|alice", relation: "member", object: "group:finance" },
        { user: "group:finance#member", relation: "viewer", object: "doc:budget" },
      ],
    });
    expect((await client.check({ user: "user:auth0|alice", relation: "can_view", object: "doc:budget" })).allowed).toBe(true);
    expect((await client.check({ user: "user:auth0|alice", relation: "can_delete", object: "doc:budget" })).allowed).toBe(false);
  });

  it("replaces a different model in the store with the app's", async () => {
    const { id: storeId } = await new OpenFgaClient({ apiUrl: fga.url }).createStore({ name: `stale-${crypto.randomUUID()}` });
    const client = new OpenFgaClient({ apiUrl: fga.url, storeId });
    const { authorization_model_id: stale } = await client.writeAuthorizationModel({
      schema_version: "1.1",
      type_definitions: [{ type: "user" }, { type: "doc", relations: { viewer: { this: {} } }, metadata: { relations: { viewer: { directly_related_user_types: [{ type: "user" }] } } } }],
    });
    const run = await writeModel([], { FGA_STORE_ID: storeId });
    const modelId = /^Wrote the model: FGA_MODEL_ID=(\w+)\n$/.exec(run.stdout)?.[1];
    expect(modelId).toBeDefined();
    expect(modelId).not.toBe(stale);
    expect(sameModel((await client.readLatestAuthorizationModel()).authorization_model!, await loadAuthorizationModel())).toBe(true);
  });

  it("refuses a store name FGA does not accept with FGA's reason, not a stack trace, and creates nothing", async () => {
    const name = "Delegate – Tests (ü)";
    const run = await writeModel(["--create-store", name]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Could not write the model to ${fga.url}: invalid store name: 3 to 64 letters, digits, spaces or . - / ^ _ & @\n`);
    expect((await new OpenFgaClient({ apiUrl: fga.url }).listStores()).stores.map((store) => store.name)).not.toContain(name);
  });

  it("says what is missing and exits 1 without an API URL or a store", async () => {
    const noUrl = await runNpmScript("fga:write-model", [], { FGA_API_URL: "", FGA_STORE_ID: "" });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain("FGA_API_URL is not set.");
    const noStore = await writeModel([]);
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain("FGA_STORE_ID is not set.");
  });
});
