import { defineConfig } from "@playwright/test";
import { databaseUrl } from "./scripts/fresh-database";

/**
 * End-to-end tests run against a production build (`next build` + `next start`) with the sandbox, on ports of
 * their own so a running `npm run dev` does not interfere. CHROMIUM_PATH points at another Chromium if needed.
 *
 * Two servers: the normal sandbox for every spec but injection.spec.ts, and one whose sandbox model is the gullible
 * one (SANDBOX_MODEL=gullible), which obeys instructions planted in tool results, for the prompt-injection suite.
 * With TEST_DIRECT_DATABASE_URL set (CI sets it; `scripts/pooler-postgres.sh start` prints it) a third server runs the
 * normal sandbox on a fresh database of that real PostgreSQL, for e2e/postgres-smoke.spec.ts.
 * multi-instance.spec.ts starts its own: two instances of the build on a real PostgreSQL (TEST_DIRECT_DATABASE_URL).
 */
/** E2E_PORT_OFFSET moves every port, so two checkouts can run their suites side by side. */
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0);
/** The gullible model's server sits 10 ports further unless E2E_GULLIBLE_PORT_OFFSET says otherwise. */
const gullibleOffset = Number(process.env.E2E_GULLIBLE_PORT_OFFSET ?? offset + 10);

const appURL = (portOffset: number) => `http://localhost:${3100 + portOffset}`;
export const baseURL = appURL(offset);
/** The sandbox identity server of the test run (its authenticator page stands in for the user's phone). */
export const identityURL = `http://localhost:${4100 + offset}`;
export const shopURL = `http://127.0.0.1:${4104 + offset}`;
/** The sandbox Postgres of the test run (PGlite served over a socket; SANDBOX_POSTGRES_PORT below). */
export const databaseURL = `postgres://postgres:postgres@127.0.0.1:${5533 + offset}/postgres`;
/** DELEGATE_DATA_DIR of the test run's server. */
export const serverDataDir = ".data/e2e";
/** Everything the test run's app and sandbox print (DELEGATE_LOG_FILE), written as it is printed. */
export const serverLogFile = `${serverDataDir}/server.log`;
/** The sandbox model of the test run, for its stream cuts (sandbox/model/stream-cuts.ts). */
export const modelURL = `http://127.0.0.1:${4102 + offset}/v1`;
/** The same three for the server whose model obeys injected instructions (e2e/injection.spec.ts). */
export const gullible = {
  baseURL: appURL(gullibleOffset),
  identityURL: `http://localhost:${4100 + gullibleOffset}`,
  shopURL: `http://127.0.0.1:${4104 + gullibleOffset}`,
};

/**
 * The real PostgreSQL server for the smoke, and the database the run creates on it: named once by the runner, whose
 * environment the workers inherit, so the spec reads the rows of the very server it tests.
 */
const postgresServerUrl = process.env.TEST_DIRECT_DATABASE_URL?.trim();
if (postgresServerUrl) process.env.E2E_POSTGRES_DATABASE ??= `delegate_e2e_${Date.now()}_${process.pid}`;
const postgresOffset = Number(process.env.E2E_POSTGRES_PORT_OFFSET ?? offset + 20);
export const postgresSmoke = postgresServerUrl
  ? {
      baseURL: appURL(postgresOffset),
      identityURL: `http://localhost:${4100 + postgresOffset}`,
      shopURL: `http://127.0.0.1:${4104 + postgresOffset}`,
      database: process.env.E2E_POSTGRES_DATABASE!,
      databaseUrl: databaseUrl(postgresServerUrl, process.env.E2E_POSTGRES_DATABASE!),
    }
  : undefined;

/** The app with its sandbox, every port moved by `portOffset`, data under its own folder; `prepare` runs first. */
function sandboxServer(portOffset: number, dataDir: string, env: Record<string, string> = {}, prepare: string[] = []) {
  return {
    command: [`rm -rf ${dataDir}`, ...prepare, "tsx scripts/dev.ts start"].join(" && "),
    url: appURL(portOffset),
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe" as const,
    env: {
      PORT: String(3100 + portOffset),
      DELEGATE_DATA_DIR: dataDir,
      // Everything the app and its sandbox print, for e2e/zz-logs.spec.ts to search for secrets.
      DELEGATE_LOG_FILE: `${dataDir}/server.log`,
      SANDBOX_IDENTITY_PORT: String(4100 + portOffset),
      SANDBOX_FGA_PORT: String(4101 + portOffset),
      SANDBOX_MODEL_PORT: String(4102 + portOffset),
      SANDBOX_PROVIDERS_PORT: String(4103 + portOffset),
      SANDBOX_POSTGRES_PORT: String(5533 + portOffset),
      SANDBOX_SHOP_PORT: String(4104 + portOffset),
      SANDBOX_CIBA_INTERVAL_SECONDS: "1",
      ASYNC_AUTHORIZATION_EXPIRY_SECONDS: "15",
      ...env,
    },
  };
}

const INJECTION_SPEC = /injection\.spec\.ts$/;
const POSTGRES_SPEC = /postgres-smoke\.spec\.ts$/;
/** Starts its own database, stand-ins and `next start` instances (e2e/support/app-instances.ts); needs a real Postgres. */
const MULTI_INSTANCE_SPEC = /multi-instance\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? "list" : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    { name: "sandbox", testIgnore: [INJECTION_SPEC, POSTGRES_SPEC, MULTI_INSTANCE_SPEC] },
    { name: "gullible-model", testMatch: INJECTION_SPEC, use: { baseURL: gullible.baseURL } },
    ...(postgresSmoke ? [{ name: "postgres", testMatch: POSTGRES_SPEC, use: { baseURL: postgresSmoke.baseURL } }] : []),
    { name: "multi-instance", testMatch: MULTI_INSTANCE_SPEC, timeout: 90_000 },
    // `npm run screenshots` only: it rewrites public/screenshots/.
    ...(process.env.README_SCREENSHOTS ? [{ name: "screenshots", testMatch: /readme-screenshots\.ts$/ }] : []),
  ],
  webServer: [
    sandboxServer(offset, serverDataDir),
    sandboxServer(gullibleOffset, ".data/e2e-gullible", { SANDBOX_MODEL: "gullible" }),
    ...(postgresSmoke
      ? [
          sandboxServer(postgresOffset, ".data/e2e-postgres", { DATABASE_URL: postgresSmoke.databaseUrl }, [
            `tsx scripts/fresh-database.ts "$TEST_DIRECT_DATABASE_URL" ${postgresSmoke.database}`,
          ]),
        ]
      : []),
  ],
});
