import type { Config } from "@/lib/config";
import { fail, pass, skip, type CheckResult } from "./check";
import { errorDescription, oauthError, request } from "./http";
import { clientAuthenticationFailed, tokenRequest, type AppClient, type IdentityServer } from "./identity";

/**
 * Connecting accounts needs a Multi-Resource Refresh Token policy: the sign-in refresh token must be allowed to
 * mint tokens for the My Account API (`<issuer>me/`). Without one Auth0 silently ignores the audience and returns
 * a token for the default audience (auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token).
 * Only a user's refresh token can show it, so the check runs when DOCTOR_REFRESH_TOKEN is given.
 */
export const REFRESH_TOKEN_POLICY_TITLE = "Refresh-token policy for the My Account API";
const MRRT_DOC = "https://auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token/configure-and-implement-multi-resource-refresh-token";
const MY_ACCOUNT_SCOPES = ["create:me:connected_accounts", "read:me:connected_accounts", "delete:me:connected_accounts"];

export const myAccountAudience = (server: IdentityServer): string => new URL("me/", server.issuer).href;

function policyFix(server: IdentityServer, client: Pick<Config, "AUTH0_CLIENT_ID">): string {
  return (
    `Activate the My Account API (Auth0 Dashboard → Applications → APIs), then add a refresh-token policy to the application: ` +
    `PATCH ${server.issuer}api/v2/clients/${client.AUTH0_CLIENT_ID} with ` +
    `{"refresh_token":{"policies":[{"audience":"${myAccountAudience(server)}","scope":${JSON.stringify(MY_ACCOUNT_SCOPES)}}]}} (${MRRT_DOC}).`
  );
}

/** The claims of a JWT, unverified: the token came straight from the token endpoint, and only its audience is read. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const [, payload] = token.split(".");
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const audiences = (claims: Record<string, unknown> | undefined): string[] =>
  claims === undefined ? [] : ([] as unknown[]).concat(claims.aud ?? []).filter((aud): aud is string => typeof aud === "string");

export async function checkRefreshTokenPolicy(
  server: IdentityServer,
  client: AppClient,
  refreshToken: string | undefined,
): Promise<CheckResult> {
  const audience = myAccountAudience(server);
  if (!refreshToken) {
    return skip(
      REFRESH_TOKEN_POLICY_TITLE,
      "not checked: set DOCTOR_REFRESH_TOKEN to a signed-in user's refresh token to test it (README.md, \"npm run doctor\")",
      `Check by hand: the application's refresh_token.policies (Management API GET ${server.issuer}api/v2/clients/${client.AUTH0_CLIENT_ID}?fields=refresh_token, ` +
        `with a token that has read:clients) must list ${audience} with ${MY_ACCOUNT_SCOPES.join(", ")}. If not: ${policyFix(server, client)}`,
    );
  }
  const answer = await tokenRequest(server, client, {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    audience,
    scope: "read:me:connected_accounts",
  });
  if (clientAuthenticationFailed(answer)) {
    return fail(REFRESH_TOKEN_POLICY_TITLE, `client authentication refused (${errorDescription(answer)})`, "Fix the client ID and secret first.");
  }
  if (oauthError(answer) === "invalid_grant") {
    return fail(
      REFRESH_TOKEN_POLICY_TITLE,
      `DOCTOR_REFRESH_TOKEN was refused (${errorDescription(answer)}): expired, revoked, rotated, or issued to another application`,
      "Sign in again and use the new refresh token (README.md, \"npm run doctor\").",
    );
  }
  if (answer.status !== 200 || typeof answer.body?.access_token !== "string") {
    return fail(REFRESH_TOKEN_POLICY_TITLE, `no My Account token: ${errorDescription(answer)}`, policyFix(server, client));
  }
  if (typeof answer.body.refresh_token === "string" && answer.body.refresh_token !== refreshToken) {
    return fail(
      REFRESH_TOKEN_POLICY_TITLE,
      "the refresh token was rotated: Token Vault needs refresh-token rotation off, and DOCTOR_REFRESH_TOKEN is now spent",
      "Turn off Allow Refresh Token Rotation in Auth0 Dashboard → Applications → Applications → your application → Settings → Refresh Token Rotation (https://auth0.com/docs/secure/tokens/token-vault/configure-token-vault).",
    );
  }
  const granted = audiences(jwtClaims(answer.body.access_token));
  if (!granted.includes(audience)) {
    return fail(
      REFRESH_TOKEN_POLICY_TITLE,
      `asked for a token for ${audience} and got one for ${granted.join(", ") || "no API (an opaque token)"}: the application has no refresh-token policy for the My Account API, so connecting accounts fails`,
      policyFix(server, client),
    );
  }
  const scopes = typeof answer.body.scope === "string" ? answer.body.scope.split(" ") : [];
  if (!scopes.includes("read:me:connected_accounts")) {
    return fail(REFRESH_TOKEN_POLICY_TITLE, `the My Account token lacks read:me:connected_accounts (got: ${scopes.join(" ") || "none"})`, policyFix(server, client));
  }
  return pass(REFRESH_TOKEN_POLICY_TITLE, `My Account token for ${audience}; ${await connectedAccountsSummary(audience, answer.body.access_token)}`);
}

/** Which connections the user has connected, by name only: the My Account API's list, first page (`take` at most 20). */
async function connectedAccountsSummary(audience: string, accessToken: string): Promise<string> {
  const answer = await request(new URL("v1/connected-accounts/accounts?take=20", audience), {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
  });
  if (answer.status !== 200) return `listing connected accounts answered HTTP ${answer.status}`;
  const accounts = Array.isArray(answer.body?.accounts) ? (answer.body.accounts as { connection?: unknown }[]) : [];
  const names = [...new Set(accounts.map((account) => String(account.connection)))];
  return names.length > 0 ? `connected accounts: ${names.join(", ")}` : "no accounts connected yet";
}
