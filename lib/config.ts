import { z } from "zod";

/**
 * Every service Delegate talks to is chosen by environment variables. `npm run dev` fills in the sandbox's
 * addresses for any service left unset, so this module sees the same variables in both worlds.
 */
const required = (name: string, hint: string) =>
  z.string({ error: `${name} is not set. ${hint}` }).trim().min(1, `${name} is empty. ${hint}`);

/** Hosts whose traffic never leaves the machine, so plain http:// to them exposes nothing on a network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "").replace(/^\[(.*)\]$/, "$1");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === "::1" ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host) // IPv4-mapped 127.x, as the URL parser writes it
  );
}

/**
 * Refuses plain http:// except to a loopback host. `carries` says what would travel in clear, so the message
 * explains the refusal. Only the host is quoted: a URL can hold credentials.
 */
function refusePlainHttp(name: string, carries: string) {
  return (value: string, ctx: z.core.$RefinementCtx<string>) => {
    const url = URL.parse(value);
    if (url?.protocol !== "http:" || isLoopbackHost(url.hostname)) return;
    ctx.addIssue({
      code: "custom",
      message: `${name} uses plain http:// for ${url.hostname}: ${carries} would cross the network unencrypted. Use https:// (http:// is accepted only for localhost).`,
    });
  };
}

/** An absolute http(s) URL of a service, over TLS unless the service is on this machine. */
const serviceUrl = (name: string, example: string, carries: string) =>
  z
    .url({ protocol: /^https?$/, error: `${name} must be an absolute URL, e.g. ${example}.` })
    .superRefine(refusePlainHttp(name, carries));

const SECRET_HINT = "Generate one with `openssl rand -hex 32`.";
const MIN_SECRET_BYTES = 32;
/**
 * Random hex or base64 of that length shows nearly every symbol it can (fewer than 10 distinct is about as likely
 * as guessing the secret) and never one pattern over and over: "aaaa…" or "0123456789abcdef" repeated are long but
 * not secret. A length check alone cannot tell them apart.
 */
const MIN_DISTINCT_SYMBOLS = 10;

/**
 * How many bytes a secret written as hex (checked first: hex digits are also base64 characters) or as
 * base64/base64url holds; undefined when it is neither, e.g. a passphrase.
 */
export function secretBytes(secret: string): number | undefined {
  if (/^[0-9a-f]+$/i.test(secret)) return Math.floor(secret.length / 2);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || /^[A-Za-z0-9_-]+={0,2}$/.test(secret))
    return Math.floor((secret.replace(/=+$/, "").length * 3) / 4);
  return undefined;
}

/** AUTH0_SECRET encrypts the session cookie and keys the token cache, so it needs a key's worth of randomness. */
const sessionSecret = required("AUTH0_SECRET", `${SECRET_HINT} It encrypts the session cookie.`).superRefine((secret, ctx) => {
  const bytes = secretBytes(secret);
  const distinct = new Set(secret).size;
  const repeated = /^(.+?)\1+=*$/.test(secret);
  if (bytes !== undefined && bytes >= MIN_SECRET_BYTES && distinct >= MIN_DISTINCT_SYMBOLS && !repeated) return;
  const found =
    bytes === undefined
      ? "it is neither hex nor base64"
      : bytes < MIN_SECRET_BYTES
        ? `it holds only ${bytes} bytes`
        : `it repeats itself (${repeated ? "one pattern over and over" : `only ${distinct} distinct characters`}), so it is not random`;
  ctx.addIssue({
    code: "custom",
    message: `AUTH0_SECRET is too weak: it must be at least ${MIN_SECRET_BYTES} random bytes, written as 64 hex characters or as base64, and ${found}. ${SECRET_HINT}`,
  });
});

/** A tenant domain (https is implied) or, for another OpenID Provider, the issuer's full URL. */
const issuerDomain = required("AUTH0_DOMAIN", "Set it to your Auth0 tenant domain, e.g. your-tenant.us.auth0.com.").superRefine(
  (domain, ctx) => {
    if (!/^[a-z][a-z\d+.-]*:/i.test(domain)) return;
    if (!/^https?:\/\//i.test(domain) || !URL.canParse(domain)) {
      ctx.addIssue({ code: "custom", message: "AUTH0_DOMAIN must be a domain (your-tenant.us.auth0.com) or an https:// issuer URL." });
      return;
    }
    refusePlainHttp("AUTH0_DOMAIN", "the client secret, sign-in codes and every token")(domain, ctx);
  },
);

const PROVIDER_DATA = "the user's provider tokens and their mail, calendar, repositories and messages";

