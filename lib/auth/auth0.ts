import "server-only";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import type { OnCallbackHook } from "@auth0/nextjs-auth0/types";
import { NextResponse } from "next/server";
import { recordAuditEvent } from "@/lib/audit/record";
import { getConfig } from "@/lib/config";
import { CONNECT_NOT_RECORDED, recordConnect } from "./account-audit";
import { logError } from "@/lib/log";

let client: Auth0Client | undefined;

/**
 * Built on first use, not at import: `next build` evaluates modules without runtime secrets, and
 * nextjs-auth0 needs `domain` as a string at construction (otherwise it falls back to resolver mode,
 * which refuses http issuers).
 */
export function getAuth0(): Auth0Client {
  if (client) return client;
  const config = getConfig();
  client = new Auth0Client({
    domain: config.AUTH0_DOMAIN,
    clientId: config.AUTH0_CLIENT_ID,
    clientSecret: config.AUTH0_CLIENT_SECRET,
    secret: config.AUTH0_SECRET,
    appBaseUrl: config.APP_BASE_URL,
    // Only an explicit http:// issuer (a local OpenID Provider) is spoken to without TLS.
    allowInsecureRequests: config.AUTH0_DOMAIN.startsWith("http://"),
    authorizationParameters: { scope: "openid profile email offline_access" },
    enableAccessTokenEndpoint: false,
    enableConnectAccountEndpoint: true,
    session: { beforeSessionRolled: rollsSession },
    onCallback,
  });
  return client;
}

/**
 * Only a page the browser navigates to extends the session. Every answer that rolls it sets the session cookie
 * again, and the page's fetches and prefetches are answered in any order: one sent just before "Log out" and
 * answered just after would put the deleted cookie back and sign the person in again. A navigation cannot race
 * the logout in the same tab (the browser drops the one it leaves).
 */
export const rollsSession = (request: Request) => request.headers.get("sec-fetch-mode") === "navigate";

/**
 * Where the browser goes after /auth/callback. A connect-account flow that failed or was cancelled goes back to
 * its returnTo page with `connect_error`, so the chat can say "Not connected" instead of showing an error page.
 * A sign-in is recorded in the audit trail first: the SDK writes the session cookie only after this hook returns,
 * so an AuditUnavailableError thrown here leaves the user signed out (proxy.ts answers 503). A connected account is
 * recorded too, and undone when it cannot be (account-audit.ts).
 */
const onCallback: OnCallbackHook = async (error, context, session) => {
  const base = context.appBaseUrl ?? getConfig().APP_BASE_URL;
  if (!error) {
    if (session && context.connectedAccount && !(await recordConnect(session.user.sub, session.tokenSet.refreshToken, context.connectedAccount))) {
      const target = new URL(context.returnTo ?? "/connections", base);
      target.searchParams.set("connect_error", CONNECT_NOT_RECORDED);
      return NextResponse.redirect(target);
    }
    if (session && context.responseType !== "connect_code")
      await recordAuditEvent({
        userId: session.user.sub,
        action: "auth.sign_in",
        evidence: { issuer: getConfig().AUTH0_DOMAIN, emailVerified: session.user.email_verified === true },
        summary: "Signed in",
        outcome: "done",
      });
    return NextResponse.redirect(new URL(context.returnTo ?? "/", base));
  }
  if (context.responseType === "connect_code" && context.returnTo) {
    const target = new URL(context.returnTo, base);
    target.searchParams.set("connect_error", error.code ?? "connect_failed");
    return NextResponse.redirect(target);
  }
  logError("auth", "callback failed", error);
  return new NextResponse("Sign-in failed. Go back and try again.", { status: 500 });
};
