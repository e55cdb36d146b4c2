import { createServer, type Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, expect, test } from "vitest";
import { clearFaults, faultRoutes, injectFault } from "./faults";
import { listen } from "./http";

let server: Server;
let origin: string;

beforeAll(async () => {
  const app = express();
  app.use(express.text({ type: "application/x-www-form-urlencoded" }));
  app.use(faultRoutes());
  app.all("/{*rest}", (_req, res) => void res.json({ own: true }));
  server = createServer(app);
  origin = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const form = (body: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(body).toString(),
});

test("a queued fault answers matching requests the given number of times, then the service answers again", async () => {
  await injectFault(origin, {
    method: "post",
    path: "/oauth/token",
    params: { connection: "github" },
    status: 429,
    headers: { "retry-after": "3" },
    body: { error: "too_many_requests" },
    times: 2,
  });
  const other = await fetch(`${origin}/oauth/token`, form({ connection: "google-oauth2" }));
  expect(await other.json()).toEqual({ own: true });
  for (let i = 0; i < 2; i++) {
    const faulted = await fetch(`${origin}/oauth/token`, form({ connection: "github" }));
    expect(faulted.status).toBe(429);
    expect(faulted.headers.get("retry-after")).toBe("3");
    expect(await faulted.json()).toEqual({ error: "too_many_requests" });
  }
  expect(await (await fetch(`${origin}/oauth/token`, form({ connection: "github" }))).json()).toEqual({ own: true });
});

test("query parameters match too, and DELETE clears the queue", async () => {
  await injectFault(origin, { path: "/list", params: { cursor: "abc" }, status: 500 });
  expect((await fetch(`${origin}/list?cursor=xyz`)).status).toBe(200);
  await clearFaults(origin);
  expect((await fetch(`${origin}/list?cursor=abc`)).status).toBe(200);
});

test("a malformed fault is refused with the reason", async () => {
  await expect(injectFault(origin, { path: "no-slash", status: 99 })).rejects.toThrow(/fault refused: 400/);
});
