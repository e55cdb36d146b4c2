/**
 * Dynamic Client Registration (RFC 7591) at Auth0's path, `/oidc/register`, as Auth0 runs it once "OIDC Dynamic
 * Application Registration" is on: open (no initial access token), and every registered application is a
 * third-party one (auth0.com/docs/get-started/applications/dynamic-client-registration). oidc-provider does the
 * registering; this policy runs first and holds the metadata to what such an application may be here: a client
 * for the authorization code flow with PKCE (and refresh tokens), public unless it asks for Auth0's other method
 * (`client_secret_post`), with redirect URIs that are https or an http loopback address (RFC 8252 §7.3, §8.3).
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";

export const REGISTRATION_PATH = "/oidc/register";

const ALLOWED_GRANT_TYPES = new Set(["authorization_code", "refresh_token"]);
// Auth0 offers registered applications these two; `none` is the default here because MCP clients are public.
const ALLOWED_AUTH_METHODS = new Set(["none", "client_secret_post"]);
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

class RegistrationRefusal extends Error {
  constructor(
    readonly error: "invalid_redirect_uri" | "invalid_client_metadata",
    description: string,
  ) {
    super(description);
  }
}

export function redirectUriProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "every redirect URI must be a string";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${value} is not an absolute URL`;
  }
  if (url.hash) return `${value} has a fragment, which a redirect URI must not (RFC 6749 §3.1.2)`;
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `${value} must use https, or http on a loopback address (localhost, 127.0.0.1, [::1])`;
}

const stringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** The metadata oidc-provider is given, or a refusal with RFC 7591 §3.2.2's error code. */
export function registrationMetadata(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RegistrationRefusal("invalid_client_metadata", "the registration request must be a JSON object");
  }
  const metadata: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const { redirect_uris: redirectUris } = metadata;
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
    throw new RegistrationRefusal("invalid_redirect_uri", "redirect_uris must list at least one redirect URI");
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new RegistrationRefusal("invalid_redirect_uri", problem);
  }

  metadata.grant_types ??= ["authorization_code", "refresh_token"];
  if (!stringList(metadata.grant_types) || !metadata.grant_types.includes("authorization_code") || metadata.grant_types.some((grant) => !ALLOWED_GRANT_TYPES.has(grant))) {
    throw new RegistrationRefusal("invalid_client_metadata", "grant_types may only be authorization_code and refresh_token, and must include authorization_code");
  }
  metadata.response_types ??= ["code"];
  if (!stringList(metadata.response_types) || metadata.response_types.join(" ") !== "code") {
    throw new RegistrationRefusal("invalid_client_metadata", "response_types must be [\"code\"]");
  }
  metadata.token_endpoint_auth_method ??= "none";
  if (typeof metadata.token_endpoint_auth_method !== "string" || !ALLOWED_AUTH_METHODS.has(metadata.token_endpoint_auth_method)) {
    throw new RegistrationRefusal("invalid_client_metadata", "token_endpoint_auth_method must be none or client_secret_post");
  }
  // A registered application may not pick its own identifier or secret, nor widen its scopes: Auth0 assigns them.
  for (const name of ["client_id", "client_secret", "scope"]) delete metadata[name];
  return metadata;
}

const refuse: RequestHandler = (req, res, next) => {
  try {
    // oidc-provider reads an already parsed body from req.body, and a string as JSON.
    req.body = JSON.stringify(registrationMetadata(req.body));
    next();
  } catch (error) {
    if (!(error instanceof RegistrationRefusal)) throw error;
    res.status(400).set("Cache-Control", "no-store").json({ error: error.error, error_description: error.message });
  }
};

const unreadable: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const status = (error as { status?: unknown } | undefined)?.status;
  if (res.headersSent || typeof status !== "number" || status < 400 || status >= 500) {
    next(error);
    return;
  }
  res.status(400).json({ error: "invalid_client_metadata", error_description: "the registration request is not readable JSON" });
};

export function registrationPolicy(): Router {
  const router = Router();
  router.post(REGISTRATION_PATH, express.json({ limit: "56kb" }), refuse);
  router.use(REGISTRATION_PATH, unreadable);
  return router;
}
