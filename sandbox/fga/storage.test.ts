import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "../postgres/server";
import type { TupleKey } from "./identifiers";
import { ensureFgaSchema } from "./schema";
import { FgaStorage } from "./storage";
import { DELEGATE_MODEL, modelFromDsl, tuples } from "./test-support";
import { StoreReads, type TupleReads } from "./tuple-reader";

// The Postgres reads behind the evaluator match keys two ways — one `= any(...)` per column when the keys are
// (nearly) every combination of their values, a lookup per key otherwise — and must answer the same either way.
let pg: SandboxPostgres;
let sql: postgres.Sql;
let storage: FgaStorage;
const STORE = "01JDELEGATESTORAGETEST0000";
const model = modelFromDsl(DELEGATE_MODEL);

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  sql = postgres(pg.url, { max: 2, onnotice: () => {} });
  await ensureFgaSchema(sql);
  storage = new FgaStorage(sql);
  await storage.writeTuples(
    STORE,
    [],
    tuples(
      "doc:q3-forecast_(draft)#owner@user:zoë",
      "doc:q3-forecast_(draft)#viewer@user:bob@example.com",
      "doc:q3-forecast_(draft)#viewer@group:finance#member",
      "doc:q3-forecast_(draft)#editor@user:bob@example.com",
      "doc:handbook#viewer@user:*",
      "doc:handbook#owner@user:bob@example.com",
      "group:finance#member@user:zoë",
    ),
    { onDuplicate: "error", onMissing: "error" },
  );
});

afterAll(async () => {
  await sql?.end();
  await pg?.close();
});

const sorted = (list: TupleKey[]) => list.map((t) => `${t.object}#${t.relation}@${t.user}`).sort();

describe("FgaStorage reads", () => {
  it("answers exactly what was asked when the keys are one object's relations for a user, as a Check asks", async () => {
    const reads = new StoreReads(storage.backend(STORE), model);
    const forecast = "doc:q3-forecast_(draft)";
    const answers = await Promise.all([
      reads.hasTuple(forecast, "owner", "user:zoë"),
      reads.hasTuple(forecast, "editor", "user:zoë"),
      reads.hasTuple(forecast, "viewer", "user:zoë"),
      reads.hasTuple(forecast, "viewer", "user:*"),
      // Probing these combinations also meets viewer@bob, stored but never asked for: it must not leak into an answer.
      reads.hasTuple(forecast, "editor", "user:bob@example.com"),
      reads.usersets(forecast, "editor"),
      reads.usersets(forecast, "viewer"),
    ]);
    expect(answers).toEqual([true, false, false, false, true, [], ["group:finance#member"]]);
    expect(reads.queries).toBe(1);
  });

  it("answers scattered keys (other documents, other users) the same way, one lookup per key", async () => {
    const backend = storage.backend(STORE);
    const asked: TupleReads = {
      exact: tuples("doc:q3-forecast_(draft)#owner@user:zoë", "doc:handbook#owner@user:zoë", "doc:handbook#viewer@user:*", "group:finance#member@user:bob@example.com"),
      usersets: [{ object: "doc:q3-forecast_(draft)", relation: "viewer" }, { object: "doc:handbook", relation: "editor" }],
      users: [{ object: "doc:handbook", relation: "owner" }, { object: "group:finance", relation: "member" }],
      byUser: ["user:zoë"],
    };
    const found = await backend.read(asked);
    expect(sorted(found.exact)).toEqual(["doc:handbook#viewer@user:*", "doc:q3-forecast_(draft)#owner@user:zoë"]);
    expect(sorted(found.usersets)).toEqual(["doc:q3-forecast_(draft)#viewer@group:finance#member"]);
    expect(sorted(found.users)).toEqual(["doc:handbook#owner@user:bob@example.com", "group:finance#member@user:zoë"]);
    expect(sorted(found.byUser)).toEqual(["doc:q3-forecast_(draft)#owner@user:zoë", "group:finance#member@user:zoë"]);
  });

  it("reads whole object#relations only for the pairs asked for, never their neighbours", async () => {
    // doc:handbook#viewer and doc:q3…#owner are asked; doc:handbook#owner and doc:q3…#viewer hold tuples and are
    // among the combinations of the values, so matching by column would have read them too.
    const found = await storage.backend(STORE).read({
      exact: [],
      usersets: [],
      users: [{ object: "doc:handbook", relation: "viewer" }, { object: "doc:q3-forecast_(draft)", relation: "owner" }],
      byUser: [],
    });
    expect(sorted(found.users)).toEqual(["doc:handbook#viewer@user:*", "doc:q3-forecast_(draft)#owner@user:zoë"]);
  });
});
