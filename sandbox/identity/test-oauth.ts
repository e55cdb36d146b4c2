/**
 * Drives the sandbox identity server the way other applications do, with no browser: Dynamic Client Registration,
 * an authorization code flow with PKCE through the real /authorize, login and consent pages (a cookie jar plays
 * the browser, as in test-login.ts), and the user's side of the device flow on /activate.
 */
import { createHash, randomBytes } from "node:crypto";
import { CookieJar } from "./test-login";
import { SANDBOX_PASSWORD } from "./users";

/** A token endpoint's successful answer. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

/** RFC 7591's registration request, or any JSON a test sends instead. */
export type ClientMetadata = Record<string, unknown>;

/** RFC 7591's answer to a registration; `client_secret` only for a confidential client. */
export interface RegisteredClient extends ClientMetadata {
  client_id: string;
  client_secret?: string;
}

/** POSTs the metadata to /oidc/register and returns the raw answer, refusals included. */
export function postRegistration(issuer: string, metadata: unknown): Promise<Response> {
  return fetch(new URL("oidc/register", issuer), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(metadata),
  });
}

/** Registers a client; throws with the server's error when it refuses. */
export async function registerClient(issuer: string, metadata: ClientMetadata): Promise<RegisteredClient> {
  const response = await postRegistration(issuer, metadata);
  const body = (await response.json()) as RegisteredClient & { error?: string; error_description?: string };
  if (response.status !== 201) throw new Error(`registration refused (HTTP ${response.status}): ${body.error} ${body.error_description ?? ""}`);
  return body;
}

export interface PkceAuthorizationOptions {
  clientId: string;
  /** For a confidential (client_secret_post) registered client. */
  clientSecret?: string;
  redirectUri: string;
  /** RFC 8707 `resource`, sent to /authorize and to the token endpoint, as MCP clients do. */
  resource?: string;
  /** Auth0's `audience`, sent to /authorize only, as Auth0's own SDKs do. */
  audience?: string;
  scopes: readonly string[];
  email: string;
  password?: string;
  /** The button pressed on the consent screen, if one is shown. Default "allow". */
  consent?: "allow" | "deny";
}

export interface PkceAuthorization {
  /** The token endpoint's answer to the code exchange; absent when the authorization ended in an error. */
  tokens?: TokenResponse;
  /** The error sent back to the redirect URI (e.g. access_denied), or the token endpoint's refusal. */
  error?: { error: string; error_description?: string };
  /** The consent screen's HTML as shown, when one was. */
  consentPage?: string;
}

const base64url = (buffer: Buffer) => buffer.toString("base64url");

async function get(jar: CookieJar, url: URL): Promise<Response> {
  const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header(url) } });
  jar.store(response);
  return response;
}

async function postForm(jar: CookieJar, url: URL, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar.header(url) },
    body: new URLSearchParams(fields),
  });
  jar.store(response);
  return response;
}

const isRedirect = (response: Response) => response.status >= 300 && response.status < 400 && response.headers.has("location");
const formAction = (html: string, pathEnd: string) =>
  [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((match) => match[1]!).find((action) => action.endsWith(pathEnd));
const hiddenFields = (html: string) =>
  Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)].map((match) => [match[1]!, match[2]!]));

/**
 * The user's side of a page in an interaction: the login form gets the email and password, the consent screen
 * the chosen button. Returns the next response, and the consent page if that is what was answered.
 */
async function answerPage(
  jar: CookieJar,
  url: URL,
  html: string,
  answers: { email: string; password: string; consent: "allow" | "deny" },
): Promise<{ response: Response; consentPage?: string }> {
  const login = formAction(html, "/login");
  if (login) return { response: await postForm(jar, new URL(login, url), { email: answers.email, password: answers.password }) };
  const consent = formAction(html, "/consent");
  if (consent) return { response: await postForm(jar, new URL(consent, url), { decision: answers.consent }), consentPage: html };
  throw new Error(`expected a login or consent page at ${url.pathname}, got: ${html.slice(0, 300)}`);
}

/**
 * An authorization code flow with PKCE (S256) as an MCP client runs it: /authorize with `resource`, the sandbox's
 * login and, for a third-party client, its consent screen, then the code exchange with the verifier.
 */
