/**
 * The users part of Auth0's Management API v2 that the app calls to share documents by email:
 * `GET /api/v2/users-by-email`. Responses and errors have Auth0's shapes, so the app's Management API
 * client cannot tell the sandbox from a tenant.
 */
import { STATUS_CODES } from "node:http";
import { Router, type ErrorRequestHandler, type RequestHandler, type Response } from "express";
import { MANAGEMENT_API_SCOPES, type ManagementApiCaller, type ManagementApiTokenVerifier } from "./management-api";
import { InvalidToken } from "./api-access-token";
import { sandboxUsers, type SandboxUser } from "./users";

export const MANAGEMENT_API_PATH = "/api/v2";

export interface ManagementUsersApiDependencies {
  verifyToken: ManagementApiTokenVerifier;
  /** For `WWW-Authenticate`: the API's audience. */
  audience: string;
  onServerError: (error: unknown) => void;
}

/** Auth0's database connection, the one every seeded user signs up with. */
const DATABASE_CONNECTION = "Username-Password-Authentication";

// The seeded users all date from the sandbox "tenant"; fixed, so responses are the same on every run.
const SEEDED_AT = "2025-01-06T09:00:00.000Z";

/** An Auth0 Management API error: `errorCode` is the machine-readable part clients switch on. */
class ManagementApiError extends Error {
  readonly statusCode: number;
  readonly errorCode?: string;

  constructor(statusCode: number, message: string, errorCode?: string) {
    super(message);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }
}

function sendError(res: Response, { statusCode, message, errorCode }: ManagementApiError): void {
  res.status(statusCode).json({
    statusCode,
    error: STATUS_CODES[statusCode] ?? "Error",
    message,
    ...(errorCode && { errorCode }),
  });
}

// Auth0 says only "Invalid token" whatever the fault; the reason goes to WWW-Authenticate (RFC 6750 §3).
const invalidToken = () => new ManagementApiError(401, "Invalid token", "invalid_token");

function bearerChallenge(audience: string, fields: Record<string, string> = {}): string {
  const attributes = Object.entries({ realm: audience, ...fields }).map(([key, value]) => `${key}="${value}"`);
  return `Bearer ${attributes.join(", ")}`;
}

// Auth0's query validation messages name the failed rule and the property with its description.
function invalidQuery(rule: string): ManagementApiError {
  return new ManagementApiError(
    400,
    `Query validation error: '${rule}' on property email (Email address to search for).`,
    "invalid_query_string",
  );
}

// Permissive, like the JSON Schema `email` format Auth0 validates with: one @, text either side, no spaces.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
/** RFC 5321's limit on an address in a mail path. */
const MAX_EMAIL_LENGTH = 254;

function emailQuery(value: unknown): string {
  if (value === undefined) throw invalidQuery("Missing required property: email");
  if (typeof value !== "string") {
    throw invalidQuery(`Expected type string but found type ${Array.isArray(value) ? "array" : typeof value}`);
  }
  if (value.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(value)) {
    throw invalidQuery(`Object didn't pass validation for format email: ${value.slice(0, MAX_EMAIL_LENGTH)}`);
  }
  return value;
}

/** A seeded user as the Management API shows one. */
function userView(user: SandboxUser, audience: string) {
  const separator = user.sub.indexOf("|");
  return {
    created_at: SEEDED_AT,
    email: user.email,
    email_verified: user.email_verified,
    identities: [
      {
        connection: DATABASE_CONNECTION,
        provider: user.sub.slice(0, separator),
        user_id: user.sub.slice(separator + 1),
        isSocial: false,
      },
    ],
    name: user.name,
    nickname: user.nickname,
    picture: new URL(user.picture, audience).href,
    updated_at: SEEDED_AT,
    user_id: user.sub,
  };
}

export function managementUsersApi(deps: ManagementUsersApiDependencies): Router {
  const router = Router();

  const callerOf = (res: Response): ManagementApiCaller => res.locals.managementCaller as ManagementApiCaller;

  const authenticate: RequestHandler = async (req, res, next) => {
    const match = /^Bearer\s+([^\s]+)\s*$/i.exec(req.get("authorization") ?? "");
    if (!match?.[1]) {
      res.set("WWW-Authenticate", bearerChallenge(deps.audience));
      throw invalidToken();
    }
    try {
      res.locals.managementCaller = await deps.verifyToken(match[1]);
    } catch (error) {
      if (!(error instanceof InvalidToken)) throw error;
      res.set(
        "WWW-Authenticate",
        bearerChallenge(deps.audience, { error: error.error, error_description: error.message }),
      );
      throw invalidToken();
    }
    next();
  };

  // Auth0 lists every scope that would do; each endpoint here accepts exactly one.
  const requireScope =
    (scope: string): RequestHandler =>
    (_req, res, next) => {
      if (!callerOf(res).scopes.has(scope)) {
        res.set("WWW-Authenticate", bearerChallenge(deps.audience, { error: "insufficient_scope", scope }));
        throw new ManagementApiError(403, `Insufficient scope, expected any of: ${scope}`, "insufficient_scope");
      }
      next();
    };

  router.get(
    `${MANAGEMENT_API_PATH}/users-by-email`,
    authenticate,
    requireScope(MANAGEMENT_API_SCOPES.readUsers),
    (req, res) => {
      // "The search looks for an exact match to the provided email address and is case-sensitive"; database
      // users' addresses are stored lowercased, so "Alice@Example.com" finds nobody
      // (auth0.com/docs/manage-users/user-search/retrieve-users-with-get-users-by-email-endpoint).
      const email = emailQuery(req.query.email);
      res.json(sandboxUsers.filter((user) => user.email === email).map((user) => userView(user, deps.audience)));
    },
  );

  // GET /api/v2/users/{id} (scope read:users): an unknown id is 404 "The user does not exist." with errorCode
  // inexistent_user, as at Auth0 (auth0.com/docs/api/management/v2/users/get-users-by-id).
  router.get(`${MANAGEMENT_API_PATH}/users/:id`, authenticate, requireScope(MANAGEMENT_API_SCOPES.readUsers), (req, res) => {
    const user = sandboxUsers.find((candidate) => candidate.sub === req.params.id);
    if (!user) throw new ManagementApiError(404, "The user does not exist.", "inexistent_user");
    res.json(userView(user, deps.audience));
  });

  router.use(MANAGEMENT_API_PATH, () => {
    throw new ManagementApiError(404, "Not Found");
  });

  const sendApiError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ManagementApiError) {
      sendError(res, error);
      return;
    }
    deps.onServerError(error);
    sendError(res, new ManagementApiError(500, "Internal Server Error"));
  };
  router.use(MANAGEMENT_API_PATH, sendApiError);

  return router;
}
