import * as client from "openid-client";
import { isLoopback } from "./app";
import type { Credential } from "./credentials";
import { CliError } from "./errors";

/** What the CLI asks for: who the user is, a refresh token to stay signed in, and the chat API's one permission. */
export const LOGIN_SCOPE = "openid profile email offline_access chat";

/** The identity server's metadata, for a public client (no secret: a CLI cannot keep one). */
export async function identityServer(issuer: string, clientId: string): Promise<client.Configuration> {
  const url = new URL(issuer);
  // openid-client refuses plain http; the sandbox identity server on this machine is the one exception.
  const execute = url.protocol === "http:" && isLoopback(url) ? [client.allowInsecureRequests] : [];
  try {
    return await client.discovery(url, clientId, undefined, client.None(), { execute });
  } catch (error) {
    throw new CliError(`Cannot read the identity server's metadata at ${issuer} (${messageOf(error)}).`);
  }
}

export interface DeviceLogin {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  /** Polls at the server's interval, slowing down when told to, until the user confirms, denies or the code expires. */
  tokens(signal?: AbortSignal): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers>;
}

/** RFC 8628: asks for a device code for the chat API's audience (Auth0's `audience` parameter). */
export async function startDeviceLogin(config: client.Configuration, audience: string): Promise<DeviceLogin> {
  const device = await client.initiateDeviceAuthorization(config, { scope: LOGIN_SCOPE, audience }).catch((error: unknown) => {
    throw new CliError(`The identity server refused to start the sign-in: ${messageOf(error)}`);
  });
  return {
    userCode: device.user_code,
    verificationUri: device.verification_uri,
    verificationUriComplete: device.verification_uri_complete,
    expiresIn: device.expires_in,
    tokens: (signal) =>
      client.pollDeviceAuthorizationGrant(config, device, undefined, { signal }).catch((error: unknown) => {
        throw new CliError(deviceFailure(error));
      }),
  };
}

function deviceFailure(error: unknown): string {
  const code = error instanceof client.ResponseBodyError ? error.error : undefined;
  if (code === "access_denied") return "The sign-in was denied in the browser. Run login again to retry.";
  if (code === "expired_token") return "The code expired before it was confirmed. Run login again for a new one.";
  if (error instanceof Error && error.name === "AbortError") return "Sign-in cancelled.";
  return `The sign-in failed: ${messageOf(error)}`;
}

export function credentialFrom(
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  api: { issuer: string; clientId: string; audience: string },
  previous?: Credential,
  now = Date.now(),
): Credential {
  const claims = tokens.claims();
  const user = claims
    ? { sub: claims.sub, email: stringClaim(claims.email), name: stringClaim(claims.name) }
    : previous?.user;
  if (!user) throw new CliError("The identity server sent no ID token, so the CLI cannot tell who signed in.");
  return {
    ...api,
    accessToken: tokens.access_token,
    // A server that does not rotate refresh tokens sends none on refresh: the old one stays good.
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    expiresAt: now + (tokens.expiresIn() ?? 0) * 1000,
    user,
  };
}

export async function refresh(credential: Credential): Promise<Credential> {
  if (!credential.refreshToken) throw new CliError("Your sign-in has expired. Run `npm run cli -- login`.");
  const config = await identityServer(credential.issuer, credential.clientId);
  const tokens = await client.refreshTokenGrant(config, credential.refreshToken).catch((error: unknown) => {
    if (error instanceof client.ResponseBodyError && error.error === "invalid_grant")
      throw new CliError("Your sign-in has expired or was revoked. Run `npm run cli -- login`.");
    throw new CliError(`Could not renew your sign-in: ${messageOf(error)}`);
  });
  return credentialFrom(tokens, credential, credential);
}

/** RFC 7009, with the client id alone as a public client does. */
export async function revoke(credential: Credential): Promise<void> {
  if (!credential.refreshToken) return;
  const config = await identityServer(credential.issuer, credential.clientId);
  await client.tokenRevocation(config, credential.refreshToken, { token_type_hint: "refresh_token" });
}

const stringClaim = (value: unknown) => (typeof value === "string" ? value : undefined);

export function messageOf(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return error.error_description ?? error.error;
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}
