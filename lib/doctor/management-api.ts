import { fail, pass, type CheckResult } from "./check";
import { errorDescription, oauthError, request } from "./http";
import { clientAuthenticationFailed, tokenRequest, type AppClient, type IdentityServer } from "./identity";

/**
 * Sharing a document finds people by email through the Management API (`users-by-email`), with the app's own
 * client-credentials token for `<issuer>api/v2/` and `read:users`
 * (auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens/get-management-api-access-tokens-for-production).
 */
export const MANAGEMENT_API_TITLE = "Management API access (read:users)";

const AUTHORIZE_FIX =
  "In Auth0 Dashboard → Applications → APIs → Auth0 Management API → Machine To Machine Applications, authorize your application and tick the read:users permission.";

export async function checkManagementApi(
  server: IdentityServer,
  client: AppClient,
): Promise<CheckResult> {
  const audience = new URL("api/v2/", server.issuer).href;
  const answer = await tokenRequest(server, client, { grant_type: "client_credentials", audience, scope: "read:users" });
  if (clientAuthenticationFailed(answer)) {
    return fail(MANAGEMENT_API_TITLE, `client authentication refused (${errorDescription(answer)})`, "Fix the client ID and secret first.");
  }
  if (oauthError(answer) === "unauthorized_client") {
    return fail(
      MANAGEMENT_API_TITLE,
      "the application may not use the Client Credentials grant, so sharing cannot find people by email",
      'Tick "Client Credentials" in Auth0 Dashboard → Applications → Applications → your application → Settings → Advanced Settings → Grant Types.',
    );
  }
  if (answer.status !== 200 || typeof answer.body?.access_token !== "string") {
    return fail(MANAGEMENT_API_TITLE, `no Management API token: ${errorDescription(answer)}`, AUTHORIZE_FIX);
  }
  // A real lookup, so a token without the permission shows here rather than when a user shares a document.
  const lookup = await request(new URL("users-by-email?email=doctor-check%40example.invalid", audience), {
    headers: { authorization: `Bearer ${answer.body.access_token}`, accept: "application/json" },
  });
  if (lookup.status !== 200) {
    return fail(MANAGEMENT_API_TITLE, `GET /api/v2/users-by-email answered HTTP ${lookup.status}`, AUTHORIZE_FIX);
  }
  return pass(MANAGEMENT_API_TITLE, "token issued and users-by-email answered");
}
