/**
 * Auth0's My Account API, Connected Accounts part (`/me/v1/connected-accounts/*`), as nextjs-auth0
 * calls it from `/auth/connect`, `/auth/callback` and its account helpers.
 *
 * Errors carry both Auth0's problem-details fields (`type`, `title`, `detail`, `status`), which
 * nextjs-auth0 copies into its `MyAccountApiError`, and OAuth's `error` / `error_description`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { STATUS_CODES } from "node:http";
import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from "express";
import { z } from "zod";
import type { ConnectedAccount, ConnectedAccountStore } from "./connected-accounts";
import { connections, findConnection, IMPLIED_SCOPES, unsupportedScopes } from "./connections";
import { InvalidToken } from "./api-access-token";
import { MY_ACCOUNT_SCOPES, type MyAccountCaller, type MyAccountScope, type MyAccountTokenVerifier } from "./my-account";
import type { PendingConnects } from "./pending-connects";

export const CONNECTED_ACCOUNTS_PATH = "/me/v1/connected-accounts";

export interface ConnectedAccountsApiDependencies {
  verifyToken: MyAccountTokenVerifier;
  accounts: ConnectedAccountStore;
  pending: PendingConnects;
  clientId: string;
  /** The app's registered callback URLs; `redirect_uri` must be one of them. */
  redirectUris: readonly string[];
  /** Absolute URL of the sandbox consent page. */
  connectUri: string;
  /** For `WWW-Authenticate`: the API's audience. */
  audience: string;
  onServerError: (error: unknown) => void;
}

interface ValidationError {
  field: string;
  detail: string;
}

class ApiError extends Error {
  readonly status: number;
  readonly error: string;
  readonly validationErrors?: ValidationError[];

  constructor(status: number, error: string, detail: string, validationErrors?: ValidationError[]) {
    super(detail);
    this.status = status;
    this.error = error;
    this.validationErrors = validationErrors;
  }
}

function sendError(res: Response, { status, error, message, validationErrors }: ApiError): void {
  res.status(status).json({
    type: "about:blank",
    status,
    title: STATUS_CODES[status] ?? "Error",
    detail: message,
    error,
    error_description: message,
    ...(validationErrors && { validation_errors: validationErrors }),
  });
}

// RFC 6750 §3: `Bearer realm="…", error="…", …`; without credentials there is no error attribute.
function bearerChallenge(audience: string, fields: Record<string, string> = {}): string {
  const attributes = Object.entries({ realm: audience, ...fields }).map(([key, value]) => `${key}="${value}"`);
  return `Bearer ${attributes.join(", ")}`;
}

function invalidRequest(detail: string, validationErrors?: ValidationError[]): ApiError {
  return new ApiError(400, "invalid_request", detail, validationErrors);
}

// As for a wrong authorization code at a token endpoint: the request was well-formed, the proof was not.
function invalidGrant(detail: string): ApiError {
  return new ApiError(400, "invalid_grant", detail);
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const validationErrors = result.error.issues.map((issue) => ({
    field: issue.path.join(".") || "body",
    detail: issue.message,
  }));
  const fields = [...new Set(validationErrors.map(({ field }) => field))].join(", ");
  throw invalidRequest(`Invalid request body: check ${fields}.`, validationErrors);
}

/**
 * `GET /me/v1/connected-accounts/accounts` pages with a `from` cursor and `take` (1–20, default 10); the
 * answer's `next` is the cursor of the following page, absent on the last one
 * (auth0.com/docs/api/myaccount/connected-accounts/get-a-list-of-connected-accounts).
 */
const accountsQuery = z.object({
  from: z.string().min(1).max(256).optional(),
  take: z.coerce.number().int().min(1).max(20).default(10),
  connection: z.string().min(1).max(128).optional(),
});

// Opaque to the client, as Auth0's are: the id of the first account of the page it names.
const cursorOf = (accountId: string) => Buffer.from(accountId).toString("base64url");

