import { NextResponse, type NextRequest } from "next/server";
import { deleteConnectionTokensOfUser } from "@/db/queries/connection-tokens";
import { AUDIT_UNAVAILABLE_MESSAGE, AuditUnavailableError, recordAuditEvent } from "@/lib/audit/record";
import { getAuth0 } from "@/lib/auth/auth0";
import { CONNECT_ROUTE, explainConnectFailure } from "@/lib/auth/connect-failure";
import { getConfig } from "@/lib/config";
import { apiError } from "@/lib/errors";
import { checkRequest, isBearerOnlyRoute, LOGOUT_ROUTE, routePath } from "@/lib/http/request-checks";
import { createNonce, securityHeaders } from "@/lib/http/security-headers";
import { logError } from "@/lib/log";

/**
 * Runs before every route: refuses unused SDK routes and cross-site or wrongly typed state changes, mounts the
 * SDK's /auth/* routes the app uses (login, callback, logout, connect), keeps rolling sessions fresh, and sends
 * the security headers with every answer.
 */
export async function proxy(request: NextRequest) {
  const { APP_BASE_URL } = getConfig();
  const headers = securityHeaders({
    nonce: createNonce(),
    production: process.env.NODE_ENV === "production",
    https: APP_BASE_URL.startsWith("https://"),
  });
  const response = await handle(request, new URL(APP_BASE_URL).origin, headers["Content-Security-Policy"]!);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

async function handle(request: NextRequest, appOrigin: string, contentSecurityPolicy: string): Promise<Response> {
  const { method, headers, nextUrl } = request;
  if (isBearerOnlyRoute(nextUrl.pathname)) return NextResponse.next();
  const refusal = checkRequest({ method, pathname: nextUrl.pathname, headers }, appOrigin);
  if (refusal) return apiError(refusal.code, refusal.message);
  if (routePath(nextUrl.pathname) === LOGOUT_ROUTE) await endAgentSession(request);
  let response: NextResponse;
  try {
    response = await getAuth0().middleware(request);
  } catch (error) {
    // The sign-in could not be recorded (lib/auth/auth0.ts onCallback), so no session cookie was written.
    if (error instanceof AuditUnavailableError) return new Response(`Signing in is not possible right now. ${AUDIT_UNAVAILABLE_MESSAGE}`, { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
    throw error;
  }
  if (routePath(nextUrl.pathname) === CONNECT_ROUTE) return explainConnectFailure(request, response);
  return passPolicyToRender(response, request, contentSecurityPolicy);
}

/**
 * Records the sign-out and forgets the user's cached Google, GitHub and Slack tokens, which must not outlive the
 * session. Signing out is the one audited action that does not fail closed: refusing it would keep a session — and
 * the authority it carries — alive because the record is down. If the database fails, the user is still signed out
 * (the failure is logged; recordAuditEvent logs its own), and the tokens still expire on their own.
 */
async function endAgentSession(request: NextRequest) {
  const session = await getAuth0()
    .getSession(request)
    .catch((error: unknown) => void logError("auth", "logout could not read the session", error));
  if (!session) return;
  await recordAuditEvent({ userId: session.user.sub, action: "auth.sign_out", evidence: {}, summary: "Signed out", outcome: "done" }).catch(() => {});
  try {
    await deleteConnectionTokensOfUser(session.user.sub);
  } catch (error) {
    logError("auth", "logout could not forget provider tokens", error);
  }
}

/**
 * Next.js reads the nonce from the request's Content-Security-Policy header and puts it on every script it
 * renders. The SDK answered "continue" (possibly with refreshed session cookies): continue with the policy.
 */
function passPolicyToRender(sdkResponse: NextResponse, request: NextRequest, contentSecurityPolicy: string): Response {
  if (sdkResponse.headers.get("x-middleware-next") !== "1") return sdkResponse;
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", contentSecurityPolicy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of sdkResponse.headers) {
    if (name === "set-cookie") response.headers.append(name, value);
    else response.headers.set(name, value);
  }
  return response;
}

export const config = {
  // The upload route (exactly /api/documents) is left out: Next would buffer its 10 MB bodies here before the
  // route could refuse them. It runs the same request checks itself (app/(chat)/api/documents/route.ts).
  matcher: ["/((?!_next/static|_next/image|favicon.ico|sitemap.xml|robots.txt|api/documents$).*)"],
};
