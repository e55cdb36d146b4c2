import { issuerUrl, type Config } from "@/lib/config";
import { fail, pass, type CheckResult } from "./check";
import { errorDescription, oauthError, postForm, request, type HttpAnswer } from "./http";

/**
 * The identity server as the app uses it: discovery, the client's credentials, and the grants the token endpoint
 * accepts for this client. Grants are probed with a deliberately invalid credential: Auth0 answers
 * `unauthorized_client` ("Grant type '…' not allowed for the client") when the grant is not enabled for the
 * application, and `invalid_grant` / `invalid_request` when it is enabled and the credential is bad (RFC 6749
 * §5.2; an unknown `auth_req_id` is `invalid_grant` by CIBA Core §11; an unknown refresh token is Auth0's 403
 * `invalid_grant` "Unknown or invalid refresh token."). Nothing is ever granted.
 */
export interface IdentityServer {
  issuer: string;
  tokenEndpoint: string;
  backchannelEndpoint?: string;
  deviceEndpoint?: string;
}

/** The app as a client of the identity server: the settings every token request needs. */
export type AppClient = Pick<Config, "AUTH0_DOMAIN" | "AUTH0_CLIENT_ID" | "AUTH0_CLIENT_SECRET" | "APP_BASE_URL">;

const APP_SETTINGS = "Auth0 Dashboard → Applications → Applications → your application";
const GRANT_TYPES_SETTING = `${APP_SETTINGS} → Settings → Advanced Settings → Grant Types`;
/** Never a real credential: every probe must be refused, whatever the configuration. */
export const BOGUS = "delegate-doctor-deliberately-invalid";

const DISCOVERY_TITLE = "Issuer discovery";

export async function checkDiscovery(config: Pick<Config, "AUTH0_DOMAIN">): Promise<{ result: CheckResult; server?: IdentityServer }> {
  const expected = issuerUrl(config);
  const fix = `Set AUTH0_DOMAIN to your tenant's domain as shown in ${APP_SETTINGS} → Settings → Domain (e.g. your-tenant.us.auth0.com, or your custom domain).`;
  let answer: HttpAnswer;
  try {
    answer = await request(new URL(".well-known/openid-configuration", expected));
  } catch (error) {
    return { result: fail(DISCOVERY_TITLE, (error as Error).message, fix) };
  }
  const doc = answer.body;
  if (answer.status !== 200 || typeof doc?.issuer !== "string" || typeof doc.token_endpoint !== "string") {
    return { result: fail(DISCOVERY_TITLE, `${expected}.well-known/openid-configuration answered HTTP ${answer.status} without an OpenID configuration`, fix) };
  }
  if (doc.issuer !== expected) {
    return {
      result: fail(
        DISCOVERY_TITLE,
        `the issuer says it is ${doc.issuer}, but AUTH0_DOMAIN makes the app expect ${expected}; tokens would be rejected`,
        `Set AUTH0_DOMAIN to ${URL.parse(doc.issuer)?.host ?? doc.issuer} (the issuer's host).`,
      ),
    };
  }
  const server: IdentityServer = {
    issuer: doc.issuer,
    tokenEndpoint: doc.token_endpoint,
    backchannelEndpoint: typeof doc.backchannel_authentication_endpoint === "string" ? doc.backchannel_authentication_endpoint : undefined,
    deviceEndpoint: typeof doc.device_authorization_endpoint === "string" ? doc.device_authorization_endpoint : undefined,
  };
  return { result: pass(DISCOVERY_TITLE, `issuer ${doc.issuer}`), server };
}

/** A client-authenticated token request; throws Unreachable when the token endpoint gives no answer. */
export function tokenRequest(server: IdentityServer, client: AppClient, params: Record<string, string>): Promise<HttpAnswer> {
  return postForm(server.tokenEndpoint, { client_id: client.AUTH0_CLIENT_ID, client_secret: client.AUTH0_CLIENT_SECRET, ...params });
}

/**
 * Auth0 answers a failed client authentication with 401 and `access_denied: Unauthorized` (or `invalid_client`,
 * the RFC 6749 code other servers use).
 */
export const clientAuthenticationFailed = (answer: HttpAnswer): boolean =>
  answer.status === 401 || oauthError(answer) === "invalid_client";

export const CREDENTIALS_TITLE = "Client ID and secret";
const CREDENTIALS_FIX =
  `Copy Client ID and Client Secret from ${APP_SETTINGS} → Settings into AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET. ` +
  `The application must be a Regular Web Application whose Credentials tab says "Client Secret (Post)".`;

/**
 * Exchanges a bogus authorization code: the token endpoint authenticates the client first, so a refused secret
 * answers 401 and an accepted one `invalid_grant` (the code). Every sign-in needs this grant anyway.
 */
