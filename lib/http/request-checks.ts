import type { ApiErrorCode } from "@/lib/errors";

/**
 * Checks every request passes before any route sees it (proxy.ts). Pure, so each rule is tested on its own.
 *
 * Cross-site requests: the session cookie is SameSite=Lax, which does not stop a *same-site* page (another port
 * on localhost, a sibling subdomain) from POSTing with it, and a `text/plain` body needs no CORS preflight. So
 * every state-changing request must come from the app's own origin and carry the body type its route reads.
 */
export interface RequestFacts {
  method: string;
  pathname: string;
  headers: Headers;
}

export interface Refusal {
  code: Extract<ApiErrorCode, "not_found" | "forbidden" | "unsupported_media_type">;
  message: string;
}

/** Nothing in the app changes state on these (the sign-in routes and a resumed interrupt are the exceptions). */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * nextjs-auth0 mounts many routes under these prefixes (profile, access token, MFA, passwordless, passkeys,
 * back-channel logout) and proxies /me/* and /my-org/* to the My Account and My Organization APIs with the
 * user's tokens. The app uses four of them; the rest would only widen what a stolen tab or an injected link
 * can reach.
 */
const SDK_PREFIXES = ["/auth/", "/me/", "/my-org/"];
export const LOGOUT_ROUTE = "/auth/logout";
const APP_AUTH_ROUTES = new Set(["/auth/login", LOGOUT_ROUTE, "/auth/callback", "/auth/connect"]);

const UPLOAD_ROUTE = "/api/documents";

/**
 * Routes that take a bearer token and never the session cookie (the MCP server and its metadata). The session
 * middleware does not run for them, and browser-based MCP clients may call them from any origin (lib/http/cors.ts):
 * with no cookie accepted, there is nothing a cross-site request could borrow.
 */
export function isBearerOnlyRoute(pathname: string): boolean {
  const path = routePath(pathname);
  return path === "/mcp" || path.startsWith("/.well-known/oauth-protected-resource");
}

/** The path as nextjs-auth0 and the route table match it: one trailing slash is ignored. */
export function routePath(pathname: string): string {
  return pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
}

export function checkRequest(request: RequestFacts, appOrigin: string): Refusal | null {
  return refuseUnusedSdkRoute(request) ?? refuseCrossSite(request, appOrigin) ?? refuseBodyType(request);
}

function refuseUnusedSdkRoute({ method, pathname }: RequestFacts): Refusal | null {
  const path = routePath(pathname);
  if (!SDK_PREFIXES.some((prefix) => `${path}/`.startsWith(prefix))) return null;
  if (method === "GET" && APP_AUTH_ROUTES.has(path)) return null;
  return { code: "not_found", message: "Not found." };
}

/**
 * Browsers send `Origin` on every request whose method is neither GET nor HEAD (Fetch standard), cross-origin
 * or not, so a browser request without it does not exist. A client that sends neither `Origin` nor
 * `Sec-Fetch-Site` is not a browser: it has the user's cookie only if it stole it, and then it could send any
 * `Origin` it likes, so refusing it would protect nothing and would break scripts and API tests. `Origin: null`
 * (sandboxed frames, data: pages) is refused.
 */
function refuseCrossSite({ method, headers }: RequestFacts, appOrigin: string): Refusal | null {
  if (SAFE_METHODS.has(method)) return null;
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site");
  if ((origin === null || origin === appOrigin) && (site === null || site === "same-origin")) return null;
  return { code: "forbidden", message: "Cross-site requests are not accepted." };
}

/**
 * A body the browser can send cross-site without a preflight (text/plain, form-urlencoded) is never accepted.
 * POST, PUT and PATCH always name their body type; a DELETE only when it has a body.
 */
function refuseBodyType({ method, pathname, headers }: RequestFacts): Refusal | null {
  // Every path, not only /api/*: Next decodes paths, so /%61pi/chat reaches the chat route too.
  if (SAFE_METHODS.has(method)) return null;
  const hasBody = headers.has("transfer-encoding") || Number(headers.get("content-length") ?? 0) > 0;
  if (method === "DELETE" && !hasBody) return null;
  const expected = method === "POST" && routePath(pathname) === UPLOAD_ROUTE ? "multipart/form-data" : "application/json";
  const mediaType = headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === expected) return null;
  return { code: "unsupported_media_type", message: `Send the request body as ${expected}.` };
}
