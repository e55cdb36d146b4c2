/**
 * The page behind `connect_uri`. At Auth0 the ticket leads the browser on to the provider's consent
 * screen; the sandbox has no provider to send it to, so it asks the user itself and then answers the
 * app's callback the way Auth0 would: `connect_code` on Allow, `error=access_denied` on Cancel.
 */
import express, { Router, type ErrorRequestHandler, type Response } from "express";
import { renderConnectErrorPage, renderConsentPage } from "./connect-page";
import type { ConnectedAccountStore } from "./connected-accounts";
import { describeScopes, findConnection } from "./connections";
import type { PendingConnect, PendingConnects } from "./pending-connects";
import { findUserBySub } from "./users";

export const CONNECT_PAGE_PATH = "/connect";

export interface ConnectRouteDependencies {
  pending: PendingConnects;
  accounts: ConnectedAccountStore;
  appName: string;
  onServerError: (error: unknown) => void;
}

const TICKET_GONE = "This connection request has expired or was already answered.";

function field(source: unknown, name: string): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
}

function redirectToApp(res: Response, pending: PendingConnect, params: Record<string, string>): void {
  const target = new URL(pending.redirectUri);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  if (pending.state) target.searchParams.set("state", pending.state);
  // 303: the browser must follow a form POST with a GET.
  res.redirect(303, target.href);
}

export function connectRoutes({ pending, accounts, appName, onServerError }: ConnectRouteDependencies): Router {
  const router = Router();

  router.get(CONNECT_PAGE_PATH, (req, res) => {
    const ticket = field(req.query, "ticket");
    const attempt = ticket ? pending.peekTicket(ticket) : undefined;
    const connection = attempt && findConnection(attempt.connection);
    const user = attempt && findUserBySub(attempt.sub);
    if (!attempt || !connection || !user) {
      res.status(400).type("html").send(renderConnectErrorPage(TICKET_GONE));
      return;
    }
    const existing = accounts.find(attempt.sub, attempt.connection);
    const granted = new Set(existing?.scopes ?? []);
    res.type("html").send(
      renderConsentPage({
        action: CONNECT_PAGE_PATH,
        ticket,
        appName,
        serviceName: connection.displayName,
        user,
        newScopes: describeScopes(
          connection,
          attempt.scopes.filter((scope) => !granted.has(scope)),
        ),
        grantedScopes: existing && describeScopes(connection, existing.scopes),
      }),
    );
  });

  router.post(CONNECT_PAGE_PATH, express.urlencoded({ extended: false }), async (req, res) => {
    const decision = field(req.body, "decision");
    if (decision !== "allow" && decision !== "cancel") {
      res.status(400).type("html").send(renderConnectErrorPage("Choose Allow or Cancel."));
      return;
    }
    const attempt = pending.takeTicket(field(req.body, "ticket"));
    if (!attempt) {
      res.status(400).type("html").send(renderConnectErrorPage(TICKET_GONE));
      return;
    }
    if (decision === "cancel") {
      pending.decide(attempt.authSession, { kind: "cancelled" });
      redirectToApp(res, attempt, {
        error: "access_denied",
        error_description: "The user cancelled the connection.",
      });
      return;
    }
    const account = await accounts.connect(attempt.sub, attempt.connection, attempt.scopes);
    const outcome = pending.decide(attempt.authSession, { kind: "allowed", accountId: account.id });
    if (outcome.kind !== "allowed") throw new Error("the connect attempt was not recorded as allowed");
    redirectToApp(res, attempt, { connect_code: outcome.connectCode });
  });

  const renderRouteError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    onServerError(error);
    res.status(500).type("html").send(renderConnectErrorPage("Something went wrong on the sandbox."));
  };
  router.use(CONNECT_PAGE_PATH, renderRouteError);

  return router;
}
