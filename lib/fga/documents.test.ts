import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenFgaClient } from "@openfga/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureModel, ensureStore } from "@/lib/fga/setup";
import { startFgaServer, type FgaServer } from "@/sandbox/fga/server";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { getFga } from "./client";
import {
  can,
  FgaUnavailableError,
  forgetDocument,
  listPermittedDocuments,
  listShares,
  listSharesOfEach,
  listViewableDocuments,
  recordOwner,
  share,
  unshare,
} from "./documents";

// Every question lib/fga/documents asks gates content or access, so each must ask FGA to bypass its caches.
// The app talks to the sandbox FGA through a recording proxy that keeps every request body, counts the requests in
// flight, and can break a streamed list part-way.
let pg: SandboxPostgres;
let fga: FgaServer;
let proxy: Server;
const requests: { endpoint: string; body: Record<string, unknown> }[] = [];
const inFlight = { now: 0, most: 0 };
/** How the proxy breaks the next streamed lists: after their first two lines, cut the connection or add an error line. */
let breakStream: "cut" | "error line" | undefined;

function startRecordingProxy(target: string): Promise<string> {
  proxy = createServer(async (req, res) => {
    inFlight.most = Math.max(inFlight.most, ++inFlight.now);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const endpoint = req.url!.split("/").pop()!;
    if (body.length > 0) requests.push({ endpoint, body: JSON.parse(body.toString()) as Record<string, unknown> });
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers: { "content-type": "application/json" }, body: body.length > 0 ? body : undefined });
    const answer = Buffer.from(await upstream.arrayBuffer());
    inFlight.now--;
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    if (!breakStream || endpoint !== "streamed-list-objects") {
      res.end(answer);
      return;
    }
    res.write(`${answer.toString().split("\n").slice(0, 2).join("\n")}\n`);
    if (breakStream === "cut") setTimeout(() => res.socket?.destroy(), 20);
    else res.end(`${JSON.stringify({ error: { code: 4000, message: "Internal Server Error" } })}\n`);
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)));
}

/** Writes tuples a hundred at a time, FGA's limit per write. */
async function writeAll(tuples: { user: string; relation: string; object: string }[]) {
  for (let i = 0; i < tuples.length; i += 100) await getFga().write({ writes: tuples.slice(i, i + 100) });
}

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  fga = await startFgaServer({ port: 0, databaseUrl: pg.url, log: () => {} });
  const { storeId } = await ensureStore(fga.url, "consistency");
  await ensureModel(new OpenFgaClient({ apiUrl: fga.url, storeId }));
  Object.assign(process.env, {
    FGA_API_URL: await startRecordingProxy(fga.url),
    FGA_STORE_ID: storeId,
    // Not used here, but part of a valid configuration.
    DATABASE_URL: pg.url,
    OPENAI_API_KEY: "unused",
    AUTH0_DOMAIN: "http://127.0.0.1:9",
    AUTH0_CLIENT_ID: "unused",
    AUTH0_CLIENT_SECRET: "unused",
    AUTH0_SECRET: "9d2f6b1e8c4a7035e1b9f2d6c8a40e57b3c9d1f0a6e2847b5c3d9e1f07a2b6c4",
    APP_BASE_URL: "http://localhost:3000",
  });
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await fga?.close();
  await pg?.close();
});

describe("document permissions", () => {
  it("asks every check, list and read with HIGHER_CONSISTENCY, and answers correctly", async () => {
    const doc = crypto.randomUUID();
    await recordOwner("auth0|alice", doc);
    await share(doc, { type: "user", sub: "auth0|bob" });
    requests.length = 0;

    expect(await can("auth0|bob", "can_view", doc)).toBe(true);
    expect(await can("auth0|bob", "can_share", doc)).toBe(false);
    expect(await listViewableDocuments("auth0|bob")).toEqual([doc]);
    expect(await listShares(doc)).toEqual([{ type: "user", sub: "auth0|bob" }]);
    await unshare(doc, { type: "user", sub: "auth0|bob" });
    expect(await can("auth0|bob", "can_view", doc)).toBe(false);
    await forgetDocument(doc);
    expect(await can("auth0|alice", "can_view", doc)).toBe(false);

    const queries = requests.filter((r) => r.endpoint !== "write");
    expect(new Set(queries.map((r) => r.endpoint))).toEqual(new Set(["check", "streamed-list-objects", "read"]));
    for (const query of queries) expect(query.body.consistency, query.endpoint).toBe("HIGHER_CONSISTENCY");
  });

  it("lists every document past list-objects' 1,000-result cap: owned, shared with a group, shared with everyone", async () => {
    const zoe = "auth0|zoë.müller-o'brien";
    const owned = Array.from({ length: 700 }, () => crypto.randomUUID());
    const viaGroup = Array.from({ length: 400 }, () => crypto.randomUUID());
    const everyone = crypto.randomUUID();
    const group = "group:équipe_paris_(2026)";
    await writeAll([
      { user: `user:${zoe}`, relation: "member", object: group },
      ...owned.map((id) => ({ user: `user:${zoe}`, relation: "owner", object: `doc:${id}` })),
      ...viaGroup.map((id) => ({ user: `${group}#member`, relation: "viewer", object: `doc:${id}` })),
      { user: "user:*", relation: "viewer", object: `doc:${everyone}` },
    ]);
    requests.length = 0;

    const viewable = await listViewableDocuments(zoe);
    expect(viewable).toHaveLength(new Set(viewable).size);
    expect(new Set(viewable)).toEqual(new Set([...owned, ...viaGroup, everyone]));
    expect(new Set(await listPermittedDocuments(zoe, "can_share"))).toEqual(new Set(owned));
    expect(requests.map((r) => [r.endpoint, r.body.consistency])).toEqual([
      ["streamed-list-objects", "HIGHER_CONSISTENCY"],
      ["streamed-list-objects", "HIGHER_CONSISTENCY"],
    ]);
  });

  it.each(["cut", "error line"] as const)("fails closed when the stream breaks part-way (%s), never answering with the documents so far", async (fault) => {
    const yan = `auth0|yan.łukasz+${fault.replace(" ", "-")}@example.com`;
    const documents = Array.from({ length: 5 }, () => crypto.randomUUID());
    await writeAll(documents.map((id) => ({ user: `user:${yan}`, relation: "owner", object: `doc:${id}` })));
    breakStream = fault;
    try {
      await expect(listPermittedDocuments(yan, "can_share")).rejects.toBeInstanceOf(FgaUnavailableError);
    } finally {
      breakStream = undefined;
    }
    expect(new Set(await listPermittedDocuments(yan, "can_share"))).toEqual(new Set(documents));
  });

  it("reads the shares of many documents at most eight at a time", async () => {
    const documents = Array.from({ length: 30 }, () => crypto.randomUUID());
    await writeAll(documents.map((id, i) => ({ user: `user:auth0|reader-${i % 3}`, relation: "viewer", object: `doc:${id}` })));
    inFlight.most = 0;

    const shares = await listSharesOfEach(documents);
    expect([...shares.keys()]).toEqual(documents);
    documents.forEach((id, i) => expect(shares.get(id)).toEqual([{ type: "user", sub: `auth0|reader-${i % 3}` }]));
    expect(inFlight.most).toBeLessThanOrEqual(8);
    expect(inFlight.most).toBeGreaterThan(1);
  });
});
