import "server-only";
import { getConfig, issuerUrl } from "@/lib/config";
import { IssuerUnavailableError, requestToken } from "./oauth";

/**
 * Finds people by email through the identity server's Management API (Auth0's `users-by-email`), so sharing
 * resolves an address to the Auth0 `sub` that authorization uses. The app's own Management API token (client
 * credentials, `read:users`) is kept in memory until shortly before it expires: it is not a user's credential.
 */
export interface DirectoryUser {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

let token: { issuer: string; value: string; expiresAt: number } | undefined;

async function managementToken(audience: string): Promise<string> {
  if (token?.issuer === audience && token.expiresAt > Date.now() + 60_000) return token.value;
  const response = await requestToken({ grant_type: "client_credentials", audience, scope: "read:users" });
  token = { issuer: audience, value: response.access_token, expiresAt: Date.now() + (response.expires_in ?? 300) * 1000 };
  return token.value;
}

/**
 * Every account whose email is `email` (Auth0 may hold several, one per connection), verified or not.
 * Auth0's users-by-email matches exactly, case included, and stores a database connection's addresses
 * lowercased while other identity providers keep theirs as given
 * (auth0.com/docs/manage-users/user-search/retrieve-users-with-get-users-by-email-endpoint). So the address is
 * looked up as typed and, if that differs, lowercased: "Bob@Example.COM" reaches bob@example.com, and never
 * an account whose address is anything but one of those two.
 */
export async function findUsersByEmail(email: string): Promise<DirectoryUser[]> {
  const spellings = [...new Set([email, email.toLowerCase()])];
  const found = (await Promise.all(spellings.map(lookUp))).flat();
  const unique = new Map(found.filter((user) => spellings.includes(user.email)).map((user) => [user.sub, user]));
  return [...unique.values()];
}

interface ManagementUser {
  user_id: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
  blocked?: boolean;
}

/** GETs a Management API path; a 404 is `null`, any other failure IssuerUnavailableError (callers fail closed). */
async function managementGet<T>(path: string): Promise<T | null> {
  const audience = `${issuerUrl(getConfig())}api/v2/`;
  let response: Response;
  try {
    response = await fetch(new URL(path, audience), { headers: { authorization: `Bearer ${await managementToken(audience)}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    if (error instanceof IssuerUnavailableError) throw error;
    throw new IssuerUnavailableError(`Management API unreachable: ${(error as Error).message}`);
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new IssuerUnavailableError(`Management API answered HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function lookUp(email: string): Promise<DirectoryUser[]> {
  const users = (await managementGet<(ManagementUser & { email: string })[]>(`users-by-email?${new URLSearchParams({ email })}`)) ?? [];
  return users.map((user) => ({ sub: user.user_id, email: user.email, emailVerified: user.email_verified === true, name: user.name ?? user.email }));
}

/** An account as a bearer-token caller's profile: what the web session's ID token would have said. */
export interface AccountProfile {
  sub: string;
  name: string;
  email: string | null;
  emailVerified: boolean;
  picture: string | null;
}

/**
 * A person by their Auth0 `sub`, for callers who bring an access token and no ID token (MCP clients, the terminal
 * client). A deleted or blocked account is `null`: its tokens, still unexpired, must not act for it.
 */
export async function findAccount(sub: string): Promise<AccountProfile | null> {
  const user = await managementGet<ManagementUser>(`users/${encodeURIComponent(sub)}`);
  if (!user || user.blocked === true) return null;
  return { sub: user.user_id, name: user.name ?? user.email ?? sub, email: user.email ?? null, emailVerified: user.email_verified === true, picture: user.picture ?? null };
}
