import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

/**
 * A PostgreSQL 15 server of a test's own (Debian's postgresql-15 with pgvector, as `.ci/run` installs them and
 * scripts/pooler-postgres.sh uses them), for tests that stop and restart the database under the app: restarting a
 * server other tests share would break them. Neither initdb nor postgres runs as root, so as root they run as the
 * `postgres` user.
 */
const BIN = "/usr/lib/postgresql/15/bin";
const run = promisify(execFile);
const asOwner = (command: string, args: string[]) =>
  process.getuid?.() === 0 ? run("runuser", ["-u", "postgres", "--", path.join(BIN, command), ...args]) : run(path.join(BIN, command), args);

export const realPostgresInstalled = existsSync(path.join(BIN, "pg_ctl"));

export interface RealPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres, with the vector extension created. */
  url: string;
  /** pg_ctl stop -m fast: every connection is ended, as on a restart or failover. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data. */
  close(): Promise<void>;
}

export async function startRealPostgres(): Promise<RealPostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "delegate-real-pg-"));
  if (process.getuid?.() === 0) await chown(dir, ...(await postgresIds()));
  const data = path.join(dir, "data");
  await asOwner("initdb", ["-D", data, "-U", "postgres", "-A", "trust"]);
  const port = await freePort();
  const start = async () => {
    await asOwner("pg_ctl", ["-D", data, "-l", path.join(dir, "postgres.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
  };
  const stop = async () => {
    await asOwner("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin`create extension if not exists vector`;
  await admin.end();
  return {
    url,
    stop,
    start,
    async close() {
      await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run("id", ["postgres"]);
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  if (!uid || !gid) throw new Error("no postgres user");
  return [Number(uid), Number(gid)];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
