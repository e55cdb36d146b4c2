/**
 * `/authenticator`: where a sandbox user answers the app's CIBA requests, as they would on their phone
 * at Auth0. It needs no OIDC client: it signs the user in to the identity server's own session.
 *
 * Every form posts an anti-forgery token, and an answer only ever reaches a request of the signed-in
 * user; anything else is refused without touching the request.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import type { Provider } from "oidc-provider";
import type { ApiAudiences } from "./api-audiences";
import { answerBackchannelRequest, type BackchannelDecision } from "./backchannel-answers";
import type { BackchannelRequests } from "./backchannel-requests";
import {
  AUTHENTICATOR_HEADING,
  AUTHENTICATOR_PATH,
  AUTHENTICATOR_PATHS,
  renderAuthenticatorError,
  renderAuthenticatorPage,
  renderPendingSection,
} from "./authenticator-page";
import { AuthenticatorSessions } from "./authenticator-session";
import { renderLoginPage } from "./login-page";
import { authenticate } from "./users";

export interface AuthenticatorDependencies {
  provider: Provider;
  cookieKeys: readonly string[];
  requests: BackchannelRequests;
  apiAudiences: ApiAudiences;
  onServerError: (error: unknown) => void;
  now?: () => number;
}

const STALE_FORM = "This form has expired. Reload the authenticator and try again.";
const REQUEST_GONE = "This request was not found: it has expired, was already answered, or is not yours.";

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

/** The "Approved: …" line shown once after a redirect, per session; in memory like the requests. */
class StatusLines {
  readonly #bySession = new Map<string, string>();

  set(sessionUid: string, line: string): void {
    this.#bySession.set(sessionUid, line);
  }

  take(sessionUid: string): string | undefined {
    const line = this.#bySession.get(sessionUid);
    this.#bySession.delete(sessionUid);
    return line;
  }
}

export function authenticatorRoutes(deps: AuthenticatorDependencies): Router {
  const { provider, requests, apiAudiences, now = Date.now } = deps;
  const sessions = new AuthenticatorSessions({ provider, cookieKeys: deps.cookieKeys, cookiePath: AUTHENTICATOR_PATH });
  const statusLines = new StatusLines();
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: "16kb" });

  const sendLoginPage = (req: Request, res: Response, status = 200, email = "", error?: string) => {
    res
      .status(status)
      .type("html")
      .send(
        renderLoginPage({
          action: AUTHENTICATOR_PATHS.signIn,
          heading: AUTHENTICATOR_HEADING,
          intro: "Sign in to answer the requests Delegate sends for your approval.",
          email,
          error,
          hiddenFields: { login_token: sessions.loginToken(req, res) },
        }),
      );
  };
  const sendError = (res: Response, status: number, message: string) => {
    res.status(status).type("html").send(renderAuthenticatorError(message));
  };
  const backToPage = (res: Response) => res.redirect(303, AUTHENTICATOR_PATH);

  // Pages about one person's pending approvals: never from a cache.
  router.use(AUTHENTICATOR_PATH, (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  router.get(AUTHENTICATOR_PATHS.page, async (req, res) => {
    const current = await sessions.current(req, res);
    if (!current) {
      sendLoginPage(req, res);
      return;
    }
    res.type("html").send(
      renderAuthenticatorPage({
        user: current.user,
        requests: requests.pendingFor(current.user.sub),
        csrfToken: sessions.csrfToken(current.sessionUid),
        status: statusLines.take(current.sessionUid),
        now: now(),
      }),
    );
  });

  // The page's list alone, fetched by the page every two seconds.
  router.get(AUTHENTICATOR_PATHS.pending, async (req, res) => {
    const current = await sessions.current(req, res);
    if (!current) {
      res.status(401).type("text").send("Sign in to the authenticator first.");
      return;
    }
    const csrfToken = sessions.csrfToken(current.sessionUid);
    res.type("html").send(renderPendingSection(requests.pendingFor(current.user.sub), csrfToken, now()));
  });

  router.post(AUTHENTICATOR_PATHS.signIn, form, async (req, res) => {
    if (!sessions.loginTokenMatches(req, res, field(req.body, "login_token"))) {
      sendError(res, 403, STALE_FORM);
      return;
    }
    const email = field(req.body, "email");
    const user = authenticate(email, field(req.body, "password"));
    if (!user) {
      sendLoginPage(req, res, 401, email, "Wrong email or password. Use one of the sandbox users listed below.");
      return;
    }
    await sessions.signIn(req, res, user);
    backToPage(res);
  });

  router.post(AUTHENTICATOR_PATHS.signOut, form, async (req, res) => {
    const current = await sessions.current(req, res);
    if (current && !sessions.csrfTokenMatches(current.sessionUid, field(req.body, "csrf"))) {
      sendError(res, 403, STALE_FORM);
      return;
    }
    if (current) await sessions.signOut(req, res);
    backToPage(res);
  });

  router.post(AUTHENTICATOR_PATHS.decision, form, async (req, res) => {
    const current = await sessions.current(req, res);
    if (!current) {
      sendError(res, 401, "You are signed out. Sign in to the authenticator again.");
      return;
    }
    if (!sessions.csrfTokenMatches(current.sessionUid, field(req.body, "csrf"))) {
      sendError(res, 403, STALE_FORM);
      return;
    }
    const decision = field(req.body, "decision");
    if (decision !== "approve" && decision !== "deny") {
      sendError(res, 400, "Choose Approve or Deny.");
      return;
    }
    const request = requests.take(field(req.body, "request"), current.user.sub);
    const answered =
      request !== undefined &&
      (await answerBackchannelRequest(provider, apiAudiences, request, decision satisfies BackchannelDecision));
    if (!request || !answered) {
      sendError(res, 404, REQUEST_GONE);
      return;
    }
    statusLines.set(current.sessionUid, `${decision === "approve" ? "Approved" : "Denied"}: ${request.bindingMessage}`);
    backToPage(res);
  });

  const renderRouteError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // express.urlencoded's own failures (too large, bad charset) carry a 4xx status.
    const status = (error as { status?: unknown } | undefined)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      sendError(res, 400, "The form could not be read.");
      return;
    }
    deps.onServerError(error);
    sendError(res, 500, "Something went wrong on the sandbox.");
  };
  router.use(AUTHENTICATOR_PATH, renderRouteError);

  return router;
}
