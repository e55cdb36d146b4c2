import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startSandbox } from "../../sandbox/start";
import { createDatabase as createFreshDatabase, dropDatabase } from "../../scripts/fresh-database";

/**
 * The app as production runs it: several `next start` instances of the build in .next, one real PostgreSQL, and a
 * load balancer giving them one public address (APP_BASE_URL, the address the identity server calls back to and
 * the origin the app's cross-site check expects). The other services are the sandbox's stand-ins, started once.
 * Tests reach the instances through the balancer, as a browser does, or each one directly, to race them.
 */

/** Stand-in ports: any free ones, so runs never collide with other suites. */
const ANY_FREE_PORT = { identity: 0, fga: 0, model: 0, providers: 0, shop: 0, postgres: 0 };
const READY_TIMEOUT_MS = 90_000;

/** A database of its own on the real server, created empty and dropped afterwards. */
export interface TestDatabase {
  name: string;
  url: string;
  /** A client for reading what the app stored. */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

export async function createDatabase(serverUrl: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomUUID().replaceAll("-", "")}`;
  const url = await createFreshDatabase(serverUrl, name);
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end();
      await dropDatabase(serverUrl, name);
    },
  };
}

/** Process groups of the instances still running: a test runner that exits without its teardown kills them too. */
const liveGroups = new Set<number>();
process.once("exit", () => {
  for (const group of liveGroups) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** One `next start` process. It can be killed abruptly and started again on the same port. */
export class AppInstance {
  readonly url: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private ready = false;
  /** The process's recent output, for the error when it does not come up. */
  private output: string[] = [];

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://localhost:${port}`;
  }

  /** Up and answering: from the first page it served until its process ends. */
  get serving(): boolean {
    return this.ready && this.child !== null;
  }

  /** Starts the server and waits until it answers a page. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`instance on ${this.url} is already running`);
    const next = path.resolve("node_modules/next/dist/bin/next");
    // Its own process group, so a kill reaches anything Next starts beneath it.
    const child: ChildProcess = spawn(process.execPath, [next, "start", "--hostname", "localhost", "--port", String(this.port)], {
      env: this.env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.ready = false;
    const group = child.pid!;
    liveGroups.add(group);
    this.output = [];
    const keep = (chunk: Buffer) => {
      this.output = [...this.output, ...chunk.toString().split("\n").filter(Boolean)].slice(-50);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.exited = new Promise((resolve) =>
      child.once("exit", () => {
        liveGroups.delete(group);
        if (this.child === child) {
          this.child = null;
          this.ready = false;
        }
        resolve();
      }),
    );
    await this.waitUntilReady();
  }

  /** SIGKILL: the process gets no chance to finish anything, as when a host dies. */
  async kill(): Promise<void> {
    if (!this.child?.pid) return;
    process.kill(-this.child.pid, "SIGKILL");
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.child?.pid) return;
    process.kill(-this.child.pid, "SIGTERM");
    await this.exited;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`next start on ${this.url} exited:\n${this.output.join("\n")}`);
      const status = await fetch(this.url, { redirect: "manual" }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) {
        this.ready = true;
        return;
      }
      if (status >= 500) throw new Error(`next start on ${this.url} answered ${status}:\n${this.output.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`next start on ${this.url} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${this.output.join("\n")}`);
  }
}

/**
 * A round-robin load balancer over the instances that are running, as a platform's router spreads one user's
 * requests over its instances: consecutive requests of the same page land on different processes.
 */
export class LoadBalancer {
  private next = 0;
  backends: AppInstance[] = [];
  /** One line per answered request: method, path and status, e.g. "POST /api/chat 409". */
  readonly log: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LoadBalancer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "localhost", resolve));
    const balancer = new LoadBalancer(server, `http://localhost:${(server.address() as AddressInfo).port}`);
    server.on("request", (incoming, outgoing) => {
      const backend = balancer.pick();
      if (!backend) {
        outgoing.writeHead(503).end("No instance is running.");
        return;
      }
      const upstream = forward(
        { hostname: "localhost", port: backend.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          balancer.log.push(`${incoming.method} ${incoming.url} ${answer.statusCode}`);
          outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(outgoing);
        },
      );
      upstream.on("error", () => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.destroy();
      });
      // A browser that goes away (Stop, a closed tab) aborts the request at the instance too.
      outgoing.on("close", () => upstream.destroy());
      incoming.pipe(upstream);
    });
    return balancer;
  }

  private pick(): AppInstance | undefined {
    const running = this.backends.filter((backend) => backend.serving);
    return running.length === 0 ? undefined : running[this.next++ % running.length];
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A free port on this machine, for an instance to listen on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "localhost", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Deployment {
  /** The public address: the balancer in front of every instance. */
  url: string;
  database: TestDatabase;
  instances: AppInstance[];
  /** The instances' environment: the stand-ins' addresses (SHOP_API_URL, ASYNC_AUTHORIZATION_APPROVAL_URL, …). */
  env: Record<string, string>;
  /** Every line the stand-ins logged: one per request they answered (method, path, status), nothing secret. */
  sandboxLog: string[];
  /** The balancer's log: one line per request it passed to an instance (method, path, status). */
  requestLog: string[];
  /**
   * Starts `count` more instances with this deployment's environment, all at once, not behind the balancer;
   * `databaseUrl` points them at another database.
   */
  startInstances(count: number, options?: { databaseUrl?: string }): Promise<AppInstance[]>;
  close(): Promise<void>;
}

/**
 * A fresh database on the real server at `serverUrl`, the stand-ins once, and `instances` app instances sharing one
 * environment (the same AUTH0_SECRET, so a session cookie is valid on every one) behind a balancer.
 */
export async function startDeployment({
  serverUrl,
  instances: instanceCount,
  env = {},
}: {
  serverUrl: string;
  instances: number;
  /** Settings for the app and the stand-ins, e.g. SANDBOX_CIBA_INTERVAL_SECONDS. */
  env?: Record<string, string>;
}): Promise<Deployment> {
  const cleanup: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  };
  try {
    const database = await createDatabase(serverUrl, "delegate_e2e");
    cleanup.push(database.drop);
    const balancer = await LoadBalancer.start();
    cleanup.push(() => balancer.close());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-instances-"));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));

    // Only what a server needs: nothing from the developer's own environment (.env.local, real keys) leaks in.
    const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NEXT_TELEMETRY_DISABLED: "1", ...env };
    const sandboxLog: string[] = [];
    const sandbox = await startSandbox({
      env: { ...base, DATABASE_URL: database.url, APP_BASE_URL: balancer.url },
      dataDir,
      ports: ANY_FREE_PORT,
      log: (line) => sandboxLog.push(line),
    });
    cleanup.push(sandbox.close);
    const appEnv = { ...base, ...sandbox.env, DATABASE_URL: database.url, APP_BASE_URL: balancer.url };

    const all: AppInstance[] = [];
    cleanup.push(() => Promise.all(all.map((instance) => instance.kill())).then(() => {}));
    const startInstances = async (count: number, options: { databaseUrl?: string } = {}) => {
      const env = { ...appEnv, ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}) };
      const started = await Promise.all(Array.from({ length: count }, async () => new AppInstance(await freePort(), env)));
      all.push(...started);
      await Promise.all(started.map((instance) => instance.start()));
      return started;
    };
    balancer.backends = await startInstances(instanceCount);

    return { url: balancer.url, database, instances: balancer.backends, env: appEnv, sandboxLog, requestLog: balancer.log, startInstances, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
