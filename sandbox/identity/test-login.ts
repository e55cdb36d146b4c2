/**
 * Drives a real `@auth0/nextjs-auth0` login against the sandbox identity server with no browser: the
 * identity half runs through fetch, a small cookie jar plays the browser, and the app half is either an
 * in-process `Auth0Client` (`auth0App`) or a running app over HTTP (`httpApp`). Tests and benchmarks use
 * it to get a signed-in session.
 */
import type { Auth0Client } from "@auth0/nextjs-auth0/server";
import { NextRequest } from "next/server";
import { SANDBOX_PASSWORD } from "./users";

/** Answers the app's /auth/* routes for a URL and the Cookie header a browser would send. */
export type AppRoutes = (url: URL, cookie: string) => Promise<Response>;

export const auth0App =
  (auth0: Auth0Client): AppRoutes =>
  (url, cookie) =>
    auth0.middleware(new NextRequest(url, { headers: cookie ? { cookie } : {} }));

export const httpApp: AppRoutes = (url, cookie) =>
  fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/**
 * One jar for every localhost origin, as in a browser: cookies are scoped by host, not port, so
 * the app's and the identity server's cookies sit side by side and are told apart by name and path.
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      let path = "/";
      let expired = value === "";
      for (const attribute of attributes) {
        const [key = "", attributeValue = ""] = attribute.split("=");
        switch (key.toLowerCase()) {
          case "path":
            path = attributeValue;
            break;
          case "max-age":
            expired ||= Number(attributeValue) <= 0;
            break;
          case "expires":
            expired ||= Date.parse(attributeValue) <= Date.now();
            break;
        }
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  /** The Cookie header a browser would send to `url`. */
  header(url: string | URL): string {
    const { pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter(({ path }) => pathname === path || pathname.startsWith(path.endsWith("/") ? path : `${path}/`))
      .map(({ name, value }) => `${name}=${value}`)
      .join("; ");
  }
}

export interface LoginPage {
  jar: CookieJar;
  /** Absolute URL the login form posts to. */
  action: URL;
}

export interface SandboxSession {
  /** Cookie header for requests to the app; it carries the nextjs-auth0 `__session` cookie. */
  appCookie: string;
  /** Holds the identity server's own session too, e.g. to follow a logout redirect. */
  jar: CookieJar;
}

export interface SignInOptions {
  email: string;
  password?: string;
  appBaseUrl?: string;
  /** Passed to /auth/login as `returnTo`. */
  returnTo?: string;
}

async function get(jar: CookieJar, url: URL): Promise<Response> {
  const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header(url) } });
  jar.store(response);
  return response;
}

function redirectTarget(response: Response, from: URL): URL {
  const location = response.headers.get("location");
  if (response.status < 300 || response.status >= 400 || !location) {
    throw new Error(`expected a redirect from ${from.pathname}, got HTTP ${response.status}`);
  }
  return new URL(location, from);
}

/** Starts a login at the app's /auth/login and follows redirects to the sandbox's login form. */
export async function openLoginPage(
  app: AppRoutes,
  { appBaseUrl = "http://localhost:3000", returnTo }: Omit<SignInOptions, "email" | "password"> = {},
): Promise<LoginPage> {
  const jar = new CookieJar();
  const loginUrl = new URL("/auth/login", appBaseUrl);
  if (returnTo) loginUrl.searchParams.set("returnTo", returnTo);
  const login = await app(loginUrl, "");
  jar.store(login);

  let url = redirectTarget(login, loginUrl);
  let response = await get(jar, url);
  while (response.status >= 300 && response.status < 400) {
    url = redirectTarget(response, url);
    response = await get(jar, url);
  }
  const html = await response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (response.status !== 200 || !action) {
    throw new Error(`expected the sandbox login form at ${url.pathname}, got HTTP ${response.status}`);
  }
  return { jar, action: new URL(action, url) };
}

/** Posts the login form; the response is the sandbox's answer, not yet followed. */
export async function submitLogin(page: LoginPage, email: string, password: string): Promise<Response> {
  const response = await fetch(page.action, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: page.jar.header(page.action) },
    body: new URLSearchParams({ email, password }),
  });
  page.jar.store(response);
  return response;
}