function parseQuery<T>(schema: z.ZodType<T>, query: unknown): T {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const validationErrors = result.error.issues.map((issue) => ({ field: issue.path.join("."), detail: issue.message }));
  const fields = [...new Set(validationErrors.map(({ field }) => field))].join(", ");
  throw invalidRequest(`Invalid query string: check ${fields}.`, validationErrors);
}

const connectBody = z.object({
  connection: z.string().min(1).max(128),
  redirect_uri: z.string().min(1).max(2048),
  state: z.string().min(1).max(4096).optional(),
  code_challenge: z.string().min(43).max(128),
  code_challenge_method: z.literal("S256"),
  scopes: z.array(z.string().min(1).max(255)).max(100).optional(),
  // Passed to the provider's authorize request at Auth0; the sandbox has no provider to pass them to.
  authorization_params: z.record(z.string(), z.unknown()).optional(),
});

const completeBody = z.object({
  auth_session: z.string().min(1).max(64),
  // nextjs-auth0 sends null when the callback had no connect_code (a cancelled connect).
  connect_code: z.string().max(64).nullish(),
  redirect_uri: z.string().min(1).max(2048),
  code_verifier: z.string().min(43).max(128).nullish(),
});

const digest = (value: string) => createHash("sha256").update(value).digest();
// Comparing digests keeps the time taken independent of where two secrets differ.
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

function accountView(account: ConnectedAccount) {
  // No expires_at: Auth0 sends it only when the provider's refresh token expires, and nothing here does.
  return {
    id: account.id,
    connection: account.connection,
    access_type: "offline",
    scopes: account.scopes,
    created_at: account.createdAt,
  };
}

