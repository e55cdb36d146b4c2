import { ConsistencyPreference, OpenFgaClient } from "@openfga/sdk";
import { transformer } from "@openfga/syntax-transformer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "../postgres/server";
import { startFgaServer, type FgaServer } from "./server";
import { DELEGATE_MODEL } from "./test-support";

// The `consistency` field of every query endpoint, as OpenFGA defines it (ConsistencyPreference, validated with
// enum.defined_only): the SDK's values are accepted, anything else is a 400 validation_error in OpenFGA's words.
let pg: SandboxPostgres;
let fga: FgaServer;
let storeId: string;
let client: OpenFgaClient;

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  fga = await startFgaServer({ port: 0, databaseUrl: pg.url, log: () => {} });
  ({ id: storeId } = await new OpenFgaClient({ apiUrl: fga.url }).createStore({ name: "consistency test" }));
  client = new OpenFgaClient({ apiUrl: fga.url, storeId, retryParams: { maxRetry: 0 } });
  await client.writeAuthorizationModel(transformer.transformDSLToJSONObject(DELEGATE_MODEL) as never);
  await client.writeTuples([{ user: "user:alice", relation: "owner", object: "doc:plan" }]);
});

afterAll(async () => {
  await fga?.close();
  await pg?.close();
});

const check = { tuple_key: { user: "user:alice", relation: "can_view", object: "doc:plan" } };
const bodies: Record<string, { path: string; body: object; request: string }> = {
  check: { path: "check", body: check, request: "CheckRequest" },
  "batch-check": { path: "batch-check", body: { checks: [{ ...check, correlation_id: "1" }] }, request: "BatchCheckRequest" },
  "list-objects": { path: "list-objects", body: { type: "doc", relation: "can_view", user: "user:alice" }, request: "ListObjectsRequest" },
  "streamed-list-objects": {
    path: "streamed-list-objects",
    body: { type: "doc", relation: "can_view", user: "user:alice" },
    request: "StreamedListObjectsRequest",
  },
  "list-users": {
    path: "list-users",
    body: { object: { type: "doc", id: "plan" }, relation: "can_view", user_filters: [{ type: "user" }] },
    request: "ListUsersRequest",
  },
  read: { path: "read", body: { tuple_key: { object: "doc:plan" } }, request: "ReadRequest" },
};

async function post(path: string, body: object) {
  const response = await fetch(`${fga.url}/stores/${storeId}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe("the sandbox FGA's consistency preference", () => {
  it("answers the SDK's HIGHER_CONSISTENCY on check, batch-check, list-objects, list-users and read", async () => {
    const options = { consistency: ConsistencyPreference.HigherConsistency };
    const object = "doc:plan";
    expect((await client.check({ user: "user:alice", relation: "can_view", object }, options)).allowed).toBe(true);
    const batch = await client.batchCheck({ checks: [{ user: "user:alice", relation: "can_view", object, correlationId: "a" }] }, options);
    expect(batch.result.map((r) => r.allowed)).toEqual([true]);
    expect((await client.listObjects({ user: "user:alice", relation: "can_view", type: "doc" }, options)).objects).toEqual([object]);
    const users = await client.listUsers({ object: { type: "doc", id: "plan" }, relation: "can_view", user_filters: [{ type: "user" }] }, options);
    expect(users.users).toEqual([{ object: { type: "user", id: "alice" } }]);
    expect((await client.read({ object }, options)).tuples.map((t) => t.key.user)).toEqual(["user:alice"]);
  });

  for (const [endpoint, { path, body }] of Object.entries(bodies)) {
    it(`accepts every defined value, by name or number, and an absent one (${endpoint})`, async () => {
      for (const consistency of [undefined, null, "UNSPECIFIED", "MINIMIZE_LATENCY", "HIGHER_CONSISTENCY", 0, 100, 200]) {
        const answer = await post(path, { ...body, consistency });
        expect(answer.status, `${endpoint} with ${String(consistency)}: ${answer.text}`).toBe(200);
      }
    });
  }

  for (const [endpoint, { path, body, request }] of Object.entries(bodies)) {
    it(`refuses anything else with OpenFGA's validation_error (${endpoint})`, async () => {
      for (const consistency of ["STRONG", "higher_consistency", "", 1, 2, 300, true, { level: "HIGHER_CONSISTENCY" }]) {
        const answer = await post(path, { ...body, consistency });
        expect(answer.status, `${endpoint} with ${JSON.stringify(consistency)}`).toBe(400);
        expect(JSON.parse(answer.text)).toEqual({
          code: "validation_error",
          message: `invalid ${request}.Consistency: value must be one of the defined enum values`,
        });
      }
    });
  }
});