const schema = z.object({
  AUTH0_DOMAIN: issuerDomain,
  AUTH0_CLIENT_ID: required("AUTH0_CLIENT_ID", "Copy it from your Auth0 application's settings."),
  AUTH0_CLIENT_SECRET: required("AUTH0_CLIENT_SECRET", "Copy it from your Auth0 application's settings."),
  AUTH0_SECRET: sessionSecret,
  APP_BASE_URL: required("APP_BASE_URL", "Set it to the URL the app is served from, e.g. https://delegate.example.com.").pipe(
    serviceUrl("APP_BASE_URL", "https://delegate.example.com", "session cookies and every prompt"),
  ),
  DATABASE_URL: required("DATABASE_URL", "Point it at a Postgres with pgvector, e.g. a Neon or Supabase connection string."),
  /** "false" behind a transaction pooler (Supabase's pooler on port 6543, PgBouncer in transaction mode); db/client.ts reads it. */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(["true", "false"], {
      error: "DATABASE_PREPARED_STATEMENTS must be true or false: false when DATABASE_URL goes through a transaction pooler (see README.md, \"Postgres\").",
    })
    .default("true"),
  /** A direct (unpooled) URL for migrations at start-up and `npm run db:migrate`; DATABASE_URL when unset. */
  DATABASE_MIGRATION_URL: z.string().trim().min(1).optional(),
  OPENAI_API_KEY: required("OPENAI_API_KEY", "Set it to an OpenAI API key (or any key your OpenAI-compatible server accepts)."),
  OPENAI_BASE_URL: serviceUrl("OPENAI_BASE_URL", "http://localhost:11434/v1", "the API key, every prompt and the documents it quotes").optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-5-mini"),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
  GOOGLE_API_URL: serviceUrl("GOOGLE_API_URL", "https://www.googleapis.com", PROVIDER_DATA).default("https://www.googleapis.com"),
  GITHUB_API_URL: serviceUrl("GITHUB_API_URL", "https://api.github.com", PROVIDER_DATA).default("https://api.github.com"),
  SLACK_API_URL: serviceUrl("SLACK_API_URL", "https://slack.com/api", PROVIDER_DATA).default("https://slack.com/api"),
  SHOP_API_URL: serviceUrl("SHOP_API_URL", "https://shop.example.com/api", "purchase tokens and orders").optional(),
  SHOP_API_AUDIENCE: z.string().min(1).optional(),
  /** How long the user has to approve a critical action on their device (Auth0 allows at most 300 s). */
  ASYNC_AUTHORIZATION_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(300).default(300),
  /** Shown with approval prompts: where the user approves a request (e.g. an authenticator page). */
  ASYNC_AUTHORIZATION_APPROVAL_URL: serviceUrl(
    "ASYNC_AUTHORIZATION_APPROVAL_URL",
    "https://example.com/approve",
    "the page where users approve purchases",
  ).optional(),
  FGA_API_URL: required("FGA_API_URL", "Point it at OpenFGA (e.g. http://localhost:8080) or Auth0 FGA (e.g. https://api.us1.fga.dev).").pipe(
    serviceUrl("FGA_API_URL", "https://api.us1.fga.dev", "the FGA credentials and who may read which document"),
  ),
  FGA_STORE_ID: required("FGA_STORE_ID", "Create a store and run `npm run fga:write-model` (see README)."),
  /** Pins the model; without it the store's latest model is used. */
  FGA_MODEL_ID: z.string().min(1).optional(),
  /** Pre-shared API token (OpenFGA), or client credentials (Auth0 FGA) below. */
  FGA_API_TOKEN: z.string().min(1).optional(),
  FGA_CLIENT_ID: z.string().min(1).optional(),
  FGA_CLIENT_SECRET: z.string().min(1).optional(),
  FGA_API_TOKEN_ISSUER: z.string().min(1).default("auth.fga.dev"),
  FGA_API_AUDIENCE: z.string().min(1).optional(),
  /**
   * How long after this instance last read FGA's changelog a stored listing of what a user may read stands as FGA's
   * answer in a search (lib/fga/change-watch.ts): the longest a change made outside Delegate goes unseen. 0: never,
   * and every search checks what it returns with FGA. Set 0 for an OpenFGA that serves its changelog from a read
   * replica or with a horizon offset (OPENFGA_CHANGELOG_HORIZON_OFFSET), as its changelog then lags its checks. Only
   * with FGA_MODEL_ID set: the changelog does not record a new model.
   */
  FGA_CHANGES_TRUSTED_MS: z.coerce.number().int().min(0).max(10_000).default(1_000),
  /**
   * Delegate's two protected resources besides the web session (issue 14): the MCP server at /mcp and the chat API
   * the terminal client calls. Each is an API in Auth0 whose identifier is the audience of its access tokens, and
   * each has a "Custom API Client" (same identifier) whose credentials exchange those tokens at Token Vault.
   * Audiences default to APP_BASE_URL + /mcp and /api (protectedResources below).
   */
  AUTH0_MCP_AUDIENCE: serviceUrl("AUTH0_MCP_AUDIENCE", "https://delegate.example.com/mcp", "MCP access tokens").optional(),
  AUTH0_MCP_CLIENT_ID: z.string().min(1).optional(),
  AUTH0_MCP_CLIENT_SECRET: z.string().min(1).optional(),
  AUTH0_API_AUDIENCE: serviceUrl("AUTH0_API_AUDIENCE", "https://delegate.example.com/api", "chat API access tokens").optional(),
  AUTH0_API_CLIENT_ID: z.string().min(1).optional(),
  AUTH0_API_CLIENT_SECRET: z.string().min(1).optional(),
  /** The native application the terminal client signs in with (Device Authorization Flow); published to it by the app. */
  AUTH0_CLI_CLIENT_ID: z.string().min(1).optional(),
  /** How long an in-chat approval request (e.g. a Gmail draft) can be answered. */
  APPROVAL_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Per-user allowances, counted in Postgres across all instances (429 with Retry-After beyond them). */
  RATE_LIMIT_CHAT_TURNS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_MCP_CALLS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  RATE_LIMIT_UPLOADS_PER_HOUR: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_SHARES_PER_HOUR: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_APPROVAL_REQUESTS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Each user's total of uploaded document bytes. */
  DOCUMENT_QUOTA_MB: z.coerce.number().int().min(1).default(100),
  /** Days an audit event is kept (db/queries/audit.ts prunes older ones without breaking the chain). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1, "AUDIT_RETENTION_DAYS must be a whole number of days, at least 1.").default(365),
  /** Set by `npm run dev`: names the stand-ins in use, so the UI can label them. Never changes behaviour. */
  SANDBOX_SERVICES: z.string().optional(),
});

