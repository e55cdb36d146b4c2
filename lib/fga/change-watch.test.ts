import type { ReadChangesResponse, TupleChange } from "@openfga/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadAuthorizationModel } from "./model";

// The watch's logic, against a changelog this test writes; the sandbox FGA's own ReadChanges is tested in
// sandbox/fga/, and retrieval trusting a listing through it in lib/rag/retrieve.test.ts.
const config: { FGA_CHANGES_TRUSTED_MS: number; FGA_MODEL_ID?: string } = { FGA_CHANGES_TRUSTED_MS: 1_000, FGA_MODEL_ID: "01JCZ7Q3X8T0A4M5N6P7R8S9TV" };
const changelog: TupleChange[] = [];
const readChanges = vi.fn(async (body: { type: string; startTime: string }, options: { pageSize: number; continuationToken?: string }) => {
  const after = options.continuationToken ? Number(options.continuationToken) : -1;
  const since = Date.parse(body.startTime);
  const page = changelog.map((change, i) => ({ change, i })).filter(({ change, i }) => i > after && !(Date.parse(change.timestamp) < since));
  const taken = page.slice(0, options.pageSize);
  return { changes: taken.map(({ change }) => change), continuation_token: String(taken.at(-1)?.i ?? after) } as ReadChangesResponse;
});
vi.mock("@/lib/config", () => ({ getConfig: () => config }));
vi.mock("./client", () => ({
  getFga: () => ({ readChanges }),
  ask: async (_what: string, request: () => Promise<unknown>) => request(),
}));

const T0 = Date.parse("2026-12-04T12:00:00Z");
let watch: typeof import("./change-watch");
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
  vi.resetModules();
  watch = await import("./change-watch");
  changelog.length = 0;
  readChanges.mockClear();
  config.FGA_CHANGES_TRUSTED_MS = 1_000;
  config.FGA_MODEL_ID = "01JCZ7Q3X8T0A4M5N6P7R8S9TV";
});
afterEach(() => vi.useRealTimers());

const change = (object: string, relation: string, user: string, at: number, operation = "TUPLE_OPERATION_DELETE") =>
  changelog.push({ tuple_key: { object, relation, user }, operation, timestamp: new Date(at).toISOString() } as TupleChange);
const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
/** The instance's first read, as a listing starts it, done. */
async function firstRead() {
  watch.watchChanges();
  await vi.waitFor(() => expect(readChanges).toHaveBeenCalled());
  await new Promise((resolve) => setTimeout(resolve, 0));
}
const ALICE = "auth0|alice";
const BOB = "auth0|bob";