export async function checkClientCredentials(server: IdentityServer, client: AppClient): Promise<CheckResult> {
  const answer = await tokenRequest(server, client, {
    grant_type: "authorization_code",
    code: BOGUS,
    redirect_uri: `${client.APP_BASE_URL.replace(/\/+$/, "")}/auth/callback`,
    code_verifier: BOGUS.padEnd(43, "-"),
  });
  if (clientAuthenticationFailed(answer)) {
    return fail(CREDENTIALS_TITLE, `the token endpoint refused AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET (${errorDescription(answer)})`, CREDENTIALS_FIX);
  }
  if (oauthError(answer) === "unauthorized_client") {
    return fail(CREDENTIALS_TITLE, "the application may not use the Authorization Code grant, so nobody can sign in", `Tick "Authorization Code" in ${GRANT_TYPES_SETTING}.`);
  }
  if (oauthError(answer) === "invalid_grant") return pass(CREDENTIALS_TITLE, `client ${client.AUTH0_CLIENT_ID} authenticated`);
  return fail(CREDENTIALS_TITLE, `unexpected answer to a client-authenticated request: ${errorDescription(answer)}`, CREDENTIALS_FIX);
}

export const TOKEN_VAULT_GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const CIBA_GRANT = "urn:openid:params:grant-type:ciba";

interface GrantProbe {
  title: string;
  /** The name of the grant on the Grant Types tab. */
  dashboardName: string;
  doc: string;
  why: string;
  params: Record<string, string>;
}

export const GRANT_PROBES = {
  refreshToken: {
    title: "Refresh Token grant",
    dashboardName: "Refresh Token",
    doc: "https://auth0.com/docs/secure/tokens/refresh-tokens/configure-refresh-token-rotation",
    why: "sessions cannot renew their tokens, connect accounts (My Account API) or use Token Vault",
    params: { grant_type: "refresh_token", refresh_token: BOGUS },
  },
  tokenVault: {
    title: "Token Vault grant",
    dashboardName: "Token Vault",
    doc: "https://auth0.com/docs/secure/tokens/token-vault/configure-token-vault",
    why: "no tool can call Google, GitHub or Slack for the user",
    params: {
      grant_type: TOKEN_VAULT_GRANT,
      subject_token: BOGUS,
      subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token",
      requested_token_type: "http://auth0.com/oauth/token-type/federated-connection-access-token",
      connection: "google-oauth2",
    },
  },
  ciba: {
    title: "CIBA grant",
    dashboardName: "Client Initiated Backchannel Authentication (CIBA)",
    doc: "https://auth0.com/docs/get-started/authentication-and-authorization-flow/client-initiated-backchannel-authentication-flow/configure-client-initiated-backchannel-authentication",
    why: "purchases cannot ask the user for approval on their phone",
    params: { grant_type: CIBA_GRANT, auth_req_id: BOGUS },
  },
} satisfies Record<string, GrantProbe>;

export async function checkGrant(server: IdentityServer, client: AppClient, probe: GrantProbe): Promise<CheckResult> {
  const enable = `Tick "${probe.dashboardName}" in ${GRANT_TYPES_SETTING} (${probe.doc}).`;
  const answer = await tokenRequest(server, client, probe.params);
  const code = oauthError(answer);
  if (code === "unauthorized_client") return fail(probe.title, `not enabled for this application, so ${probe.why}`, enable);
  if (code === "unsupported_grant_type") return fail(probe.title, `the identity server does not offer this grant, so ${probe.why}`, enable);
  if (clientAuthenticationFailed(answer)) return fail(probe.title, `client authentication refused (${errorDescription(answer)})`, CREDENTIALS_FIX);
  if (answer.status >= 400 && answer.status < 500) return pass(probe.title, "enabled (a deliberately invalid credential was refused as expected)");
  return fail(probe.title, `unexpected answer to a deliberately invalid credential: ${errorDescription(answer)}`, enable);
}

/** Token Vault and the refresh token grant, then CIBA with its /bc-authorize endpoint in discovery. */
export async function checkGrants(server: IdentityServer, client: AppClient): Promise<Record<keyof typeof GRANT_PROBES, CheckResult>> {
  const [refreshToken, tokenVault, ciba] = await Promise.all([
    checkGrant(server, client, GRANT_PROBES.refreshToken),
    checkGrant(server, client, GRANT_PROBES.tokenVault),
    checkGrant(server, client, GRANT_PROBES.ciba),
  ]);
  if (ciba.status === "pass" && !server.backchannelEndpoint) {
    return {
      refreshToken,
      tokenVault,
      ciba: fail(
        GRANT_PROBES.ciba.title,
        "discovery lists no backchannel_authentication_endpoint (/bc-authorize)",
        `Enable CIBA for the tenant (${GRANT_PROBES.ciba.doc}).`,
      ),
    };
  }
  return { refreshToken, tokenVault, ciba };
}
