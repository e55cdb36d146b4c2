import { describe, expect, it } from "vitest";
import { runBatchCheck, runCheck } from "./check-command";
import { FgaError } from "./errors";
import { listObjects } from "./list-objects";
import { listUsers } from "./list-users";
import { MemoryTupleBackend } from "./memory-backend";
import { DELEGATE_MODEL, memoryStore, modelFromDsl, tuple, tuples } from "./test-support";
import { StoreReads } from "./tuple-reader";

const delegate = () =>
  memoryStore(modelFromDsl(DELEGATE_MODEL), [
    "doc:plan#owner@user:alice",
    "doc:plan#editor@group:eng#member",
    "doc:plan#viewer@user:carol",
    "doc:memo#owner@user:bob",
    "doc:memo#viewer@user:*",
    "doc:secret#owner@user:bob",
    "group:eng#member@user:dave",
  ]);

async function check(store: ReturnType<typeof memoryStore>, text: string, contextual: string[] = []) {
  return runCheck(store.model, store.reads(), { tuple: tuple(text), contextualTuples: tuples(...contextual) });
}

async function errorOf(promise: Promise<unknown>): Promise<FgaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FgaError)) throw new Error(`expected an FgaError, got ${String(error)}`);
  return error;
}

describe("Check on Delegate's model", () => {
  it("grants each permission through the relation that carries it", async () => {
    const store = delegate();
    expect(await check(store, "doc:plan#can_view@user:alice")).toBe(true); // owner
    expect(await check(store, "doc:plan#can_share@user:alice")).toBe(true);
    expect(await check(store, "doc:plan#can_delete@user:alice")).toBe(true);
    expect(await check(store, "doc:plan#can_view@user:dave")).toBe(true); // editor through group:eng#member
    expect(await check(store, "doc:plan#can_share@user:dave")).toBe(false);
    expect(await check(store, "doc:plan#can_delete@user:dave")).toBe(false); // editing is not deleting
    expect(await check(store, "doc:plan#can_view@user:carol")).toBe(true); // viewer
    expect(await check(store, "doc:plan#can_delete@user:carol")).toBe(false);
    expect(await check(store, "doc:plan#can_view@user:erin")).toBe(false);
  });

  it("treats user:* as every user, but only where the model allows the wildcard", async () => {
    const store = delegate();
    expect(await check(store, "doc:memo#can_view@user:erin")).toBe(true);
    expect(await check(store, "doc:memo#can_share@user:erin")).toBe(false);
    expect(await check(store, "doc:memo#can_view@user:*")).toBe(true);
    expect(await check(store, "doc:secret#can_view@user:erin")).toBe(false);
  });

  it("answers for usersets: a group's members as a whole, and a userset as a member of itself", async () => {
    const store = delegate();
    expect(await check(store, "doc:plan#editor@group:eng#member")).toBe(true);
    expect(await check(store, "doc:plan#can_view@group:eng#member")).toBe(true);
    expect(await check(store, "doc:secret#can_view@group:eng#member")).toBe(false);
    expect(await check(store, "group:eng#member@group:eng#member")).toBe(true);
  });

  it("adds contextual tuples to the stored ones for that request only", async () => {
    const store = delegate();
    expect(await check(store, "doc:secret#can_view@user:erin", ["doc:secret#viewer@user:erin"])).toBe(true);
    expect(await check(store, "doc:secret#can_view@user:erin")).toBe(false);
    expect(await check(store, "doc:plan#can_view@user:frank", ["group:eng#member@user:frank"])).toBe(true);
  });

  it("refuses malformed or unknown input with OpenFGA's codes", async () => {
    const store = delegate();
    expect((await errorOf(check(store, "doc:plan#can_edit@user:alice"))).numericCode).toBe(2000);
    expect((await errorOf(check(store, "folder:x#can_view@user:alice"))).numericCode).toBe(2000);
    expect((await errorOf(check(store, "doc:plan#can_view@robot:r2"))).numericCode).toBe(2000);
    expect((await errorOf(check(store, "doc:plan#can_view@user:a:b"))).numericCode).toBe(2000);
    // A contextual tuple that breaks the type restrictions: invalid_tuple.
    const bad = await errorOf(check(store, "doc:plan#can_view@user:alice", ["doc:plan#owner@group:eng#member"]));
    expect(bad.code).toBe("invalid_tuple");
    expect(bad.numericCode).toBe(2027);
  });
});

