import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { spawn } from "node:child_process";
import { OpenFgaClient } from "@openfga/sdk";
import { connect, databaseSettings } from "../db/client";
import { runMigrations } from "../db/migrate";
import { ensureModel, ensureStore } from "../lib/fga/setup";
import { startFgaServer } from "./fga/server";
import { defaultChatApiAudience, defaultMcpAudience, delegateApiSetup } from "./identity/delegate-apis";
import { startIdentityServer } from "./identity/server";
import { SANDBOX_CHAT_MODEL, SANDBOX_EMBEDDING_MODEL, SANDBOX_GULLIBLE_MODEL } from "./model/models";
import { startModelServer } from "./model/server";
import { sandboxPorts } from "./ports";
import { startProviderApis } from "./providers/server";
import { SHOP_API_REGISTRATION } from "./shop/api";
import { startShopApi } from "./shop/server";
import { startSandboxPostgres } from "./postgres/server";

export interface Sandbox {
  /** Variables to add to the app's environment: the sandbox's addresses for every service left unset. */
  env: Record<string, string>;
  /** The stand-ins started, e.g. ["identity", "model", "database"]. */
  services: string[];
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;

const isSet = (env: Env, name: string) => Boolean(env[name]?.trim());
const PROVIDER_URLS = ["GOOGLE_API_URL", "GITHUB_API_URL", "SLACK_API_URL"];
const SHOP_AUDIENCE = "urn:delegate-sandbox:shop";

/**
 * Starts a local stand-in for each service whose variables are absent, and returns the variables that
 * point the app at them. A service that is partly configured is left alone, so the app's own validation
 * names the missing variable instead of silently falling back to the sandbox.
 */
export async function startSandbox({
  env,
  dataDir,
  ports = sandboxPorts,
  log = (line) => console.log(line),
}: {
  env: Env;
  dataDir: string;
  /** Where each stand-in listens; 0 picks a free port (tests). */
  ports?: Record<keyof typeof sandboxPorts, number>;
  log?: (line: string) => void;
}): Promise<Sandbox> {
  const added: Record<string, string> = {};
  const services: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const appBaseUrl = env.APP_BASE_URL ?? `http://localhost:${env.PORT ?? 3000}`;
  if (!isSet(env, "APP_BASE_URL")) added.APP_BASE_URL = appBaseUrl;
  await mkdir(dataDir, { recursive: true });

  try {
    if (!isSet(env, "DATABASE_URL")) {
      const postgres = await startSandboxPostgres({ port: ports.postgres, dataDir: path.join(dataDir, "postgres") });
      closers.push(postgres.close);
      await runMigrations(postgres.url);
      added.DATABASE_URL = postgres.url;
      services.push("database");
      log(`[sandbox] Postgres (PGlite + pgvector) on ${postgres.url} — set DATABASE_URL for a real Postgres`);
    } else {
      // A configured database may be fresh: bring it up to date before the FGA stand-in or the seeding touch it. The
      // server migrates again when it starts; runMigrations is safe to run twice and concurrently.
      await runMigrations(env.DATABASE_MIGRATION_URL?.trim() || env.DATABASE_URL!);
    }

    if (!["AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"].some((name) => isSet(env, name))) {
      const clientId = "delegate-app";
      const clientSecret = await persistentSecret(path.join(dataDir, "identity-client-secret"));
      // The app's own APIs keep the audiences a deployer chose, so the sandbox issues tokens the app accepts.
      const { apis, identityOptions, env: apiEnv } = delegateApiSetup({
        mcpAudience: env.AUTH0_MCP_AUDIENCE?.trim() || defaultMcpAudience(appBaseUrl),
        chatApiAudience: env.AUTH0_API_AUDIENCE?.trim() || defaultChatApiAudience(appBaseUrl),
        mcpClientSecret: await persistentSecret(path.join(dataDir, "identity-mcp-api-client-secret")),
        chatClientSecret: await persistentSecret(path.join(dataDir, "identity-chat-api-client-secret")),
      });
      const identity = await startIdentityServer({
        port: ports.identity,
        appBaseUrl,
        dataDir: path.join(dataDir, "identity"),
        clientId,
        clientSecret,
        apiAudiences: { [SHOP_AUDIENCE]: SHOP_API_REGISTRATION, ...apis.apiAudiences },
        ...identityOptions,
        cibaIntervalSeconds: Number(env.SANDBOX_CIBA_INTERVAL_SECONDS ?? 5),
        log,
      });
      closers.push(identity.close);
      added.ASYNC_AUTHORIZATION_APPROVAL_URL = `${identity.issuer}authenticator`;
      Object.assign(added, {
        AUTH0_DOMAIN: identity.issuer.replace(/\/$/, ""),
        AUTH0_CLIENT_ID: clientId,
        AUTH0_CLIENT_SECRET: clientSecret,
        ...apiEnv,
      });
      services.push("identity");
      log(`[sandbox] Identity server (not Auth0) on ${identity.issuer} — set AUTH0_* for a real tenant`);

      // Sandbox provider APIs accept only tokens from the sandbox identity server, so they come with it.
      if (!PROVIDER_URLS.some((name) => isSet(env, name))) {
        const providers = await startProviderApis({ port: ports.providers, issuer: identity.issuer, log });
        closers.push(providers.close);
        Object.assign(added, {
          GOOGLE_API_URL: providers.baseUrls.google,
          GITHUB_API_URL: providers.baseUrls.github,
          SLACK_API_URL: providers.baseUrls.slack,
        });
        services.push("providers");
        log(`[sandbox] Google, GitHub and Slack stand-ins on ${providers.baseUrls.google.replace(/\/google$/, "")}`);
      }

      // Likewise the shop: it accepts only access tokens the sandbox identity server issued through CIBA.
      if (!isSet(env, "SHOP_API_URL")) {
        const shop = await startShopApi({ port: ports.shop, issuer: identity.issuer, audience: SHOP_AUDIENCE, log });
        closers.push(shop.close);
        Object.assign(added, { SHOP_API_URL: shop.url, SHOP_API_AUDIENCE: SHOP_AUDIENCE });
        services.push("shop");
        log(`[sandbox] Shop (not a real store) on ${shop.url}; approve purchases at ${identity.issuer}authenticator`);
      }
    }
    if (!isSet(env, "AUTH0_SECRET")) added.AUTH0_SECRET = await persistentSecret(path.join(dataDir, "auth0-secret"));

    if (!isSet(env, "OPENAI_API_KEY")) {
      const chatModel = sandboxChatModel(env.SANDBOX_MODEL);
      const model = await startModelServer({ port: ports.model, log });
      closers.push(model.close);
      Object.assign(added, {
        OPENAI_API_KEY: "sandbox",
        OPENAI_BASE_URL: model.baseURL,
        OPENAI_MODEL: chatModel,
        OPENAI_EMBEDDING_MODEL: SANDBOX_EMBEDDING_MODEL,
      });
      services.push("model");
      log(`[sandbox] Sandbox model on ${model.baseURL} — set OPENAI_API_KEY for a real LLM`);
      if (chatModel === SANDBOX_GULLIBLE_MODEL) {
        log("[sandbox] SANDBOX_MODEL=gullible: the model obeys instructions it finds in tool results, to test defences against prompt injection");
      }
    }
    if (!isSet(env, "FGA_API_URL")) {
      const { url: databaseUrl, preparedStatements } = databaseSettings({ ...env, ...added });
      // Under the lock from the start: the FGA stand-in creates its tables, and two `create table if not exists` at
      // once can both try to create the table's type (duplicate key on pg_type).
      const startFgaWithStoreAndSamples = async () => {
        const fga = await startFgaServer({ port: ports.fga, databaseUrl, preparedStatements, log });
        closers.push(fga.close);
        const { storeId } = await ensureStore(fga.url, "delegate");
        const { modelId } = await ensureModel(new OpenFgaClient({ apiUrl: fga.url, storeId }));
        // Pinned, as README advises for a deployment: a listing trusted by FGA's changelog needs the model not to change.
        Object.assign(added, { FGA_API_URL: fga.url, FGA_STORE_ID: storeId, FGA_MODEL_ID: modelId });
        // Every start, not only when the store is new: a start that stopped half-way (a crash, a database that was
        // not migrated) must not leave the samples missing for good. Seeding adds only what is missing.
        await seedDocuments({ ...env, ...added });
      };
      if (added.DATABASE_URL) await startFgaWithStoreAndSamples();
      else await whileLocked(env.DATABASE_MIGRATION_URL?.trim() || env.DATABASE_URL!, startFgaWithStoreAndSamples);
      services.push("fga");
      log(`[sandbox] OpenFGA-compatible authorization on ${added.FGA_API_URL} (store ${added.FGA_STORE_ID}) — set FGA_* for OpenFGA or Auth0 FGA`);
    }
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    throw error;
  }

  if (services.length > 0) added.SANDBOX_SERVICES = services.join(",");
  return {
    env: added,
    services,
    close: async () => {
      await Promise.allSettled(closers.reverse().map((close) => close()));
    },
  };
}

/** Arbitrary constant, next to db/migrate.ts's: one sandbox at a time sets up the FGA store and samples on a database. */
const SETUP_LOCK_ID = 7_230_402;

/**
 * Runs `setUp` holding a lock on a configured database, so sandboxes starting together on it create the FGA tables,
 * one FGA store and one set of samples once. The lock belongs to a transaction kept open meanwhile, which also holds through a
 * transaction pooler. The sandbox's own PGlite needs none (one process at a time owns its data directory), and
 * must not get one: its connections share one backend, so an open transaction would hold up the seeding's own.
 */
async function whileLocked(databaseUrl: string, setUp: () => Promise<void>): Promise<void> {
  const { sql } = connect(databaseUrl, { max: 1, preparedStatements: false });
  try {
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${SETUP_LOCK_ID})`;
      await setUp();
    });
  } finally {
    await sql.end();
  }
}

/**
 * SANDBOX_MODEL picks the scripted model: unset or "planner" for the normal one, "gullible" for one that obeys
 * instructions planted in tool results (the attacker's best case). The app only ever sees OPENAI_MODEL.
 */
function sandboxChatModel(choice: string | undefined): string {
  const models: Record<string, string> = { planner: SANDBOX_CHAT_MODEL, gullible: SANDBOX_GULLIBLE_MODEL };
  const name = choice?.trim() || "planner";
  const model = models[name];
  if (!model) throw new Error(`SANDBOX_MODEL must be one of ${Object.keys(models).join(", ")} (got "${name}").`);
  return model;
}

/** A random secret generated once and kept under the data dir, so sessions survive restarts. */
async function persistentSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("hex");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/** The sample documents go through the app's own ingestion, in a process that resolves modules as Next's server does. */
function seedDocuments(env: Env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(import.meta.dirname, "seed-documents.ts")], {
      env: env as NodeJS.ProcessEnv,
      // Through this process's own streams, so whatever copies them (DELEGATE_LOG_FILE) sees seeding too.
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(process.stdout);
    child.stderr.pipe(process.stderr);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seeding sample documents failed (exit ${code})`))));
  });
}