describe("FGA's changelog, watched", () => {
  it("trusts a listing asked after the instance began reading while nothing touches its user, for the trusted time after a read", async () => {
    await firstRead();
    later(20);
    const listedAt = new Date(Date.now());
    later(300);
    expect(await watch.changesSince(ALICE, listedAt)).toEqual({ changed: false, readAt: new Date(T0) });
    // A second later, without a new read finishing, nothing is trusted; the read the question starts restores it.
    later(1_000);
    const readAgain = await watch.changesSince(ALICE, listedAt);
    expect(readAgain).toEqual({ changed: false, readAt: new Date(Date.now()) });
    expect(readChanges).toHaveBeenCalledTimes(2);
  });

  it("does not trust a listing older than what the instance has read", async () => {
    const listedAt = new Date(T0 - 60_000);
    expect(await watch.changesSince(ALICE, listedAt)).toBeUndefined();
    expect(readChanges).toHaveBeenCalledTimes(1);
  });

  it("tells apart changes touching one user, anyone, or no one's viewing", async () => {
    await firstRead();
    later(10);
    const listedAt = new Date(Date.now());
    // Outside Delegate: bob loses a document, and joins a group (untidy ids, as Auth0 subs are).
    change("doc:7f0c1e2a-3b4c-4d5e-8f90-a1b2c3d4e5f6", "viewer", `user:${BOB}`, Date.now() + 100);
    change("group:ventes-été (2026)", "member", `user:${BOB}`, Date.now() + 150, "TUPLE_OPERATION_WRITE");
    // A tool switched off for alice decides nothing about documents.
    change("tool:buy_product", "switched_off", `user:${ALICE}`, Date.now() + 200, "TUPLE_OPERATION_WRITE");
    // Once the read from before them is a second old, the search waits for one that sees them.
    later(1_100);
    expect(await watch.changesSince(BOB, listedAt)).toMatchObject({ changed: true });
    expect(await watch.changesSince(ALICE, listedAt)).toMatchObject({ changed: false });
    // A document shared with a group's members, or with everyone, may change anyone's.
    for (const user of ["group:sales#member", "user:*"]) {
      change("doc:00000000-0000-4000-8000-000000000001", "viewer", user, Date.now(), "TUPLE_OPERATION_WRITE");
      later(1_100);
      expect(await watch.changesSince(ALICE, listedAt)).toMatchObject({ changed: true });
      // A listing asked just after it may or may not have it; one asked MARGIN_MS after it stands again.
      later(100);
      expect(await watch.changesSince(ALICE, new Date(Date.now()))).toBeUndefined();
      later(watch.MARGIN_MS);
      const relisted = new Date(Date.now());
      later(600);
      expect(await watch.changesSince(ALICE, relisted)).toMatchObject({ changed: false });
    }
  });

  it("counts a change stamped up to MARGIN_MS before the listing, as FGA's clock and commit order may be off by that", async () => {
    await firstRead();
    later(watch.MARGIN_MS * 2);
    const listedAt = new Date(Date.now());
    change("doc:00000000-0000-4000-8000-000000000002", "viewer", `user:${ALICE}`, listedAt.getTime() - watch.MARGIN_MS + 10);
    later(600);
    expect(await watch.changesSince(ALICE, listedAt)).toBeUndefined();
  });

  it("trusts nothing while FGA does not answer, and never rejects", async () => {
    await firstRead();
    later(10);
    const listedAt = new Date(Date.now());
    readChanges.mockRejectedValueOnce(new Error("FGA is down"));
    later(1_100);
    await expect(watch.changesSince(ALICE, listedAt)).resolves.toBeUndefined();
    // FGA answers again: the next read covers the time it missed, and the listing stands.
    later(600);
    expect(await watch.changesSince(ALICE, listedAt)).toMatchObject({ changed: false });
    expect(new Date(readChanges.mock.calls.at(-1)![0].startTime).getTime()).toBeLessThanOrEqual(T0);
  });

  it("gives up on a read of more changes than it takes, and trusts only listings asked after it", async () => {
    await firstRead();
    later(10);
    const listedAt = new Date(Date.now());
    for (let i = 0; i < 2_500; i++) change(`tool:t${i}`, "switched_on", `user:u${i}`, Date.now(), "TUPLE_OPERATION_WRITE");
    later(1_100);
    expect(await watch.changesSince(ALICE, listedAt)).toBeUndefined();
    // Reads give up while the burst lies within MARGIN_MS of where they start; a listing asked after that stands.
    for (let step = 0; step < 3; step++) {
      later(watch.MARGIN_MS);
      expect(await watch.changesSince(ALICE, listedAt)).toBeUndefined();
    }
    const relisted = new Date(Date.now());
    later(watch.MARGIN_MS + 1_100);
    expect(await watch.changesSince(ALICE, relisted)).toMatchObject({ changed: false });
    expect(await watch.changesSince(ALICE, listedAt)).toBeUndefined();
  });

  for (const [setting, unset] of [["FGA_CHANGES_TRUSTED_MS is 0", () => (config.FGA_CHANGES_TRUSTED_MS = 0)], ["FGA_MODEL_ID is not set (the changelog does not record a new model)", () => delete config.FGA_MODEL_ID]] as const) {
    it(`neither reads nor trusts when ${setting}`, async () => {
      unset();
      watch.watchChanges();
      later(600);
      expect(await watch.changesSince(ALICE, new Date(T0 + 10))).toBeUndefined();
      expect(readChanges).not.toHaveBeenCalled();
    });
  }

  it("reads each read from MARGIN_MS before the last began: a change FGA stamped earlier but showed later is found", async () => {
    await firstRead();
    later(10);
    const listedAt = new Date(Date.now());
    // Written beside another, committed late: stamped before the first read began, readable only after it. Whether
    // the listing has it cannot be told.
    change("doc:00000000-0000-4000-8000-000000000003", "viewer", `user:${ALICE}`, T0 - 1_000);
    later(1_100);
    expect(await watch.changesSince(ALICE, listedAt)).toBeUndefined();
    expect(Date.parse(readChanges.mock.calls.at(-1)![0].startTime)).toBe(T0 - watch.MARGIN_MS);
  });

  it("finds a change on a later page, and counts one whose time it cannot read as made now", async () => {
    await firstRead();
    later(10);
    const listedAt = new Date(Date.now());
    later(50);
    for (let i = 0; i < 150; i++) change(`tool:t${i}`, "switched_on", `user:u${i}`, Date.now(), "TUPLE_OPERATION_WRITE");
    change("group:ünïcode (team)", "member", `user:${BOB}`, Date.now(), "TUPLE_OPERATION_DELETE");
    changelog.push({ tuple_key: { object: "doc:00000000-0000-4000-8000-000000000004", relation: "viewer", user: `user:${ALICE}` }, operation: "TUPLE_OPERATION_DELETE", timestamp: "not a time" } as TupleChange);
    later(1_100);
    expect(await watch.changesSince(BOB, listedAt)).toMatchObject({ changed: true });
    expect(await watch.changesSince(ALICE, listedAt)).toMatchObject({ changed: true });
    expect(readChanges.mock.calls.at(-1)![1].continuationToken).toBeDefined();
  });

  it("watches the object types the model's doc#can_view depends on, and the model defines no relation on user", async () => {
    const model = await loadAuthorizationModel();
    type Rewrite = { this?: object; computedUserset?: { relation: string }; tupleToUserset?: { tupleset: { relation: string }; computedUserset: { relation: string } }; union?: { child: Rewrite[] }; intersection?: { child: Rewrite[] }; difference?: { base: Rewrite; subtract: Rewrite } };
    const types = new Map(model.type_definitions.map((t) => [t.type, t as { relations?: Record<string, Rewrite>; metadata?: { relations?: Record<string, { directly_related_user_types?: { type: string; relation?: string }[] }> } }]));
    expect(Object.keys(types.get("user")!.relations ?? {})).toEqual([]);
    const visited = new Set<string>();
    const visit = (type: string, relation: string) => {
      if (visited.has(`${type}#${relation}`)) return;
      visited.add(`${type}#${relation}`);
      const direct = (rel: string) => types.get(type)!.metadata?.relations?.[rel]?.directly_related_user_types ?? [];
      const walk = (rewrite: Rewrite) => {
        if (rewrite.this) for (const subject of direct(relation)) if (subject.relation) visit(subject.type, subject.relation);
        if (rewrite.computedUserset) visit(type, rewrite.computedUserset.relation);
        if (rewrite.tupleToUserset)
          for (const subject of direct(rewrite.tupleToUserset.tupleset.relation)) visit(subject.type, rewrite.tupleToUserset.computedUserset.relation);
        for (const child of [...(rewrite.union?.child ?? []), ...(rewrite.intersection?.child ?? [])]) walk(child);
        if (rewrite.difference) [rewrite.difference.base, rewrite.difference.subtract].forEach(walk);
      };
      walk(types.get(type)!.relations![relation]!);
    };
    visit("doc", "can_view");
    const viewingTypes = new Set([...visited].map((node) => node.split("#")[0]!));
    for (const type of watch.NOT_VIEWING_TYPES) expect(viewingTypes.has(type)).toBe(false);
    for (const type of types.keys()) expect(viewingTypes.has(type) || (watch.NOT_VIEWING_TYPES as readonly string[]).includes(type) || type === "user").toBe(true);
  });
});
