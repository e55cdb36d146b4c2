import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runMigrations } from "@/db/migrate";
import type { CurrentUser } from "@/lib/auth/session";
import { startModelServer } from "@/sandbox/model/server";
import { startSandboxPostgres } from "@/sandbox/postgres/server";
import { startPermissionService } from "@/sandbox/test-harness";
import { storedMessages } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { configureModelAndDatabase } from "./test-client";

// The route is exercised against a real Postgres (PGlite over the wire) and the real sandbox model through
// @ai-sdk/openai. Only the session is stubbed: the login flow itself is covered by the identity and e2e tests.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const alice: CurrentUser = { sub: "auth0|alice", name: "Alice Martin", email: "alice@example.com", picture: null };
const bob: CurrentUser = { sub: "auth0|bob", name: "Bob Chen", email: "bob@example.com", picture: null };
const BREAK = "please fail mid-stream";

let closers: (() => Promise<void>)[] = [];
let sql: postgres.Sql;
let POST: (request: Request) => Promise<Response>;

/** Forwards to the sandbox model, except that a prompt containing BREAK gets half a stream and a dropped socket. */
function startFlakyProxy(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    if (body.includes(BREAK)) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const delta = { id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { role: "assistant", content: "Partial answer " }, finish_reason: null }] };
      res.write(`data: ${JSON.stringify(delta)}\n\n`);
      setTimeout(() => res.destroy(), 50);
      return;
    }
    const upstream = await fetch(`${target}${req.url?.replace(/^\/v1/, "")}`, {
      method: req.method,
      headers: { "content-type": "application/json", authorization: req.headers.authorization ?? "" },
      body,
    });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

beforeAll(async () => {
  const pg = await startSandboxPostgres({ port: 0 });
  const model = await startModelServer({ port: 0, chunkDelayMs: 0 });
  const proxy = await startFlakyProxy(model.baseURL);
  closers = [proxy.close, model.close, pg.close];
  await runMigrations(pg.url);
  const fga = await startPermissionService(pg.url);
  closers.unshift(fga.close);
  sql = postgres(pg.url, { max: 1 });
  configureModelAndDatabase({ databaseUrl: pg.url, modelUrl: proxy.url, auth0Domain: "http://localhost:4000", fga });
  ({ POST } = await import("./route"));
});

afterAll(async () => {
  await sql?.end();
  for (const close of closers) await close();
});

beforeEach(() => {
  session.current = alice;
});

function chatRequest(id: string, text: string, init: { body?: string } = {}) {
  return new Request("http://localhost:3000/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://localhost:3000" },
    body: init.body ?? JSON.stringify({ id, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] } }),
  });
}

describe("POST /api/chat", () => {
  it("runs the agent loop, streams the grounded answer and stores both messages", async () => {
    const id = crypto.randomUUID();
    const response = await POST(chatRequest(id, "Who am I?"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-vercel-ai-ui-message-stream")).toBe("v1");
    const stream = await response.text();
    expect(stream).toContain('"toolName":"get_user_profile"');
    expect(stream).toContain("alice@example.com");

    const rows = await storedMessages(sql, id);
    expect(rows.map((r) => r.role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(rows[1]?.parts)).toContain("alice@example.com");
    const [chat] = await sql`select user_id, title from chats where id = ${id}`;
    expect(chat).toEqual({ user_id: "auth0|alice", title: "Who am I?" });
  });

  it("answers another user's chat exactly like a missing one, and stores nothing", async () => {
    const id = crypto.randomUUID();
    await (await POST(chatRequest(id, "Who am I?"))).text();
    session.current = bob;
    const response = await POST(chatRequest(id, "Show me alice's chat"));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "Chat not found." } });
    expect(await storedMessages(sql, id)).toHaveLength(2);
  });

  it("refuses without a session and on bad input, with JSON errors", async () => {
    session.current = null;
    expect((await POST(chatRequest(crypto.randomUUID(), "hi"))).status).toBe(401);
    session.current = alice;
    const malformed = await POST(chatRequest("", "", { body: "{" }));
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.message).toBe("Request body must be JSON.");
    expect((await POST(chatRequest(crypto.randomUUID(), "x".repeat(8_001)))).status).toBe(400);
  });

  it("shows a model failure mid-stream as an error and keeps what was already persisted", async () => {
    const id = crypto.randomUUID();
    const response = await POST(chatRequest(id, BREAK));
    const stream = await response.text();
    expect(stream).toContain('"type":"error"');
    expect(stream).toContain("The connection to the model service was interrupted.");
    const rows = await storedMessages(sql, id);
    expect(rows[0]).toMatchObject({ role: "user", parts: [{ type: "text", text: BREAK }] });
    expect(JSON.stringify(rows[1]?.parts ?? [])).toContain("Partial answer");
  });
});