describe("Check semantics", () => {
  it("ignores stored tuples the current model no longer allows", async () => {
    const v1 = modelFromDsl(`model\n  schema 1.1\ntype user\ntype employee\ntype doc\n  relations\n    define viewer: [user, employee]`);
    const v2 = modelFromDsl(`model\n  schema 1.1\ntype user\ntype employee\ntype doc\n  relations\n    define viewer: [user]`);
    const backend = new MemoryTupleBackend(tuples("doc:1#viewer@employee:e1", "doc:1#viewer@user:u1"));
    expect(await runCheck(v1, new StoreReads(backend, v1), { tuple: tuple("doc:1#viewer@employee:e1") })).toBe(true);
    expect(await runCheck(v2, new StoreReads(backend, v2), { tuple: tuple("doc:1#viewer@employee:e1") })).toBe(false);
    expect(await runCheck(v2, new StoreReads(backend, v2), { tuple: tuple("doc:1#viewer@user:u1") })).toBe(true);
    expect(await listObjects(v2, new StoreReads(backend, v2), { type: "doc", relation: "viewer", user: "employee:e1" })).toEqual([]);
  });

  it("answers false for a cycle, and a cycle under `but not` makes the whole expression false", async () => {
    const model = modelFromDsl(`model
  schema 1.1
type user
type document
  relations
    define restricted: [user, document#viewer]
    define viewer: [user] but not restricted`);
    const store = memoryStore(model, ["document:1#viewer@user:jon", "document:1#restricted@document:1#viewer"]);
    expect(await check(store, "document:1#viewer@user:jon")).toBe(false);

    const loop = memoryStore(modelFromDsl(`model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user, group#member]`), [
      "group:a#member@group:b#member",
      "group:b#member@group:a#member",
    ]);
    expect(await check(loop, "group:a#member@user:x")).toBe(false);
  });

  it("intersection needs every operand; exclusion removes the subtracted users", async () => {
    const model = modelFromDsl(`model
  schema 1.1
type user
type doc
  relations
    define allowed: [user]
    define blocked: [user, user:*]
    define member: [user, user:*]
    define viewer: member and allowed
    define reader: member but not blocked`);
    const store = memoryStore(model, ["doc:1#member@user:*", "doc:1#allowed@user:ann", "doc:1#blocked@user:bo", "doc:2#member@user:ann", "doc:2#blocked@user:*"]);
    expect(await check(store, "doc:1#viewer@user:ann")).toBe(true);
    expect(await check(store, "doc:1#viewer@user:bo")).toBe(false);
    expect(await check(store, "doc:1#reader@user:ann")).toBe(true);
    expect(await check(store, "doc:1#reader@user:bo")).toBe(false);
    expect(await check(store, "doc:2#reader@user:ann")).toBe(false);
  });

  it("follows tuple-to-userset parents, skipping parents whose type lacks the relation", async () => {
    const model = modelFromDsl(`model
  schema 1.1
type user
type org
  relations
    define admin: [user]
type folder
  relations
    define viewer: [user]
type doc
  relations
    define parent: [folder, org]
    define viewer: viewer from parent`);
    const store = memoryStore(model, ["doc:1#parent@org:acme", "doc:1#parent@folder:f", "folder:f#viewer@user:u"]);
    expect(await check(store, "doc:1#viewer@user:u")).toBe(true);
    expect(await check(store, "doc:1#viewer@user:v")).toBe(false);
  });

  it("fails with 2002 when a grant needs 25 or more userset hops, and grants below that", async () => {
    const model = modelFromDsl(`model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user, group#member]`);
    const chain = (length: number) => [
      ...Array.from({ length }, (_, i) => `group:g${i}#member@group:g${i + 1}#member`),
      `group:g${length}#member@user:u`,
    ];
    const deep = memoryStore(model, chain(25));
    const error = await errorOf(check(deep, "group:g0#member@user:u"));
    expect(error.code).toBe("authorization_model_resolution_too_complex");
    expect(error.numericCode).toBe(2002);
    expect(await check(memoryStore(model, chain(24)), "group:g0#member@user:u")).toBe(true);
  });

  it("reads what a Check of Delegate's can_view needs (three relations' tuples and usersets) in one query", async () => {
    const store = delegate();
    for (const [user, allowed] of [["user:bob", true], ["user:alice", false]] as const) {
      const reads = store.reads();
      expect(await runCheck(store.model, reads, { tuple: tuple(`doc:secret#can_view@${user}`) })).toBe(allowed);
      expect(reads.queries).toBe(1);
    }
    expect(store.backend.calls.map((call) => call.kind).sort()).toEqual(["exact", "exact", "usersets", "usersets"]);
  });

  it("batches the reads of a fan-out: 60 groups cost a few set queries, not 60", async () => {
    const groups = Array.from({ length: 60 }, (_, i) => `doc:plan#viewer@group:g${i}#member`);
    const store = memoryStore(modelFromDsl(DELEGATE_MODEL), [...groups, "group:g59#member@user:zoe"]);
    const reads = store.reads();
    expect(await runCheck(store.model, reads, { tuple: tuple("doc:plan#can_view@user:zoe") })).toBe(true);
    expect(reads.queries).toBeLessThanOrEqual(4);
    expect(store.backend.calls.find((call) => call.kind === "exact" && call.size >= 60)).toBeTruthy();
  });

  it("keeps reads batched for fan-outs beyond the prefetch limit", async () => {
    const groups = Array.from({ length: 6000 }, (_, i) => `doc:big#viewer@group:g${i}#member`);
    const store = memoryStore(modelFromDsl(DELEGATE_MODEL), [...groups, "group:g5999#member@user:zoe"]);
    const granted = store.reads();
    expect(await runCheck(store.model, granted, { tuple: tuple("doc:big#can_view@user:zoe") })).toBe(true);
    expect(granted.queries).toBeLessThan(30);
    const denied = store.reads();
    expect(await runCheck(store.model, denied, { tuple: tuple("doc:big#can_view@user:yan") })).toBe(false);
    expect(denied.queries).toBeLessThan(30);
  });

  it("resolves a diamond-shaped group hierarchy once per group (remembered sub-answers)", async () => {
    const model = modelFromDsl(`model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user, group#member]`);
    // 20 layers, each group containing both groups of the next layer: 2^20 paths through 40 groups.
    const stored: string[] = [];
    for (let layer = 0; layer < 20; layer++) {
      for (const a of ["a", "b"]) for (const b of ["a", "b"]) stored.push(`group:${a}${layer}#member@group:${b}${layer + 1}#member`);
    }
    const store = memoryStore(model, stored);
    // Without remembered sub-answers the check would walk the paths and run out of steps (it throws), not answer.
    expect(await check(store, "group:a0#member@user:nobody")).toBe(false);
  });
});

