import { ClientWriteRequestOnDuplicateWrites, ClientWriteRequestOnMissingDeletes, OpenFgaClient, type TupleChange } from "@openfga/sdk";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "../postgres/server";
import { startFgaServer, type FgaServer } from "./server";
import { protoTimestamp } from "./storage";
import { failure, freshStore as freshStoreOn } from "./test-support";

// ReadChanges through the unmodified SDK (and raw HTTP where the SDK cannot send what is tested), against what
// OpenFGA answers: pkg/server/read_changes.go, pkg/server/commands/read_changes.go, pkg/storage/postgres ReadChanges.

let pg: SandboxPostgres;
let fga: FgaServer;

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  fga = await startFgaServer({ port: 0, databaseUrl: pg.url, log: () => {} });
});

afterAll(async () => {
  await fga?.close();
  await pg?.close();
});

const freshStore = () => freshStoreOn(fga.url, "read changes test");

/** A raw GET of /changes, for parameters the SDK would not send as given. */
async function getChanges(storeId: string, query: string) {
  const response = await fetch(`${fga.url}/stores/${storeId}/changes${query ? `?${query}` : ""}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "write doc:1#owner@user:a" per change, for comparing sequences. */
const described = (changes: TupleChange[]) =>
  changes.map((c) => `${String(c.operation).replace("TUPLE_OPERATION_", "").toLowerCase()} ${c.tuple_key.object}#${c.tuple_key.relation}@${c.tuple_key.user}`);

// Untidy identifiers, as the app may meet them: parentheses, an Auth0 `sub` with "|", non-ASCII, a long id.
const FORECAST = "doc:q3-forecast_(draft)";
const REPORT = "doc:報告書-2024";
const LONG = `doc:${"x".repeat(200)}-long`;
const AUTH0 = "user:auth0|abc";
const ZOE = "user:zoë";

describe("ReadChanges", () => {
  it("records every write and delete, oldest first, deletes before writes within a request, in OpenFGA's wire shape", async () => {
    const { storeId, client } = await freshStore();
    const before = Date.now();
    // Request order differs from the keys' sort order, so an answer sorted by key rather than by change would fail.
    await client.writeTuples([
      { object: LONG, relation: "viewer", user: ZOE },
      { object: FORECAST, relation: "owner", user: AUTH0 },
      { object: "group:finance", relation: "member", user: ZOE },
    ]);
    await client.write({
      writes: [
        { object: REPORT, relation: "editor", user: "group:finance#member" },
        { object: FORECAST, relation: "viewer", user: "user:*" },
      ],
      deletes: [
        { object: LONG, relation: "viewer", user: ZOE },
        { object: FORECAST, relation: "owner", user: AUTH0 },
      ],
    });
    const after = Date.now();

    const { changes, continuation_token } = await client.readChanges();
    expect(described(changes)).toEqual([
      `write ${LONG}#viewer@${ZOE}`,
      `write ${FORECAST}#owner@${AUTH0}`,
      `write group:finance#member@${ZOE}`,
      `delete ${LONG}#viewer@${ZOE}`,
      `delete ${FORECAST}#owner@${AUTH0}`,
      `write ${REPORT}#editor@group:finance#member`,
      `write ${FORECAST}#viewer@user:*`,
    ]);
    // The token: "<ulid of the last change>|<type asked for>", here none.
    expect(decodeToken(continuation_token).type).toBe("");

    // protojson's Timestamp: UTC, with 0, 3 or 6 fractional digits (Postgres keeps microseconds), not decreasing.
    const times = changes.map((c) => c.timestamp);
    for (const time of times) {
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?Z$/);
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before - 5);
      expect(Date.parse(time)).toBeLessThanOrEqual(after + 5);
    }
    expect([...times].sort()).toEqual(times);
    // A request's changes share its transaction's time, which is also the time Read reports for its tuples.
    expect(new Set(times.slice(0, 3)).size).toBe(1);
    expect(new Set(times.slice(3)).size).toBe(1);
    expect(times[3]).not.toBe(times[0]);
    const read = await client.read({ object: REPORT, relation: "editor", user: "group:finance#member" });
    expect(Date.parse(read.tuples[0]?.timestamp ?? "")).toBe(Date.parse(times[5] ?? ""));

    // The exact JSON, as grpc-gateway writes it: field names as in the proto, an unset condition as null.
    const raw = await getChanges(storeId, "page_size=1");
    expect(raw.status).toBe(200);
    expect(raw.body).toEqual({
      changes: [
        {
          tuple_key: { user: ZOE, relation: "viewer", object: LONG, condition: null },
          operation: "TUPLE_OPERATION_WRITE",
          timestamp: times[0],
        },
      ],
      continuation_token: expect.any(String),
    });
    expect(Object.keys((raw.body.changes as Record<string, unknown>[])[0] ?? {})).toEqual(["tuple_key", "operation", "timestamp"]);
  });

  it("filters by object type; a token holds its type and is refused for another", async () => {
    const { client } = await freshStore();
    await client.writeTuples([{ object: FORECAST, relation: "owner", user: AUTH0 }]);
    await client.writeTuples([{ object: "group:finance", relation: "member", user: ZOE }]);
    await client.writeTuples([{ object: REPORT, relation: "viewer", user: ZOE }]);
    await client.deleteTuples([{ object: "group:finance", relation: "member", user: ZOE }]);

    const docs = await client.readChanges({ type: "doc" });
    expect(described(docs.changes)).toEqual([`write ${FORECAST}#owner@${AUTH0}`, `write ${REPORT}#viewer@${ZOE}`]);
    expect(decodeToken(docs.continuation_token).type).toBe("doc");
    const groups = await client.readChanges({ type: "group" });
    expect(described(groups.changes)).toEqual([`write group:finance#member@${ZOE}`, `delete group:finance#member@${ZOE}`]);
    // "<ulid>|group" is 32 bytes, so its base64 ends in "=" padding, which Go's decoder requires.
    expect(groups.continuation_token).toMatch(/=$/);
    expect(decodeToken(groups.continuation_token).type).toBe("group");
    expect(await client.readChanges({ type: "group" }, { continuationToken: groups.continuation_token })).toMatchObject({
      changes: [],
      continuation_token: groups.continuation_token,
    });
    // A type is matched whole, not as a prefix of the object.
    expect((await client.readChanges({ type: "do" })).changes).toEqual([]);

    const mismatch = await failure(client.readChanges({ type: "group" }, { continuationToken: docs.continuation_token }));
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.apiErrorCode).toBe("query_string_type_continuation_token_mismatch");
    expect(mismatch.apiErrorMessage).toBe("The type in the querystring and the continuation token don't match");
    const untyped = (await client.readChanges(undefined, { pageSize: 1 })).continuation_token;
    expect((await failure(client.readChanges({ type: "doc" }, { continuationToken: untyped }))).apiErrorCode).toBe(
      "query_string_type_continuation_token_mismatch",
    );
    expect((await failure(client.readChanges(undefined, { continuationToken: docs.continuation_token }))).apiErrorCode).toBe(
      "query_string_type_continuation_token_mismatch",
    );
  });

  it("pages with continuation tokens; polling with the last token finds nothing new, then the next change", async () => {
    const { storeId, client } = await freshStore();
    const empty = await client.readChanges();
    expect(empty).toMatchObject({ changes: [], continuation_token: "" });

    const users = ["user:u3", "user:u1", AUTH0, ZOE, "user:u0"];
    for (const user of users) await client.writeTuples([{ object: FORECAST, relation: "viewer", user }]);
    const pages: string[][] = [];
    let token: string | undefined;
    for (;;) {
      const page = await client.readChanges({ type: "doc" }, { pageSize: 2, continuationToken: token });
      if (page.changes.length === 0) {
        // Nothing after the last change: the same token comes back, to poll with.
        expect(page.continuation_token).toBe(token);
        break;
      }
      expect(page.continuation_token).not.toBe(token);
      pages.push(page.changes.map((c) => c.tuple_key.user));
      token = page.continuation_token;
    }
    expect(pages).toEqual([users.slice(0, 2), users.slice(2, 4), users.slice(4)]);

    // A page that ends at the last change still carries a token (OpenFGA does not look ahead).
    const all = await client.readChanges({ type: "doc" }, { pageSize: 5 });
    expect(all.changes).toHaveLength(5);
    expect(all.continuation_token).toBe(token);

    const again = await client.readChanges({ type: "doc" }, { continuationToken: token });
    expect(again).toMatchObject({ changes: [], continuation_token: token });
    await client.writeTuples([{ object: "group:finance", relation: "member", user: ZOE }]);
    await client.deleteTuples([{ object: FORECAST, relation: "viewer", user: AUTH0 }]);
    const next = await client.readChanges({ type: "doc" }, { continuationToken: token });
    expect(described(next.changes)).toEqual([`delete ${FORECAST}#viewer@${AUTH0}`]);
    expect(decodeToken(next.continuation_token).ulid > decodeToken(token).ulid).toBe(true);
    expect(await client.readChanges({ type: "doc" }, { continuationToken: next.continuation_token })).toMatchObject({
      changes: [],
      continuation_token: next.continuation_token,
    });

    // Without a page size, 50 at a time (storage.DefaultPageSize).
    await client.writeTuples(Array.from({ length: 60 }, (_, i) => ({ object: `doc:bulk-${i}`, relation: "viewer", user: ZOE })));
    const firstPage = await getChanges(storeId, "");
    expect((firstPage.body.changes as unknown[]).length).toBe(50);
  });

  it("reads from start_time, unless a token is given", async () => {
    const { storeId, client } = await freshStore();
    const early = new Date(Date.now() - 1000).toISOString();
    await client.writeTuples([{ object: FORECAST, relation: "owner", user: AUTH0 }]);
    await sleep(30);
    const between = new Date();
    await sleep(30);
    await client.writeTuples([{ object: REPORT, relation: "owner", user: ZOE }]);

    expect(described((await client.readChanges({ type: "", startTime: early })).changes)).toEqual([
      `write ${FORECAST}#owner@${AUTH0}`,
      `write ${REPORT}#owner@${ZOE}`,
    ]);
    expect(described((await client.readChanges({ type: "", startTime: between.toISOString() })).changes)).toEqual([`write ${REPORT}#owner@${ZOE}`]);
    // The same instant written with an offset, and with nanoseconds.
    const plusTwo = new Date(between.getTime() + 2 * 3600_000).toISOString().replace("Z", "000+02:00");
    expect(described((await client.readChanges({ type: "", startTime: plusTwo })).changes)).toEqual([`write ${REPORT}#owner@${ZOE}`]);
    // After the last change: nothing, and no token to hand back since none was sent.
    await sleep(5);
    expect(await client.readChanges({ type: "", startTime: new Date().toISOString() })).toMatchObject({ changes: [], continuation_token: "" });
    // 0001-01-01T00:00:00Z is Go's zero time, which OpenFGA reads as no start time.
    expect((await client.readChanges({ type: "", startTime: "0001-01-01T00:00:00Z" })).changes).toHaveLength(2);

    const firstOnly = await client.readChanges(undefined, { pageSize: 1 });
    const withToken = await client.readChanges({ type: "", startTime: early }, { continuationToken: firstOnly.continuation_token });
    expect(described(withToken.changes)).toEqual([`write ${REPORT}#owner@${ZOE}`]);

    const bad = async (startTime: string) => failure(client.readChanges({ type: "", startTime }));
    const words = await bad("yesterday");
    expect([words.statusCode, words.apiErrorCode]).toEqual([400, "validation_error"]);
    expect(words.apiErrorMessage).toContain('parsing field "start_time"');
    for (const text of ["2024-02-30T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-01-01t00:00:00z", "2024-01-01T24:00:00Z", "0000-06-01T00:00:00Z"]) {
      expect((await bad(text)).apiErrorCode, text).toBe("validation_error");
    }
    const future = await bad(new Date(Date.now() + 60_000).toISOString());
    expect([future.apiErrorCode, future.apiErrorMessage]).toEqual(["validation_error", "invalid ReadChangesRequest.StartTime: value must be less than now"]);
    // Before 1970 no ULID can be made from it: OpenFGA's invalid_start_time.
    const old = await bad("1969-12-31T23:59:59Z");
    expect([old.statusCode, old.apiErrorCode, old.apiErrorMessage]).toEqual([400, "invalid_start_time", "Invalid start time"]);
    expect((await getChanges(storeId, "start_time=1970-01-01T00:00:00Z")).body.changes).toHaveLength(2);
  });

  it("records nothing for a duplicate write or a missing delete that is ignored, nor for a failed request", async () => {
    const { client } = await freshStore();
    const owner = { object: FORECAST, relation: "owner", user: AUTH0 };
    const viewer = { object: REPORT, relation: "viewer", user: ZOE };
    await client.writeTuples([owner]);
    await client.write({ writes: [owner, viewer] }, { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } });
    await client.write({ deletes: [{ object: LONG, relation: "viewer", user: ZOE }, viewer] }, { conflict: { onMissingDeletes: ClientWriteRequestOnMissingDeletes.Ignore } });
    expect((await failure(client.writeTuples([{ object: LONG, relation: "owner", user: ZOE }, owner]))).apiErrorCode).toBe("write_failed_due_to_invalid_input");
    expect((await failure(client.deleteTuples([viewer]))).apiErrorCode).toBe("write_failed_due_to_invalid_input");

    expect(described((await client.readChanges()).changes)).toEqual([
      `write ${FORECAST}#owner@${AUTH0}`,
      `write ${REPORT}#viewer@${ZOE}`,
      `delete ${REPORT}#viewer@${ZOE}`,
    ]);
  });

  it("refuses what OpenFGA refuses, with its codes, statuses and messages", async () => {
    const { storeId, client } = await freshStore();
    await client.writeTuples([{ object: FORECAST, relation: "owner", user: AUTH0 }]);
    const read = (options: { pageSize?: number; continuationToken?: string }, type?: string) =>
      failure(client.readChanges(type === undefined ? undefined : { type }, options));

    // The proto's rule (gte: 1) fires first, with the generic code; the server's maximum has its own.
    const zero = await read({ pageSize: 0 });
    expect([zero.statusCode, zero.apiErrorCode, zero.apiErrorMessage]).toEqual([
      400,
      "validation_error",
      "invalid ReadChangesRequest.PageSize: value must be greater than or equal to 1",
    ]);
    const tooBig = await read({ pageSize: 101 });
    expect([tooBig.statusCode, tooBig.apiErrorCode, tooBig.apiErrorMessage]).toEqual([
      400,
      "page_size_invalid",
      "invalid ReadChangesRequest.PageSize: value must be inside range [1, 100]",
    ]);
    expect((await client.readChanges(undefined, { pageSize: 100 })).changes).toHaveLength(1);
    expect((await read({ pageSize: -3 })).apiErrorCode).toBe("validation_error");

    // Tokens: not base64 (unpadded, as Go's base64.URLEncoding refuses it), no "|", no ULID before it.
    const b64 = (text: string) => Buffer.from(text).toString("base64url").padEnd(Math.ceil(text.length / 3) * 4, "=");
    const { ulid } = decodeToken((await client.readChanges(undefined, { pageSize: 1 })).continuation_token);
    expect((await client.readChanges({ type: "x" }, { continuationToken: b64(`${ulid}|x`) })).changes).toEqual([]);
    const unpadded = b64(`${ulid}|x`).replace(/=+$/, "");
    for (const token of ["not-a-token", unpadded, b64("hello"), b64("|"), b64("NOT-A-ULID|"), b64(`${ulid.toLowerCase()}|`)]) {
      const error = await read({ continuationToken: token });
      expect([error.statusCode, error.apiErrorCode, error.apiErrorMessage], token).toEqual([400, "invalid_continuation_token", "Invalid continuation token"]);
    }
    // Characters outside the proto's token pattern are its validation_error.
    const pattern = await read({ continuationToken: "abc$def" });
    expect([pattern.apiErrorCode, pattern.apiErrorMessage]).toEqual([
      "validation_error",
      'invalid ReadChangesRequest.ContinuationToken: value does not match regex pattern "^$|^[A-Za-z0-9-_]+={0,2}$"',
    ]);
    expect((await read({ continuationToken: "A".repeat(5124) })).apiErrorCode).toBe("validation_error");
    // A token minted for another type is refused before its ulid is looked at.
    expect((await read({ continuationToken: b64("NOT-A-ULID|group") }, "doc")).apiErrorCode).toBe("query_string_type_continuation_token_mismatch");

    const badType = await read({}, "doc:1");
    expect([badType.apiErrorCode, badType.apiErrorMessage]).toEqual([
      "type_invalid_pattern",
      'invalid ReadChangesRequest.Type: value does not match regex pattern "^[^:#\\\\s]{1,254}$"',
    ]);
    expect((await read({}, "x".repeat(255))).apiErrorCode).toBe("type_invalid_pattern");
    // 254 characters, not UTF-16 units or bytes, as Go's regexp counts them.
    expect((await client.readChanges({ type: "😀".repeat(254) })).changes).toEqual([]);

    // The proto's rules are all reported, coded by the first.
    expect((await getChanges(storeId, "type=a%20b&page_size=0")).body).toEqual({
      code: "type_invalid_pattern",
      message:
        'invalid ReadChangesRequest.Type: value does not match regex pattern "^[^:#\\\\s]{1,254}$"; invalid ReadChangesRequest.PageSize: value must be greater than or equal to 1',
    });
    // What the HTTP gateway cannot parse.
    expect(await getChanges(storeId, "page_size=ten")).toEqual({
      status: 400,
      body: { code: "validation_error", message: 'parsing field "page_size": strconv.ParseInt: parsing "ten": invalid syntax' },
    });
    expect((await getChanges(storeId, "page_size=4294967297")).body).toMatchObject({ code: "validation_error" });
    expect(await getChanges(storeId, "type=doc&type=group")).toEqual({
      status: 400,
      body: { code: "validation_error", message: 'too many values for field "type": doc, group' },
    });

    const unknown = await failure(new OpenFgaClient({ apiUrl: fga.url, storeId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }).readChanges());
    expect([unknown.statusCode, unknown.apiErrorCode]).toEqual([404, "store_id_not_found"]);
    expect((await getChanges("not-a-store", "")).body).toMatchObject({ code: "validation_error" });
  });

  // Upstream's own case, tests/functional_test.go GRPCReadChangesTest, over HTTP: three pages of 50 writes.
  it("passes OpenFGA's GRPCReadChangesTest", async () => {
    const { client } = await freshStore();
    const writePage = (user: string) => client.writeTuples(Array.from({ length: 50 }, (_, i) => ({ object: `doc:${i}`, relation: "viewer", user })));
    await writePage("user:before");
    await sleep(2);
    const startTime = new Date().toISOString();
    await sleep(2);
    await writePage("user:after");
    await writePage("user:3rd");
    const continuationToken = (await client.readChanges(undefined, { pageSize: 100 })).continuation_token;

    const users = async (call: ReturnType<typeof client.readChanges>) => {
      const response = await call;
      expect(response.continuation_token).not.toBe("");
      return [...new Set(response.changes.map((c) => c.tuple_key.user))].concat(String(response.changes.length));
    };
    expect(await users(client.readChanges())).toEqual(["user:before", "50"]);
    expect(await users(client.readChanges(undefined, { continuationToken }))).toEqual(["user:3rd", "50"]);
    expect(await users(client.readChanges({ type: "", startTime }))).toEqual(["user:after", "50"]);
    expect(await users(client.readChanges({ type: "", startTime }, { continuationToken }))).toEqual(["user:3rd", "50"]);
    // A million hours before the start time: before 1970, so no ULID can be made of it.
    const longAgo = new Date(Date.parse(startTime) - 1_000_000 * 3600_000).toISOString();
    expect((await failure(client.readChanges({ type: "", startTime: longAgo }))).apiErrorCode).toBe("invalid_start_time");
  });

  it("forgets a deleted store's changes", async () => {
    const { storeId, client } = await freshStore();
    await client.writeTuples([{ object: FORECAST, relation: "owner", user: AUTH0 }]);
    const sql = postgres(pg.url, { max: 1 });
    try {
      const count = async () => (await sql<{ n: number }[]>`select count(*)::int as n from fga_changelog where store_id = ${storeId}`)[0]?.n;
      expect(await count()).toBe(1);
      await client.deleteStore();
      expect(await count()).toBe(0);
    } finally {
      await sql.end();
    }
  });
});

describe("protoTimestamp", () => {
  it("writes 0, 3 or 6 fractional digits, the fewest that lose nothing, as protojson does", () => {
    expect(protoTimestamp("2024-05-06T07:08:09.123456")).toBe("2024-05-06T07:08:09.123456Z");
    expect(protoTimestamp("2024-05-06T07:08:09.120000")).toBe("2024-05-06T07:08:09.120Z");
    expect(protoTimestamp("2024-05-06T07:08:09.000400")).toBe("2024-05-06T07:08:09.000400Z");
    expect(protoTimestamp("2024-05-06T07:08:09.000000")).toBe("2024-05-06T07:08:09Z");
  });
});

/** OpenFGA's token: padded URL-safe base64 of "<ulid>|<type>". */
function decodeToken(token: string | undefined = ""): { ulid: string; type: string } {
  expect(token).toMatch(/^[A-Za-z0-9\-_]+={0,2}$/);
  expect(token.length % 4).toBe(0);
  const [ulid = "", ...rest] = Buffer.from(token, "base64url").toString("utf8").split("|");
  expect(ulid).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  return { ulid, type: rest.join("|") };
}
