import { protectedResource, type ResourceName } from "@/lib/auth/protected-resources";
import type { Config } from "@/lib/config";
import { fail, pass, skip, type CheckResult } from "./check";
import { errorDescription, oauthError, postForm } from "./http";
import { BOGUS, clientAuthenticationFailed, TOKEN_VAULT_GRANT, type IdentityServer } from "./identity";

/**
 * What MCP clients and the terminal client need of the tenant (README, step 9): each API's Custom API Client, which
 * exchanges that API's access tokens at Token Vault, and the Native application's device flow for the chat API.
 * Unset, they are skipped, saying what does not work without them; set, they are probed as the grants are.
 */
export const CUSTOM_API_CLIENT_TITLES: Record<ResourceName, string> = {
  mcp: "MCP API: Custom API Client for Token Vault",
  api: "Chat API: Custom API Client for Token Vault",
};
export const TERMINAL_SIGN_IN_TITLE = "Terminal sign-in (device flow)";

const STEP_9 = 'See README.md, "Set up a real tenant", step 9.';
const WHO: Record<ResourceName, { variables: string; callers: string }> = {
  mcp: { variables: "AUTH0_MCP_CLIENT_ID and AUTH0_MCP_CLIENT_SECRET", callers: "MCP clients" },
  api: { variables: "AUTH0_API_CLIENT_ID and AUTH0_API_CLIENT_SECRET", callers: "the terminal client" },
};

/** Token Vault's access-token exchange with a bogus subject: refused for the token, never for the client. */
async function checkCustomApiClient(server: IdentityServer, config: Config, name: ResourceName): Promise<CheckResult> {
  const title = CUSTOM_API_CLIENT_TITLES[name];
  const { variables, callers } = WHO[name];
  const resource = protectedResource(name, config);
  if (!resource.tokenVaultClient) return skip(title, `${variables} are unset, so tools that need a connected account answer ${callers} that Token Vault is not set up`, STEP_9);
  const answer = await postForm(server.tokenEndpoint, {
    client_id: resource.tokenVaultClient.clientId,
    client_secret: resource.tokenVaultClient.clientSecret,
    grant_type: TOKEN_VAULT_GRANT,
    subject_token: BOGUS,
    subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
    requested_token_type: "http://auth0.com/oauth/token-type/federated-connection-access-token",
    connection: "google-oauth2",
  });
  const fix = `Copy the client id and secret of the Custom API Client of the API ${resource.audience} into ${variables}, and tick its Token Vault grant. ${STEP_9}`;
  if (clientAuthenticationFailed(answer)) return fail(title, `the token endpoint refused ${variables} (${errorDescription(answer)})`, fix);
  if (oauthError(answer) === "unauthorized_client") return fail(title, `the client may not use Token Vault (${errorDescription(answer)}), so ${callers} cannot reach connected accounts`, fix);
  if (answer.status >= 400 && answer.status < 500) return pass(title, "authenticated, Token Vault enabled (a deliberately invalid token was refused as expected)");
  return fail(title, `unexpected answer to a deliberately invalid token: ${errorDescription(answer)}`, fix);
}

/**
 * Starts a device authorization for the chat API as `npm run cli -- login` does. The code it gets is never shown to
 * anyone and expires unused.
 */
async function checkTerminalSignIn(server: IdentityServer, config: Config): Promise<CheckResult> {
  const clientId = config.AUTH0_CLI_CLIENT_ID;
  if (!clientId) return skip(TERMINAL_SIGN_IN_TITLE, "AUTH0_CLI_CLIENT_ID is unset, so `npm run cli -- login` cannot sign in", STEP_9);
  const fix = `Create a Native application with the Device Code and Refresh Token grants, authorize it for the API ${protectedResource("api", config).audience} with the permission "chat", and set AUTH0_CLI_CLIENT_ID to its client id. ${STEP_9}`;
  if (!server.deviceEndpoint) return fail(TERMINAL_SIGN_IN_TITLE, "discovery lists no device_authorization_endpoint", fix);
  const answer = await postForm(server.deviceEndpoint, { client_id: clientId, scope: "openid chat", audience: protectedResource("api", config).audience });
  if (answer.status === 200 && typeof answer.body?.device_code === "string") return pass(TERMINAL_SIGN_IN_TITLE, `client ${clientId} may start a sign-in for the chat API`);
  return fail(TERMINAL_SIGN_IN_TITLE, `the device authorization endpoint refused client ${clientId}: ${errorDescription(answer)}`, fix);
}

export const PROTECTED_API_TITLES = [CUSTOM_API_CLIENT_TITLES.mcp, CUSTOM_API_CLIENT_TITLES.api, TERMINAL_SIGN_IN_TITLE];

export async function checkProtectedApis(server: IdentityServer, config: Config): Promise<CheckResult[]> {
  return Promise.all([checkCustomApiClient(server, config, "mcp"), checkCustomApiClient(server, config, "api"), checkTerminalSignIn(server, config)]);
}