describe("BatchCheck", () => {
  it("answers each item by correlation id, with errors per item", async () => {
    const store = delegate();
    const results = await runBatchCheck(store.model, store.reads(), [
      { correlationId: "a", tuple: tuple("doc:plan#can_view@user:dave") },
      { correlationId: "b", tuple: tuple("doc:secret#can_view@user:dave") },
      { correlationId: "c", tuple: tuple("doc:plan#nope@user:dave") },
      { correlationId: "d", tuple: tuple("doc:plan#can_view@user:dave") },
    ]);
    expect(results.get("a")).toEqual({ allowed: true });
    expect(results.get("b")).toEqual({ allowed: false });
    expect((results.get("c") as { error: FgaError }).error.code).toBe("validation_error");
    expect(results.get("d")).toEqual({ allowed: true });
  });

  it("refuses empty batches, more than 50 checks and duplicate correlation ids", async () => {
    const store = delegate();
    const item = (id: string) => ({ correlationId: id, tuple: tuple("doc:plan#can_view@user:dave") });
    expect((await errorOf(runBatchCheck(store.model, store.reads(), []))).code).toBe("validation_error");
    expect((await errorOf(runBatchCheck(store.model, store.reads(), Array.from({ length: 51 }, (_, i) => item(`c${i}`))))).code).toBe("validation_error");
    expect((await errorOf(runBatchCheck(store.model, store.reads(), [item("x"), item("x")]))).message).toContain("duplicate correlation id");
  });
});