/**
 * Signs `email` in through the app's real /auth/login and /auth/callback routes and returns the
 * cookies of the resulting session.
 */
export async function signInWithSandbox(app: AppRoutes, options: SignInOptions): Promise<SandboxSession> {
  const appBaseUrl = options.appBaseUrl ?? "http://localhost:3000";
  const page = await openLoginPage(app, options);
  const submitted = await submitLogin(page, options.email, options.password ?? SANDBOX_PASSWORD);
  if (submitted.status === 401) throw new Error(`the sandbox rejected the credentials for ${options.email}`);

  const callbackPrefix = new URL("/auth/callback", appBaseUrl).href;
  let url = redirectTarget(submitted, page.action);
  while (!url.href.startsWith(callbackPrefix)) {
    url = redirectTarget(await get(page.jar, url), url);
  }

  const callback = await app(url, page.jar.header(url));
  page.jar.store(callback);
  if (callback.status < 300 || callback.status >= 400) {
    throw new Error(`the app's /auth/callback failed with HTTP ${callback.status}: ${await callback.text()}`);
  }
  return { appCookie: page.jar.header(appBaseUrl), jar: page.jar };
}

export interface ConnectAccountOptions {
  /** Auth0 connection name, e.g. `google-oauth2`. */
  connection: string;
  /** Provider scopes, sent to /auth/connect as repeated `scopes` parameters. */
  scopes?: readonly string[];
  /** The button pressed on the sandbox consent page. */
  decision: "allow" | "cancel";
  returnTo?: string;
  appBaseUrl?: string;
}

export interface ConnectAccountResult {
  /** The sandbox consent page as it was shown. */
  consentPage: string;
  /** The app's answer to /auth/callback, not followed: a redirect to `returnTo` when the connect worked. */
  callback: Response;
}

/**
 * Connects a service for a signed-in user the way a browser would: the app's /auth/connect, the
 * sandbox consent page, the chosen button, and the app's /auth/callback. Cookies the app and the
 * sandbox set along the way land in `session.jar`, and `session.appCookie` is brought up to date.
 */
export async function connectAccount(
  app: AppRoutes,
  session: SandboxSession,
  options: ConnectAccountOptions,
): Promise<ConnectAccountResult> {
  const appBaseUrl = options.appBaseUrl ?? "http://localhost:3000";
  const { jar } = session;
  const connectUrl = new URL("/auth/connect", appBaseUrl);
  connectUrl.searchParams.set("connection", options.connection);
  for (const scope of options.scopes ?? []) connectUrl.searchParams.append("scopes", scope);
  if (options.returnTo) connectUrl.searchParams.set("returnTo", options.returnTo);

  const connect = await app(connectUrl, jar.header(connectUrl));
  jar.store(connect);
  if (connect.status < 300 || connect.status >= 400) {
    throw new Error(`the app's /auth/connect failed with HTTP ${connect.status}: ${await connect.text()}`);
  }
  const pageUrl = redirectTarget(connect, connectUrl);
  const page = await get(jar, pageUrl);
  const consentPage = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(consentPage)?.[1];
  const ticket = /<input type="hidden" name="ticket" value="([^"]+)"/.exec(consentPage)?.[1];
  if (page.status !== 200 || !action || !ticket) {
    throw new Error(`expected the sandbox consent page at ${pageUrl.pathname}, got HTTP ${page.status}`);
  }

  const formUrl = new URL(action, pageUrl);
  const answered = await fetch(formUrl, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar.header(formUrl) },
    body: new URLSearchParams({ ticket, decision: options.decision }),
  });
  jar.store(answered);
  const callbackUrl = redirectTarget(answered, formUrl);
  if (!callbackUrl.href.startsWith(new URL("/auth/callback", appBaseUrl).href)) {
    const got = `${callbackUrl.origin}${callbackUrl.pathname}`;
    throw new Error(`expected the consent page to return to the app's /auth/callback, got ${got}`);
  }

  const callback = await app(callbackUrl, jar.header(callbackUrl));
  jar.store(callback);
  session.appCookie = jar.header(appBaseUrl);
  return { consentPage, callback };
}