export async function authorizeWithPkce(issuer: string, options: PkceAuthorizationOptions): Promise<PkceAuthorization> {
  const jar = new CookieJar();
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const authorize = new URL("authorize", issuer);
  const scope = options.scopes.join(" ");
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: "code",
    scope,
    state,
    code_challenge: base64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
    ...(options.resource && { resource: options.resource }),
    ...(options.audience && { audience: options.audience }),
    // As the MCP SDK does: oidc-provider (like the OAuth 2.1 drafts) keeps offline_access only with prompt=consent.
    ...(options.scopes.includes("offline_access") && { prompt: "consent" }),
  }).toString();

  const answers = { email: options.email, password: options.password ?? SANDBOX_PASSWORD, consent: options.consent ?? "allow" };
  const redirectTarget = new URL(options.redirectUri);
  const returned = (url: URL) => url.origin === redirectTarget.origin && url.pathname === redirectTarget.pathname;
  let consentPage: string | undefined;
  let url = authorize;
  let response = await get(jar, url);
  for (let step = 0; step < 12; step++) {
    if (isRedirect(response)) {
      url = new URL(response.headers.get("location")!, url);
      if (returned(url)) break;
      response = await get(jar, url);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} at ${url.pathname}: ${html.slice(0, 300)}`);
    const answered = await answerPage(jar, url, html, answers);
    consentPage ??= answered.consentPage;
    response = answered.response;
  }
  if (!returned(url)) throw new Error(`the authorization never returned to ${options.redirectUri}`);
  if (url.searchParams.get("state") !== state) throw new Error("the redirect's state does not match the request's");

  const error = url.searchParams.get("error");
  if (error) return { error: { error, error_description: url.searchParams.get("error_description") ?? undefined }, consentPage };
  const code = url.searchParams.get("code");
  if (!code) throw new Error(`the redirect carried neither code nor error: ${url.href}`);

  const exchange = await fetch(new URL("oauth/token", issuer), {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: options.redirectUri,
      code_verifier: verifier,
      client_id: options.clientId,
      ...(options.clientSecret && { client_secret: options.clientSecret }),
      ...(options.resource && { resource: options.resource }),
    }),
  });
  const body = (await exchange.json()) as TokenResponse & { error?: string; error_description?: string };
  if (!exchange.ok) return { error: { error: String(body.error), error_description: body.error_description }, consentPage };
  return { tokens: body, consentPage };
}

export interface DeviceApproval {
  /** The last page shown: the success page, or the code page with its error. */
  page: string;
}

/**
 * The user's side of the device flow: opens verification_uri_complete (`/activate?user_code=…`), confirms or denies
 * the code, and signs in with the sandbox login when confirming. Consent is skipped for the first-party CLI.
 */
export async function approveDeviceCode(
  issuer: string,
  userCode: string,
  email: string,
  decision: "confirm" | "deny" = "confirm",
): Promise<DeviceApproval> {
  const jar = new CookieJar();
  const activate = new URL("activate", issuer);
  activate.searchParams.set("user_code", userCode);
  // oidc-provider answers verification_uri_complete with a form that posts itself, as a browser would.
  const autoPost = await get(jar, activate);
  const fields = hiddenFields(await autoPost.text());
  if (!fields.xsrf) throw new Error(`expected the self-posting code form at /activate, got HTTP ${autoPost.status}`);
  const confirmPage = await postForm(jar, new URL("activate", issuer), fields);
  const html = await confirmPage.text();
  const confirmFields = hiddenFields(html);
  if (!confirmFields.xsrf || !html.includes('name="confirm"')) return { page: html };

  let response = await postForm(jar, new URL("activate", issuer), {
    xsrf: confirmFields.xsrf,
    user_code: confirmFields.user_code ?? userCode,
    ...(decision === "confirm" ? { confirm: "yes" } : { abort: "yes" }),
  });
  let url = new URL("activate", issuer);
  for (let step = 0; step < 12; step++) {
    if (isRedirect(response)) {
      url = new URL(response.headers.get("location")!, url);
      response = await get(jar, url);
      continue;
    }
    const page = await response.text();
    if (!formAction(page, "/login")) return { page };
    response = (await answerPage(jar, url, page, { email, password: SANDBOX_PASSWORD, consent: "allow" })).response;
  }
  throw new Error("the device approval did not finish");
}
