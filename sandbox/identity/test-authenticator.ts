/**
 * Drives the sandbox authenticator page over HTTP, the way a user on their phone would answer a
 * CIBA request: sign in through its form, find the request by its binding message, press Approve or
 * Deny. Tests of the app use `approveBackchannelRequest`; the smaller steps are exported for tests
 * of the page itself.
 */
import { CookieJar } from "./test-login";
import { SANDBOX_PASSWORD } from "./users";

export interface AuthenticatorSession {
  issuer: string;
  /** The identity server's cookies: its session and the sign-in form's token. */
  jar: CookieJar;
}

export interface ListedRequest {
  /** The page's id for the request (not the auth_req_id). */
  id: string;
  bindingMessage: string;
  /** The details' instruction, as Guardian shows it above the properties. */
  instruction?: string;
  /** Each displayed property as "Name: value", in the order shown. */
  details: string[];
  secondsLeft: number;
  /** The anti-forgery token its form carries. */
  csrf: string;
}

export interface AuthenticatorView {
  /** The "Approved: …" / "Denied: …" line, when the page shows one. */
  status?: string;
  requests: ListedRequest[];
  html: string;
}

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescapeHtml = (value: string) => value.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity);

async function send(session: AuthenticatorSession, path: string, form?: Record<string, string>): Promise<Response> {
  const url = new URL(path, session.issuer);
  const response = await fetch(url, {
    method: form ? "POST" : "GET",
    redirect: "manual",
    headers: { cookie: session.jar.header(url) },
    body: form && new URLSearchParams(form),
  });
  session.jar.store(response);
  return response;
}

/** Signs `email` in on the authenticator's own form, starting from a browser with no cookies. */
export async function signInToAuthenticator({
  issuer,
  email,
  password = SANDBOX_PASSWORD,
}: {
  issuer: string;
  email: string;
  password?: string;
}): Promise<AuthenticatorSession> {
  const session = { issuer, jar: new CookieJar() };
  const page = await send(session, "/authenticator");
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const loginToken = /name="login_token" value="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !action || !loginToken) {
    throw new Error(`expected the authenticator's sign-in form, got HTTP ${page.status}`);
  }
  const signedIn = await send(session, unescapeHtml(action), { email, password, login_token: unescapeHtml(loginToken) });
  if (signedIn.status !== 303) {
    throw new Error(`the authenticator refused to sign in ${email} (HTTP ${signedIn.status})`);
  }
  return session;
}

/** Reads the authenticator page as the session's user sees it. */
export async function readAuthenticator(session: AuthenticatorSession): Promise<AuthenticatorView> {
  const response = await send(session, "/authenticator");
  const html = await response.text();
  if (response.status !== 200 || !html.includes('id="pending-requests"')) {
    throw new Error(`expected the signed-in authenticator page, got HTTP ${response.status}`);
  }
  const requests: ListedRequest[] = [];
  for (const match of html.matchAll(/<article aria-label="([^"]*)" data-request-id="([^"]*)">([\s\S]*?)<\/article>/g)) {
    const [, label = "", id = "", body = ""] = match;
    const instruction = /<p class="instruction">([^<]*)<\/p>/.exec(body)?.[1];
    requests.push({
      id: unescapeHtml(id),
      bindingMessage: unescapeHtml(label),
      instruction: instruction === undefined ? undefined : unescapeHtml(instruction),
      details: [...body.matchAll(/<div><dt>([^<]*)<\/dt><dd>([^<]*)<\/dd><\/div>/g)].map(
        ([, name = "", value = ""]) => `${unescapeHtml(name)} ${unescapeHtml(value)}`,
      ),
      secondsLeft: Number(/data-seconds-left="(\d+)"/.exec(body)?.[1]),
      csrf: unescapeHtml(/name="csrf" value="([^"]*)"/.exec(body)?.[1] ?? ""),
    });
  }
  const status = /<p role="status">([^<]*)<\/p>/.exec(html)?.[1];
  return { status: status === undefined ? undefined : unescapeHtml(status), requests, html };
}

/** Presses Approve or Deny; the response is the page's answer, not followed (303 when it worked). */
export async function submitDecision(
  session: AuthenticatorSession,
  { requestId, decision, csrf }: { requestId: string; decision: "approve" | "deny"; csrf: string },
): Promise<Response> {
  return send(session, "/authenticator/decision", { csrf, request: requestId, decision });
}

export interface ApproveBackchannelRequestOptions {
  /** The identity server's issuer, e.g. `http://localhost:4000/`. */
  issuer: string;
  /** The user the request was sent to. */
  email: string;
  password?: string;
  /** Picks the request; the oldest pending one with this message when there are several. */
  bindingMessage: string;
  decision: "approve" | "deny";
  /** How long to wait for the request to show up, e.g. while the app is still sending it; default 10 s. */
  timeoutMs?: number;
}

/**
 * Answers a pending CIBA request on the authenticator page, as its user. Resolves with the page's
 * status line ("Approved: …" / "Denied: …"); throws if the request never shows up or the answer is refused.
 */
export async function approveBackchannelRequest(options: ApproveBackchannelRequestOptions): Promise<{ status: string }> {
  const session = await signInToAuthenticator(options);
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let request: ListedRequest | undefined;
  for (;;) {
    request = (await readAuthenticator(session)).requests.find(
      ({ bindingMessage }) => bindingMessage === options.bindingMessage,
    );
    if (request || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!request) {
    throw new Error(`no pending request "${options.bindingMessage}" for ${options.email} on the authenticator`);
  }
  const answered = await submitDecision(session, { requestId: request.id, decision: options.decision, csrf: request.csrf });
  if (answered.status !== 303) {
    throw new Error(`the authenticator refused the ${options.decision} (HTTP ${answered.status})`);
  }
  const { status } = await readAuthenticator(session);
  const expected = `${options.decision === "approve" ? "Approved" : "Denied"}: ${options.bindingMessage}`;
  if (status !== expected) throw new Error(`expected the status "${expected}", got "${status ?? "none"}"`);
  return { status };
}
