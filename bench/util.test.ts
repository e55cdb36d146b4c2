import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freeSandboxBase, sandboxEnv } from "./util";

const servers: Server[] = [];
const listen = (port: number, host?: string) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once("error", reject).listen({ port, host }, resolve);
  });
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A base whose sandbox ports nobody here uses: the test's own servers are the only ones it starts. */
async function quietBase() {
  return { base: await freeSandboxBase(20_000 + (process.pid % 500) * 10) };
}

describe("freeSandboxBase", () => {
  it("keeps the preferred base when every port of its sandbox is free", async () => {
    const { base } = await quietBase();
    expect(await freeSandboxBase(base)).toBe(base);
  });

  it("moves past a base one of whose ports is taken, on loopback or on every address", async () => {
    const { base } = await quietBase();
    await listen(Number(sandboxEnv(base).SANDBOX_MODEL_PORT), "127.0.0.1");
    const next = await freeSandboxBase(base);
    expect(next).toBeGreaterThan(base);
    await listen(Number(sandboxEnv(next).PORT));
    const after = await freeSandboxBase(base);
    expect(after).toBeGreaterThan(next);
    // Every port of what it picks can be listened on.
    await Promise.all(Object.values(sandboxEnv(after)).map((port) => listen(Number(port))));
  });

  it("says how to move the ports when it finds no free set", async () => {
    const { base } = await quietBase();
    await listen(Number(sandboxEnv(base).SANDBOX_POSTGRES_PORT));
    await expect(freeSandboxBase(base, 1)).rejects.toThrow(`No free set of sandbox ports from ${base} to ${base}; set E2E_PORT_OFFSET to move them.`);
  });
});
