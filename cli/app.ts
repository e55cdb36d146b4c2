import { z } from "zod";
import { CliError } from "./errors";

export const DEFAULT_APP_URL = "http://localhost:3000";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
export const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");

/**
 * The Delegate app the CLI talks to, as an origin ("https://delegate.example.com"): from --url, else DELEGATE_URL,
 * else the local development server. Tokens travel in the clear over http, so http is for this machine only.
 */
export function appOrigin(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = flag?.trim() || env.DELEGATE_URL?.trim() || DEFAULT_APP_URL;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new CliError(`"${given}" is not a URL. Give the app's address, for example --url ${DEFAULT_APP_URL}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new CliError(`"${given}" is not an http(s) address.`);
  if (url.protocol === "http:" && !isLoopback(url)) throw new CliError(`Use https for an app on another machine (${given}): tokens would travel unencrypted.`);
  return url.origin;
}

/** The command that signs in to `origin`. */
export const loginCommand = (origin: string) => `npm run cli -- login${origin === DEFAULT_APP_URL ? "" : ` --url ${origin}`}`;

/** RFC 9728 metadata of the chat API, plus the app's extension naming the CLI's application. */
const metadataSchema = z.object({
  resource: z.string().min(1),
  authorization_servers: z.array(z.url()).min(1),
  scopes_supported: z.array(z.string()).optional(),
  delegate_cli_client_id: z.string().min(1).optional(),
});

export interface ChatApi {
  audience: string;
  issuer: string;
  clientId: string;
}

/** Reads /.well-known/oauth-protected-resource/api: which identity server signs the CLI in, for which audience. */
export async function discoverChatApi(origin: string): Promise<ChatApi> {
  const url = new URL("/.well-known/oauth-protected-resource/api", origin);
  const response = await fetch(url, { headers: { accept: "application/json" } }).catch((error: unknown) => {
    throw unreachable(origin, error);
  });
  if (!response.ok) throw new CliError(`${origin} did not describe its API (HTTP ${response.status} for ${url.pathname}). Is it a Delegate app?`);
  const parsed = metadataSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new CliError(`${origin} answered ${url.pathname} with something other than Delegate's API metadata.`);
  const { resource, authorization_servers: [issuer], delegate_cli_client_id: clientId } = parsed.data;
  // RFC 9728 §3.3: the metadata must describe the very resource it was fetched for. Otherwise any site could send the
  // user through the real Delegate's sign-in and then receive the tokens it issued.
  const expected = new URL("/api", origin).href;
  if (resource !== expected) throw new CliError(`${origin} describes an API at ${resource}, not its own (${expected}). Not signing in: check the address.`);
  if (!clientId) throw new CliError(`${origin} names no application for the terminal client: set AUTH0_CLI_CLIENT_ID on the server (README, "The terminal client").`);
  return { audience: resource, issuer: issuer!, clientId };
}

export function unreachable(origin: string, error: unknown): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
  return new CliError(`Cannot reach Delegate at ${origin} (${cause}). Is it running? Use --url or DELEGATE_URL for another address.`);
}