describe("ListObjects", () => {
  it("lists what Check grants, reverse-expanding from the user", async () => {
    const store = delegate();
    const list = (user: string, relation = "can_view") => listObjects(store.model, store.reads(), { type: "doc", relation, user });
    expect((await list("user:dave")).sort()).toEqual(["doc:memo", "doc:plan"]);
    expect((await list("user:bob")).sort()).toEqual(["doc:memo", "doc:secret"]);
    expect((await list("user:bob", "can_share")).sort()).toEqual(["doc:memo", "doc:secret"]);
    expect(await list("user:erin")).toEqual(["doc:memo"]);
    expect(await list("group:eng#member")).toEqual(["doc:plan"]);
    expect(await list("user:*")).toEqual(["doc:memo"]);
  });

  it("reads by user, not by object type: a user with few grants costs a few queries however big the store", async () => {
    const many = Array.from({ length: 2000 }, (_, i) => `doc:d${i}#owner@user:u${i % 100}`);
    const store = memoryStore(modelFromDsl(DELEGATE_MODEL), [...many, "doc:x#viewer@group:eng#member", "group:eng#member@user:u1"]);
    const reads = store.reads();
    const objects = await listObjects(store.model, reads, { type: "doc", relation: "can_view", user: "user:u1" });
    expect(objects).toHaveLength(21);
    expect(objects).toContain("doc:x");
    expect(reads.queries).toBeLessThanOrEqual(4);
    expect(store.backend.calls.every((call) => call.kind === "byUser")).toBe(true);
  });

  it("confirms candidates under intersection and exclusion with Check", async () => {
    const model = modelFromDsl(`model
  schema 1.1
type user
type doc
  relations
    define blocked: [user]
    define member: [user, user:*]
    define reader: member but not blocked`);
    const store = memoryStore(model, ["doc:1#member@user:*", "doc:2#member@user:ann", "doc:3#member@user:ann", "doc:3#blocked@user:ann"]);
    const objects = await listObjects(store.model, store.reads(), { type: "doc", relation: "reader", user: "user:ann" });
    expect(objects.sort()).toEqual(["doc:1", "doc:2"]);
  });

  it("stops at the result cap", async () => {
    const store = memoryStore(modelFromDsl(DELEGATE_MODEL), Array.from({ length: 30 }, (_, i) => `doc:d${i}#owner@user:u`));
    expect(await listObjects(store.model, store.reads(), { type: "doc", relation: "can_view", user: "user:u" }, { maxResults: 10 })).toHaveLength(10);
  });

  it("uses OpenFGA's codes for unknown types, relations and users", async () => {
    const store = delegate();
    const run = (type: string, relation: string, user: string) => errorOf(listObjects(store.model, store.reads(), { type, relation, user }));
    expect((await run("folder", "can_view", "user:a")).numericCode).toBe(2021);
    expect((await run("doc", "can_edit", "user:a")).numericCode).toBe(2022);
    expect((await run("doc", "can_view", "robot:a")).numericCode).toBe(2000);
  });
});

describe("ListUsers", () => {
  it("lists users, wildcards and usersets that Check grants", async () => {
    const store = delegate();
    const list = (object: string, filter: { type: string; relation?: string }, relation = "can_view") =>
      listUsers(store.model, store.reads(), { object: { type: "doc", id: object }, relation, userFilters: [filter] });
    expect((await list("plan", { type: "user" })).sort()).toEqual(["user:alice", "user:carol", "user:dave"]);
    expect((await list("memo", { type: "user" })).sort()).toEqual(["user:*", "user:bob"]);
    expect(await list("plan", { type: "group", relation: "member" })).toEqual(["group:eng#member"]);
    expect(await list("plan", { type: "user" }, "can_share")).toEqual(["user:alice"]);
  });

  it("fails with 2002 on resolution deeper than 25 levels", async () => {
    const model = modelFromDsl(`model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user, group#member]`);
    const stored = [...Array.from({ length: 30 }, (_, i) => `group:g${i}#member@group:g${i + 1}#member`), "group:g30#member@user:u"];
    const store = memoryStore(model, stored);
    const error = await errorOf(listUsers(store.model, store.reads(), { object: { type: "group", id: "g0" }, relation: "member", userFilters: [{ type: "user" }] }));
    expect(error.numericCode).toBe(2002);
  });
});
