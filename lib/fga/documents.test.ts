import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenFgaClient } from "@openfga/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureModel, ensureStore } from "@/lib/fga/setup";
import { startFgaServer, type FgaServer } from "@/sandbox/fga/server";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { can, forgetDocument, listShares, listViewableDocuments, permittedAmong, recordOwner, share, unshare } from "./documents";

// Every question lib/fga/documents asks gates content or access, so each must ask FGA to bypass its caches.
// The app talks to the sandbox FGA through a recording proxy that keeps every request body.
let pg: SandboxPostgres;
let fga: FgaServer;
let proxy: Server;
const requests: { endpoint: string; body: Record<string, unknown> }[] = [];

function startRecordingProxy(target: string): Promise<string> {
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length > 0) requests.push({ endpoint: req.url!.split("/").pop()!, body: JSON.parse(body.toString()) as Record<string, unknown> });
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers: { "content-type": "application/json" }, body: body.length > 0 ? body : undefined });
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)));
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
  it("asks every check, batch-check, list and read with HIGHER_CONSISTENCY, and answers correctly", async () => {
    const doc = crypto.randomUUID();
    await recordOwner("auth0|alice", doc);
    await share(doc, { type: "user", sub: "auth0|bob" });
    requests.length = 0;

    expect(await can("auth0|bob", "can_view", doc)).toBe(true);
    expect(await can("auth0|bob", "can_share", doc)).toBe(false);
    expect(await permittedAmong("auth0|alice", "can_share", [doc, crypto.randomUUID()])).toEqual(new Set([doc]));
    expect(await listViewableDocuments("auth0|bob")).toEqual([doc]);
    expect(await listShares(doc)).toEqual([{ type: "user", sub: "auth0|bob" }]);
    await unshare(doc, { type: "user", sub: "auth0|bob" });
    expect(await can("auth0|bob", "can_view", doc)).toBe(false);
    await forgetDocument(doc);
    expect(await can("auth0|alice", "can_view", doc)).toBe(false);

    const queries = requests.filter((r) => r.endpoint !== "write");
    expect(new Set(queries.map((r) => r.endpoint))).toEqual(new Set(["check", "batch-check", "list-objects", "read"]));
    for (const query of queries) expect(query.body.consistency, query.endpoint).toBe("HIGHER_CONSISTENCY");
  });
});