export function connectedAccountsApi(deps: ConnectedAccountsApiDependencies): Router {
  const router = Router();

  const callerOf = (res: Response): MyAccountCaller => res.locals.caller as MyAccountCaller;

  const authenticate: RequestHandler = async (req, res, next) => {
    const match = /^Bearer\s+([^\s]+)\s*$/i.exec(req.get("authorization") ?? "");
    if (!match?.[1]) {
      res.set("WWW-Authenticate", bearerChallenge(deps.audience));
      throw new ApiError(401, "invalid_token", "A bearer access token for the My Account API is required.");
    }
    try {
      res.locals.caller = await deps.verifyToken(match[1]);
    } catch (error) {
      if (!(error instanceof InvalidToken)) throw error;
      res.set(
        "WWW-Authenticate",
        bearerChallenge(deps.audience, { error: error.error, error_description: error.message }),
      );
      throw new ApiError(401, error.error, `Invalid access token: ${error.message}.`);
    }
    next();
  };

  const requireScope =
    (scope: MyAccountScope): RequestHandler =>
    (_req, res, next) => {
      if (!callerOf(res).scopes.has(scope)) {
        res.set("WWW-Authenticate", bearerChallenge(deps.audience, { error: "insufficient_scope", scope }));
        throw new ApiError(403, "insufficient_scope", `The access token lacks the scope ${scope}.`);
      }
      next();
    };

  router.use(CONNECTED_ACCOUNTS_PATH, express.json({ limit: "64kb" }), authenticate);

  router.post(`${CONNECTED_ACCOUNTS_PATH}/connect`, requireScope(MY_ACCOUNT_SCOPES.create), (req, res) => {
    const body = parseBody(connectBody, req.body);
    const connection = findConnection(body.connection);
    if (!connection) {
      const known = connections.map(({ name }) => name).join(", ");
      throw invalidRequest(`Unknown connection "${body.connection}". The sandbox offers: ${known}.`, [
        { field: "connection", detail: `must be one of ${known}` },
      ]);
    }
    if (!deps.redirectUris.includes(body.redirect_uri)) {
      throw invalidRequest(
        `The redirect_uri "${body.redirect_uri}" is not a callback URL registered for the application.`,
        [{ field: "redirect_uri", detail: "must be a registered callback URL" }],
      );
    }
    const requested = body.scopes ?? [];
    const unsupported = unsupportedScopes(connection, requested);
    if (unsupported.length > 0) {
      const names = unsupported.map((scope) => `"${scope}"`).join(", ");
      throw invalidRequest(`The connection "${connection.name}" does not support the scope ${names}.`, [
        { field: "scopes", detail: `unsupported: ${unsupported.join(" ")}` },
      ]);
    }

    const attempt = deps.pending.start({
      sub: callerOf(res).sub,
      clientId: deps.clientId,
      connection: connection.name,
      redirectUri: body.redirect_uri,
      state: body.state ?? "",
      codeChallenge: body.code_challenge,
      scopes: [...new Set(requested.filter((scope) => !IMPLIED_SCOPES.has(scope)))],
    });
    res.status(201).json({
      connect_uri: deps.connectUri,
      connect_params: { ticket: attempt.ticket },
      auth_session: attempt.authSession,
      expires_in: deps.pending.ticketTtlSeconds,
    });
  });

  router.post(`${CONNECTED_ACCOUNTS_PATH}/complete`, requireScope(MY_ACCOUNT_SCOPES.create), (req, res) => {
    const body = parseBody(completeBody, req.body);
    const caller = callerOf(res);
    const attempt = deps.pending.takeSession(body.auth_session, caller.sub);
    if (!attempt) throw invalidRequest("The connect session is unknown, expired or already completed.");
    const { decision } = attempt;
    if (decision?.kind === "cancelled") {
      throw new ApiError(400, "access_denied", "The user cancelled the connection on the consent page.");
    }
    if (!decision) throw invalidRequest("The user has not answered the consent page yet.");
    if (!body.connect_code || !sameSecret(body.connect_code, decision.connectCode)) {
      throw invalidGrant("The connect_code is missing or does not belong to this connect session.");
    }
    if (body.redirect_uri !== attempt.redirectUri) {
      throw invalidGrant("The redirect_uri differs from the one the connect session started with.");
    }
    if (!body.code_verifier || !sameSecret(s256(body.code_verifier), attempt.codeChallenge)) {
      throw invalidGrant("PKCE verification failed: the code_verifier does not match the code_challenge.");
    }
    const account = deps.accounts.list(caller.sub).find(({ id }) => id === decision.accountId);
    if (!account) throw invalidRequest("The connected account was removed before the connection completed.");
    res.status(201).json(accountView(account));
  });

  router.get(`${CONNECTED_ACCOUNTS_PATH}/accounts`, requireScope(MY_ACCOUNT_SCOPES.read), (req, res) => {
    const { from, take, connection } = parseQuery(accountsQuery, req.query);
    const accounts = deps.accounts
      .list(callerOf(res).sub)
      .filter((account) => connection === undefined || account.connection === connection)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const start = from === undefined ? 0 : accounts.findIndex(({ id }) => cursorOf(id) === from);
    if (start < 0) {
      throw invalidRequest("The from cursor is unknown or no longer valid.", [{ field: "from", detail: "unknown cursor" }]);
    }
    const page = accounts.slice(start, start + take);
    const following = accounts[start + take];
    res.json({ accounts: page.map(accountView), ...(following && { next: cursorOf(following.id) }) });
  });

  router.delete(`${CONNECTED_ACCOUNTS_PATH}/accounts/:id`, requireScope(MY_ACCOUNT_SCOPES.delete), async (req, res) => {
    const id = String(req.params.id);
    if (!(await deps.accounts.remove(callerOf(res).sub, id))) {
      throw new ApiError(404, "not_found", `No connected account with the id "${id}".`);
    }
    res.status(204).end();
  });

  router.use(CONNECTED_ACCOUNTS_PATH, () => {
    throw new ApiError(404, "not_found", "No such My Account API endpoint in the sandbox.");
  });

  const sendApiError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ApiError) {
      sendError(res, error);
      return;
    }
    // express.json's own failures (malformed JSON, too large) carry a 4xx status.
    const status = (error as { status?: unknown } | undefined)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      sendError(res, invalidRequest("The request body could not be read as JSON."));
      return;
    }
    deps.onServerError(error);
    sendError(res, new ApiError(500, "server_error", "The sandbox failed to handle the request."));
  };
  router.use(CONNECTED_ACCOUNTS_PATH, sendApiError);

  return router;
}