/**
 * Each API's identifier is its URL on this app (RFC 8707 resource; RFC 9728 §3.3 has clients check that the metadata
 * at /.well-known/oauth-protected-resource/mcp names exactly the resource they asked about): MCP clients and the
 * terminal client refuse any other, so a different value would only break them.
 */
const resourcesAtTheirUrls = (config: z.infer<typeof schema>, ctx: z.core.$RefinementCtx<z.infer<typeof schema>>) => {
  for (const [name, path] of [["AUTH0_MCP_AUDIENCE", "/mcp"], ["AUTH0_API_AUDIENCE", "/api"]] as const) {
    const expected = URL.parse(path, config.APP_BASE_URL)?.href;
    if (!expected) return; // APP_BASE_URL's own refusal says why
    const value = config[name];
    if (value !== undefined && value !== expected) {
      ctx.addIssue({ code: "custom", message: `${name} must be ${expected} (the URL it is served at, which clients check), or unset; it is ${value}. Give the API in Auth0 that identifier.` });
    }
  }
};

const checkedSchema = schema.superRefine(resourcesAtTheirUrls);

export type Config = z.infer<typeof schema>;

/** Every variable this module reads: .env.example must list each one (lib/env-example.test.ts). */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = checkedSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.message}`);
    throw new ConfigurationError(
      `Delegate is not configured:\n${lines.join("\n")}\nRun \`npm run dev\` to use the local sandbox for any service you leave unset, or see README.md, "Using real services".`,
    );
  }
  return result.data;
}

/** AUDIT_RETENTION_DAYS alone, for `npm run audit:prune`, which needs nothing else of the configuration. */
export function auditRetentionDays(env: Record<string, string | undefined>): number {
  const result = schema.shape.AUDIT_RETENTION_DAYS.safeParse(env.AUDIT_RETENTION_DAYS || undefined);
  if (!result.success) throw new ConfigurationError(result.error.issues.map((issue) => issue.message).join(" "));
  return result.data;
}

/** The OpenID issuer for AUTH0_DOMAIN: a bare tenant host means https; a full URL (a local issuer) is kept. */
export function issuerUrl(config: Pick<Config, "AUTH0_DOMAIN">): string {
  const domain = config.AUTH0_DOMAIN.replace(/\/+$/, "");
  return /^https?:\/\//.test(domain) ? `${domain}/` : `https://${domain}/`;
}

let cached: Config | undefined;
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** The stand-ins `npm run dev` started, for the "Sandbox" badge. */
export function sandboxServices(): string[] {
  return (process.env.SANDBOX_SERVICES ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}
