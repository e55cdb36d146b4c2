import {
  ClientWriteRequestOnDuplicateWrites,
  ClientWriteRequestOnMissingDeletes,
  FgaApiNotFoundError,
  FgaApiValidationError,
  OpenFgaClient,
} from "@openfga/sdk";
import { transformer } from "@openfga/syntax-transformer";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "../postgres/server";
import { startFgaServer, type FgaServer } from "./server";
import { failure, freshStore as freshStoreOn } from "./test-support";

let pg: SandboxPostgres;
let fga: FgaServer;
const logs: string[] = [];

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  fga = await startFgaServer({ port: 0, databaseUrl: pg.url, log: (line) => logs.push(line) });
});

afterAll(async () => {
  await fga?.close();
  await pg?.close();
});

/** A fresh store with Delegate's model; `client` is bound to both. */
const freshStore = (name = "http test") => freshStoreOn(fga.url, name);

async function post(path: string, body: unknown) {
  const response = await fetch(`${fga.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the sandbox FGA service over HTTP", () => {
  beforeEach(() => {
    logs.length = 0;
  });

  it("creates its fga_ tables in the given database and reports health", async () => {
    const sql = postgres(pg.url, { max: 1 });
    try {
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_name like 'fga_%' order by 1`;
      expect(tables.map((t) => t.table_name)).toEqual(["fga_authorization_models", "fga_changelog", "fga_stores", "fga_tuples"]);
    } finally {
      await sql.end();
    }
    const health = await fetch(`${fga.url}/healthz`);
    expect(await health.json()).toEqual({ status: "SERVING" });
  });

  it("manages stores: create, get, list with pagination and a name filter, delete", async () => {
    const client = new OpenFgaClient({ apiUrl: fga.url });
    const created = await Promise.all(["paging a", "paging b", "paging c"].map((name) => client.createStore({ name })));
    const first = created[0] as { id: string; name: string; created_at: string };
    expect(first).toMatchObject({ name: "paging a" });
    expect(first.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await client.getStore({ storeId: first.id })).toMatchObject({ id: first.id, name: "paging a", created_at: first.created_at });

    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.listStores({ pageSize: 2, continuationToken });
      expect(page.stores.length).toBeLessThanOrEqual(2);
      seen.push(...page.stores.map((s) => s.id));
      continuationToken = page.continuation_token || undefined;
    } while (continuationToken);
    expect(seen).toEqual(expect.arrayContaining(created.map((s) => s.id)));
    expect((await client.listStores({ name: "paging b" })).stores.map((s) => s.id)).toEqual([created[1]?.id]);

    await client.deleteStore({ storeId: first.id });
    const gone = await failure(client.getStore({ storeId: first.id }));
    expect(gone).toBeInstanceOf(FgaApiNotFoundError);
    expect(gone.apiErrorCode).toBe("store_id_not_found");
    expect(logs.some((line) => /^\[sandbox:fga\] GET \/stores\/\w+ 404 \d+ms \(store_id_not_found\)$/.test(line))).toBe(true);
  });

  it("stores models, lists them newest first and picks the latest when none is named", async () => {
    const { storeId, modelId, client } = await freshStore();
    const second = await client.writeAuthorizationModel(
      transformer.transformDSLToJSONObject("model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user]") as never,
    );
    const models = await client.readAuthorizationModels({ pageSize: 1 });
    expect(models.authorization_models.map((m) => m.id)).toEqual([second.authorization_model_id]);
    const next = await client.readAuthorizationModels({ pageSize: 1, continuationToken: models.continuation_token });
    expect(next.authorization_models.map((m) => m.id)).toEqual([modelId]);
    expect((await client.readLatestAuthorizationModel()).authorization_model?.id).toBe(second.authorization_model_id);
    const read = await client.readAuthorizationModel({ authorizationModelId: modelId });
    expect(read.authorization_model).toMatchObject({ id: modelId, schema_version: "1.1" });
    expect(read.authorization_model?.type_definitions.map((t) => t.type)).toEqual(["user", "group", "doc", "organization", "tool"]);

    // Without a model id, check runs against the latest model, where `can_view` no longer exists.
    const error = await failure(client.check({ user: "user:a", relation: "can_view", object: "doc:1" }));
    expect(error.apiErrorCode).toBe("validation_error");
    await client.write({ writes: [{ user: "user:a", relation: "owner", object: "doc:1" }] }, { authorizationModelId: modelId });
    expect((await client.check({ user: "user:a", relation: "can_view", object: "doc:1" }, { authorizationModelId: modelId })).allowed).toBe(true);

    const unknown = await failure(client.readAuthorizationModel({ authorizationModelId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }));
    expect(unknown.apiErrorCode).toBe("authorization_model_not_found");
    expect(unknown.statusCode).toBe(400);
    void storeId;
  });

  it("refuses invalid models with invalid_authorization_model", async () => {
    const { client } = await freshStore();
    const bad = async (dsl: string) => failure(client.writeAuthorizationModel(transformer.transformDSLToJSONObject(dsl) as never));
    const undefinedRelation = await bad("model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: editor");
    expect(undefinedRelation).toBeInstanceOf(FgaApiValidationError);
    expect(undefinedRelation.apiErrorCode).toBe("invalid_authorization_model");
    expect((await bad("model\n  schema 1.1\ntype doc\n  relations\n    define viewer: [user]")).apiErrorMessage).toContain("'user' on 'viewer'");
    expect((await bad("model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define a: b\n    define b: a")).apiErrorCode).toBe("invalid_authorization_model");
    expect((await bad("model\n  schema 1.1\ntype user\ntype folder\n  relations\n    define viewer: [user]\ntype doc\n  relations\n    define parent: [folder] or viewer\n    define viewer: viewer from parent")).apiErrorCode).toBe(
      "invalid_authorization_model",
    );
    const conditions = await bad(
      "model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user with recent]\ncondition recent(x: int) {\n  x < 10\n}",
    );
    expect(conditions.apiErrorMessage).toContain("conditions are not supported");
    const schema10 = await failure(client.writeAuthorizationModel({ schema_version: "1.0", type_definitions: [{ type: "user" }] } as never));
    expect(schema10.apiErrorMessage).toContain("schema 1.1");
  });

  it("writes and deletes tuples transactionally, validating them against the model", async () => {
    const { client } = await freshStore();
    const alice = { user: "user:alice", relation: "owner", object: "doc:1" };
    await client.writeTuples([alice]);

    const duplicate = await failure(client.writeTuples([alice]));
    expect(duplicate.apiErrorCode).toBe("write_failed_due_to_invalid_input");
    await client.write({ writes: [alice] }, { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } });

    // One bad tuple fails the whole request: nothing of it is written.
    const bob = { user: "user:bob", relation: "owner", object: "doc:2" };
    const mixed = await failure(client.write({ writes: [bob, alice] }));
    expect(mixed.apiErrorCode).toBe("write_failed_due_to_invalid_input");
    expect((await client.read({ object: "doc:2" })).tuples).toEqual([]);

    const unknownType = await failure(client.writeTuples([{ user: "user:a", relation: "owner", object: "folder:1" }]));
    expect(unknownType.apiErrorCode).toBe("validation_error");
    const unknownRelation = await failure(client.writeTuples([{ user: "user:a", relation: "can_view", object: "doc:1" }]));
    expect(unknownRelation.apiErrorCode).toBe("validation_error");
    const restricted = await failure(client.writeTuples([{ user: "group:eng#member", relation: "owner", object: "doc:1" }]));
    expect(restricted.apiErrorCode).toBe("validation_error");
    expect(restricted.apiErrorMessage).toContain("'group#member' is not an allowed type restriction for 'doc#owner'");
    const wildcard = await failure(client.writeTuples([{ user: "user:*", relation: "owner", object: "doc:1" }]));
    expect(wildcard.apiErrorCode).toBe("validation_error");
    const twice = await failure(client.writeTuples([bob, bob]));
    expect(twice.apiErrorCode).toBe("cannot_allow_duplicate_tuples_in_one_request");
    const tooMany = await failure(client.writeTuples(Array.from({ length: 101 }, (_, i) => ({ user: `user:u${i}`, relation: "viewer", object: "doc:1" }))));
    expect(tooMany.apiErrorCode).toBe("exceeded_entity_limit");

    const missing = await failure(client.deleteTuples([bob]));
    expect(missing.apiErrorCode).toBe("write_failed_due_to_invalid_input");
    await client.write({ deletes: [bob] }, { conflict: { onMissingDeletes: ClientWriteRequestOnMissingDeletes.Ignore } });
    await client.deleteTuples([alice]);
    expect((await client.check({ ...alice, relation: "can_view" })).allowed).toBe(false);
  });

  it("reads tuples by object, type, relation and user, page by page", async () => {
    const { client } = await freshStore();
    await client.writeTuples([
      ...Array.from({ length: 5 }, (_, i) => ({ user: `user:u${i}`, relation: "viewer", object: "doc:1" })),
      { user: "user:u0", relation: "owner", object: "doc:2" },
      { user: "user:u0", relation: "member", object: "group:eng" },
    ]);
    const pages: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.read({ object: "doc:1", relation: "viewer" }, { pageSize: 2, continuationToken });
      pages.push(page.tuples.map((t) => t.key.user));
      continuationToken = page.continuation_token || undefined;
    } while (continuationToken);
    expect(pages).toEqual([["user:u0", "user:u1"], ["user:u2", "user:u3"], ["user:u4"]]);
    const byUserAndType = await client.read({ user: "user:u0", object: "doc:" });
    expect(byUserAndType.tuples.map((t) => `${t.key.object}#${t.key.relation}`).sort()).toEqual(["doc:1#viewer", "doc:2#owner"]);
    expect((await client.read()).tuples).toHaveLength(7);
    expect(typeof (await client.read()).tuples[0]?.timestamp).toBe("string");
    const badToken = await failure(client.read({ object: "doc:1" }, { continuationToken: "not-a-token" }));
    expect(badToken.apiErrorCode).toBe("invalid_continuation_token");
    const noObject = await failure(client.read({ relation: "viewer" }));
    expect(noObject.apiErrorCode).toBe("validation_error");
  });

  it("checks, batch-checks, lists objects and users for Delegate's model", async () => {
    const { client, modelId } = await freshStore();
    await client.writeTuples([
      { user: "user:alice", relation: "owner", object: "doc:plan" },
      { user: "group:eng#member", relation: "editor", object: "doc:plan" },
      { user: "user:dave", relation: "member", object: "group:eng" },
      { user: "user:*", relation: "viewer", object: "doc:memo" },
    ]);
    expect((await client.check({ user: "user:dave", relation: "can_view", object: "doc:plan" }, { authorizationModelId: modelId })).allowed).toBe(true);
    expect((await client.check({ user: "user:dave", relation: "can_share", object: "doc:plan" })).allowed).toBe(false);
    expect(
      (await client.check({ user: "user:erin", relation: "can_view", object: "doc:plan", contextualTuples: [{ user: "user:erin", relation: "member", object: "group:eng" }] }))
        .allowed,
    ).toBe(true);

    const { result } = await client.batchCheck({
      checks: [
        { user: "user:dave", relation: "can_view", object: "doc:plan", correlationId: "yes" },
        { user: "user:dave", relation: "can_view", object: "doc:secret", correlationId: "no" },
        { user: "user:dave", relation: "can_edit", object: "doc:plan", correlationId: "bad" },
      ],
    });
    const byId = Object.fromEntries(result.map((r) => [r.correlationId, r]));
    expect(byId.yes).toMatchObject({ allowed: true });
    expect(byId.no).toMatchObject({ allowed: false });
    expect(byId.no?.error).toBeUndefined();
    expect(byId.bad).toMatchObject({ allowed: false, error: { input_error: "validation_error" } });

    // The wire shape of OpenFGA >= 1.8: a map keyed by correlation id.
    const raw = await post(`/stores/${(await client.getStore()).id}/batch-check`, {
      checks: [{ tuple_key: { user: "user:alice", relation: "can_delete", object: "doc:plan" }, correlation_id: "c1" }],
    });
    expect(raw).toEqual({ status: 200, body: { result: { c1: { allowed: true } } } });

    expect((await client.listObjects({ user: "user:dave", relation: "can_view", type: "doc" })).objects.sort()).toEqual(["doc:memo", "doc:plan"]);
    const streamed: string[] = [];
    for await (const { object } of client.streamedListObjects({ user: "user:dave", relation: "can_view", type: "doc" })) streamed.push(object);
    expect(streamed.sort()).toEqual(["doc:memo", "doc:plan"]);

    const users = await client.listUsers({ object: { type: "doc", id: "plan" }, relation: "can_view", user_filters: [{ type: "user" }] });
    expect(users.users).toEqual(expect.arrayContaining([{ object: { type: "user", id: "alice" } }, { object: { type: "user", id: "dave" } }]));
    const everyone = await client.listUsers({ object: { type: "doc", id: "memo" }, relation: "can_view", user_filters: [{ type: "user" }] });
    expect(everyone.users).toEqual([{ wildcard: { type: "user" } }]);
    const groups = await client.listUsers({ object: { type: "doc", id: "plan" }, relation: "can_view", user_filters: [{ type: "group", relation: "member" }] });
    expect(groups.users).toEqual([{ userset: { type: "group", id: "eng", relation: "member" } }]);
  });

  it("reports OpenFGA's error codes and statuses", async () => {
    const { client } = await freshStore();
    const cases: [() => Promise<unknown>, string][] = [
      [() => client.check({ user: "user:a", relation: "can_edit", object: "doc:1" }), "validation_error"],
      [() => client.check({ user: "user:a", relation: "can_view", object: "doc:1", contextualTuples: [{ user: "user:*", relation: "owner", object: "doc:1" }] }), "invalid_tuple"],
      [() => client.listObjects({ user: "user:a", relation: "can_view", type: "folder" }), "type_not_found"],
      [() => client.listObjects({ user: "user:a", relation: "can_edit", type: "doc" }), "relation_not_found"],
      [() => client.listObjects({ user: "robot:a", relation: "can_view", type: "doc" }), "validation_error"],
      [() => client.listUsers({ object: { type: "doc", id: "1" }, relation: "can_view", user_filters: [{ type: "robot" }] }), "type_not_found"],
      [() => client.listUsers({ object: { type: "doc", id: "1" }, relation: "nope", user_filters: [{ type: "user" }] }), "relation_not_found"],
      [() => client.batchCheck({ checks: Array.from({ length: 51 }, (_, i) => ({ user: "user:a", relation: "can_view", object: `doc:${i}` })) }, { maxBatchSize: 51 }), "validation_error"],
    ];
    for (const [call, code] of cases) {
      const error = await failure(call());
      expect(error.apiErrorCode, code).toBe(code);
      expect(error.statusCode).toBe(400);
    }

    const noModel = new OpenFgaClient({ apiUrl: fga.url, storeId: (await new OpenFgaClient({ apiUrl: fga.url }).createStore({ name: "empty" })).id });
    expect((await failure(noModel.check({ user: "user:a", relation: "viewer", object: "doc:1" }))).apiErrorCode).toBe("latest_authorization_model_not_found");
    const unknownStore = new OpenFgaClient({ apiUrl: fga.url, storeId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" });
    const notFound = await failure(unknownStore.check({ user: "user:a", relation: "viewer", object: "doc:1" }));
    expect(notFound.statusCode).toBe(404);
    expect(notFound.apiErrorCode).toBe("store_id_not_found");

    expect(await post("/stores", "{not json")).toEqual({ status: 400, body: { code: "validation_error", message: "The request body is not valid JSON." } });
    expect((await post("/nowhere", {})).body).toMatchObject({ code: "undefined_endpoint" });
    const storeId = (await client.getStore()).id;
    expect((await post(`/stores/${storeId}/check`, { tuple_key: { user: "user:a" } })).body).toMatchObject({ code: "validation_error" });
    expect((await post(`/stores/${storeId}/write`, {})).body).toMatchObject({ code: "invalid_write_input" });
  });
});
