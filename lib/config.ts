import { z } from "zod";

/**
 * Every service Delegate talks to is chosen by environment variables. `npm run dev` fills in the sandbox's
 * addresses for any service left unset, so this module sees the same variables in both worlds.
 */
const required = (name: string, hint: string) =>
  z.string({ error: `${name} is not set. ${hint}` }).trim().min(1, `${name} is empty. ${hint}`);

const schema = z.object({
  AUTH0_DOMAIN: required("AUTH0_DOMAIN", "Set it to your Auth0 tenant domain, e.g. your-tenant.us.auth0.com."),
  AUTH0_CLIENT_ID: required("AUTH0_CLIENT_ID", "Copy it from your Auth0 application's settings."),
  AUTH0_CLIENT_SECRET: required("AUTH0_CLIENT_SECRET", "Copy it from your Auth0 application's settings."),
  AUTH0_SECRET: required("AUTH0_SECRET", "Generate one with `openssl rand -hex 32`; it encrypts the session cookie."),
  APP_BASE_URL: required("APP_BASE_URL", "Set it to the URL the app is served from, e.g. https://delegate.example.com.").pipe(
    z.url({ protocol: /^https?$/, error: "APP_BASE_URL must be an absolute URL, e.g. http://localhost:3000." }),
  ),
  DATABASE_URL: required("DATABASE_URL", "Point it at a Postgres with pgvector, e.g. a Neon or Supabase connection string."),
  OPENAI_API_KEY: required("OPENAI_API_KEY", "Set it to an OpenAI API key (or any key your OpenAI-compatible server accepts)."),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: "OPENAI_BASE_URL must be an absolute URL, e.g. http://localhost:11434/v1." }).optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-5-mini"),
  OPENAI_EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
  GOOGLE_API_URL: z.url({ protocol: /^https?$/ }).default("https://www.googleapis.com"),
  GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default("https://api.github.com"),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).default("https://slack.com/api"),
  SHOP_API_URL: z.url({ protocol: /^https?$/, error: "SHOP_API_URL must be an absolute URL." }).optional(),
  SHOP_API_AUDIENCE: z.string().min(1).optional(),
  /** How long the user has to approve a critical action on their device (Auth0 allows at most 300 s). */
  ASYNC_AUTHORIZATION_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(300).default(300),
  /** Shown with approval prompts: where the user approves a request (e.g. an authenticator page). */
  ASYNC_AUTHORIZATION_APPROVAL_URL: z.url().optional(),
  FGA_API_URL: required("FGA_API_URL", "Point it at OpenFGA (e.g. http://localhost:8080) or Auth0 FGA (e.g. https://api.us1.fga.dev).").pipe(
    z.url({ protocol: /^https?$/, error: "FGA_API_URL must be an absolute URL." }),
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
  /** How long an in-chat approval request (e.g. a Gmail draft) can be answered. */
  APPROVAL_EXPIRY_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Per-user allowances, counted in Postgres across all instances (429 with Retry-After beyond them). */
  RATE_LIMIT_CHAT_TURNS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_UPLOADS_PER_HOUR: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_SHARES_PER_HOUR: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_APPROVAL_REQUESTS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Each user's total of uploaded document bytes. */
  DOCUMENT_QUOTA_MB: z.coerce.number().int().min(1).default(100),
  /** Set by `npm run dev`: names the stand-ins in use, so the UI can label them. Never changes behaviour. */
  SANDBOX_SERVICES: z.string().optional(),
});

export type Config = z.infer<typeof schema>;

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  - ${issue.message}`);
    throw new ConfigurationError(
      `Delegate is not configured:\n${lines.join("\n")}\nRun \`npm run dev\` to use the local sandbox for any service you leave unset, or see README.md, "Using real services".`,
    );
  }
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
