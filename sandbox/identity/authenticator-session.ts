/**
 * Who is using the authenticator page: the identity server's own session, the one its login page
 * creates during a sign-in to the app. Signing in on the authenticator creates that same session, so
 * the user is also signed in for the app afterwards, as with a single Auth0 session.
 *
 * Also the page's anti-forgery tokens: one per session for its forms, derived from the session and
 * the cookie keys so nothing has to be stored, and one in a strict same-site cookie for the sign-in
 * form, which has no session to derive from yet.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Provider } from "oidc-provider";
import { SESSION_TTL_SECONDS } from "./provider-config";
import { findUserBySub, type SandboxUser } from "./users";

export interface AuthenticatorUser {
  user: SandboxUser;
  /** The session's stable id; the anti-forgery token is bound to it. */
  sessionUid: string;
}

const LOGIN_TOKEN_COOKIE = "_authenticator_login";

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class AuthenticatorSessions {
  readonly #provider: Provider;
  readonly #csrfKey: string;
  readonly #cookiePath: string;

  constructor(options: { provider: Provider; cookieKeys: readonly string[]; cookiePath: string }) {
    const [key] = options.cookieKeys;
    if (!key) throw new Error("the authenticator needs a cookie key to derive its anti-forgery tokens");
    this.#provider = options.provider;
    this.#csrfKey = key;
    this.#cookiePath = options.cookiePath;
  }

  /** The signed-in user, if the session cookie names a live session of a user the sandbox knows. */
  async current(req: IncomingMessage, res: ServerResponse): Promise<AuthenticatorUser | undefined> {
    const session = await this.#provider.Session.get(this.#provider.createContext(req, res));
    const user = session.accountId ? findUserBySub(session.accountId) : undefined;
    return user && { user, sessionUid: session.uid };
  }

  /**
   * Starts a new session for `user`, replacing any session the browser had: a fresh session id at
   * sign-in keeps an id planted before it (session fixation) from ever carrying a signed-in user.
   */
  async signIn(req: IncomingMessage, res: ServerResponse, user: SandboxUser): Promise<void> {
    const ctx = this.#provider.createContext(req, res);
    const previous = await this.#provider.Session.get(ctx);
    if (!previous.new) await previous.destroy();
    const session = new this.#provider.Session();
    session.loginAccount({ accountId: user.sub });
    await session.save(SESSION_TTL_SECONDS);
    // The options oidc-provider gives its own session cookie, so both pages write the same cookie.
    ctx.cookies.set(this.#provider.cookieName("session"), session.id, {
      httpOnly: true,
      sameSite: "lax",
      expires: new Date(Date.now() + SESSION_TTL_SECONDS * 1000),
    });
    ctx.cookies.set(LOGIN_TOKEN_COOKIE, null, { path: this.#cookiePath });
  }

  /** Ends the whole sandbox session, as the app's logout does, so another user can sign in. */
  async signOut(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.#provider.createContext(req, res);
    const session = await this.#provider.Session.get(ctx);
    if (!session.new) await session.destroy();
    ctx.cookies.set(this.#provider.cookieName("session"), null);
  }

  csrfToken(sessionUid: string): string {
    return createHmac("sha256", this.#csrfKey).update(`authenticator:${sessionUid}`).digest("base64url");
  }

  csrfTokenMatches(sessionUid: string, token: string): boolean {
    return sameToken(this.csrfToken(sessionUid), token);
  }

  /** The sign-in form's token; kept across page loads, so two open tabs both work. */
  loginToken(req: IncomingMessage, res: ServerResponse): string {
    const cookies = this.#provider.createContext(req, res).cookies;
    const existing = cookies.get(LOGIN_TOKEN_COOKIE);
    if (existing) return existing;
    const token = randomBytes(24).toString("base64url");
    // Strict: a form posted from another site arrives without it, so it cannot sign anyone in.
    cookies.set(LOGIN_TOKEN_COOKIE, token, { httpOnly: true, sameSite: "strict", path: this.#cookiePath });
    return token;
  }

  loginTokenMatches(req: IncomingMessage, res: ServerResponse, token: string): boolean {
    const expected = this.#provider.createContext(req, res).cookies.get(LOGIN_TOKEN_COOKIE);
    return Boolean(expected) && sameToken(expected ?? "", token);
  }
}
