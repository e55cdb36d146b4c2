import "server-only";
import { getConfig } from "@/lib/config";
import { logError } from "@/lib/log";
import { InvalidTokenError, verifyAccessToken, type VerifiedAccessToken } from "./access-token";
import { findAccount } from "./directory";
import { IssuerUnavailableError } from "./oauth";
import type { ProtectedResource } from "./protected-resources";
import type { CurrentUser } from "./session";

/**
 * RFC 6750 bearer authentication for Delegate's APIs that take access tokens (the MCP server, the terminal client's
 * chat API). The session cookie plays no part: a request is judged by its Authorization header alone.
 */
export interface BearerCaller {
  user: CurrentUser;
  accessToken: VerifiedAccessToken;
}

export type BearerAuthentication = { caller: BearerCaller; refusal?: never } | { refusal: Response; caller?: never };

/** RFC 9728 §3.1: the metadata of a resource at /mcp is at /.well-known/oauth-protected-resource/mcp. */
export function resourceMetadataUrl(resource: ProtectedResource): string {
  return new URL(`/.well-known/oauth-protected-resource${resource.path}`, getConfig().APP_BASE_URL).href;
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, "")}"`;

/**
 * The challenge every refusal carries. Without a token it has no error code (RFC 6750 §3.1); MCP clients follow
 * `resource_metadata` to the authorization server (MCP authorization, "Protected Resource Metadata Discovery").
 */
function challenge(resource: ProtectedResource, fields: Record<string, string> = {}): string {
  const all = { resource_metadata: resourceMetadataUrl(resource), scope: resource.scopes.join(" "), ...fields };
  return `Bearer ${Object.entries(all).map(([name, value]) => `${name}=${quoted(value)}`).join(", ")}`;
}

export function bearerRefusal(resource: ProtectedResource, status: 401 | 403, error?: string, description?: string, fields: Record<string, string> = {}): Response {
  const challengeFields = error ? { error, ...(description ? { error_description: description } : {}), ...fields } : fields;
  return Response.json(error ? { error, error_description: description } : { error: "unauthorized", error_description: "Send an access token for this API." }, {
    status,
    headers: { "WWW-Authenticate": challenge(resource, challengeFields) },
  });
}

/** The token in `Authorization: Bearer …`, or null; a header in any other form is refused as invalid. */
function bearerToken(request: Request): string | null | "malformed" {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1] ?? "malformed";
}

export async function authenticateBearer(request: Request, resource: ProtectedResource): Promise<BearerAuthentication> {
  const token = bearerToken(request);
  if (token === null) return { refusal: bearerRefusal(resource, 401) };
  if (token === "malformed") return { refusal: bearerRefusal(resource, 401, "invalid_request", "Send the access token as `Authorization: Bearer <token>`.") };
  try {
    const accessToken = await verifyAccessToken(token, resource.audience);
    const account = await accountOf(accessToken.sub);
    if (!account) return { refusal: bearerRefusal(resource, 401, "invalid_token", "The account this token was issued for no longer exists or is blocked.") };
    const { sub, name, email, picture, emailVerified } = account;
    return { caller: { user: { sub, name, email, picture, emailVerified }, accessToken } };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { refusal: bearerRefusal(resource, 401, "invalid_token", error.message) };
    if (error instanceof IssuerUnavailableError) {
      logError("auth", "bearer token could not be checked", error);
      return { refusal: Response.json({ error: "temporarily_unavailable", error_description: "The identity service is not answering, so the token could not be checked. Try again in a moment." }, { status: 503, headers: { "Retry-After": "5" } }) };
    }
    throw error;
  }
}

/**
 * Profiles by sub for a minute: an MCP client may make many calls a minute, and each would otherwise cost a
 * Management API request, whose rate limit is the whole tenant's. A deleted or blocked account is noticed within it.
 */
const PROFILE_TTL_MS = 60_000;
const MAX_PROFILES = 1_000;
const profiles = new Map<string, { account: Awaited<ReturnType<typeof findAccount>>; until: number }>();

async function accountOf(sub: string) {
  const cached = profiles.get(sub);
  if (cached && cached.until > Date.now()) return cached.account;
  const account = await findAccount(sub);
  if (profiles.size >= MAX_PROFILES) profiles.delete(profiles.keys().next().value!);
  profiles.set(sub, { account, until: Date.now() + PROFILE_TTL_MS });
  return account;
}

/** RFC 6750 §3.1 `insufficient_scope`: the token is good but was not granted what this call needs. */
export const insufficientScope = (resource: ProtectedResource, needed: string) =>
  bearerRefusal(resource, 403, "insufficient_scope", `This needs the ${needed} permission, which the token was not granted.`, { scope: needed });
