import type { ErrorRequestHandler, Response } from "express";
import { noteForLog } from "../../http";

// google.rpc.Code names, which Google puts in `error.status` next to the HTTP code.
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export interface GoogleErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

const REALM = 'Bearer realm="https://accounts.google.com/"';
const CREDENTIAL_HELP =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** An error in the JSON shape every googleapis.com API answers with. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly errors: GoogleErrorItem[],
    readonly headers: Record<string, string> = {},
    readonly details?: unknown[],
  ) {
    super(message);
  }

  send(res: Response): void {
    res.status(this.code).set(this.headers);
    res.json({
      error: {
        code: this.code,
        message: this.message,
        errors: this.errors,
        status: STATUS_NAMES[this.code],
        ...(this.details ? { details: this.details } : {}),
      },
    });
  }
}

export function missingCredentials(): GoogleApiError {
  return new GoogleApiError(
    401,
    `Request is missing required authentication credential. ${CREDENTIAL_HELP}`,
    [{ message: "Login Required.", domain: "global", reason: "required", location: "Authorization", locationType: "header" }],
    { "WWW-Authenticate": REALM },
  );
}

/** Google does not tell an expired token from a forged one: both are "Invalid Credentials". */
export function invalidCredentials(): GoogleApiError {
  return new GoogleApiError(
    401,
    `Request had invalid authentication credentials. ${CREDENTIAL_HELP}`,
    [{ message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" }],
    { "WWW-Authenticate": `${REALM}, error="invalid_token"` },
  );
}

export interface GoogleMethod {
  /** Scopes any one of which authorizes the method, as listed in its API reference. */
  accepted: readonly string[];
  /** For the ErrorInfo detail, e.g. "calendar-json.googleapis.com". */
  service: string;
  /** For the ErrorInfo detail, e.g. "calendar.v3.Events.List". */
  method: string;
}

export function insufficientScopes({ accepted, service, method }: GoogleMethod): GoogleApiError {
  return new GoogleApiError(
    403,
    "Request had insufficient authentication scopes.",
    [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
    { "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${accepted.join(" ")}"` },
    [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        domain: "googleapis.com",
        metadata: { service, method },
      },
    ],
  );
}

export function badRequest(message: string, reason = "badRequest", parameter?: string): GoogleApiError {
  const location = parameter ? { location: parameter, locationType: "parameter" } : {};
  return new GoogleApiError(400, message, [{ message, domain: "global", reason, ...location }]);
}

export function notFound(message = "Not Found"): GoogleApiError {
  return new GoogleApiError(404, message, [{ message, domain: "global", reason: "notFound" }]);
}

/** Answers errors thrown by Google routes (and body-parser failures) in Google's shape. */
export const googleErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (error instanceof GoogleApiError) return error.send(res);
  if (error instanceof SyntaxError && "type" in error && error.type === "entity.parse.failed") {
    return badRequest(`Invalid JSON payload received. ${error.message}`, "parseError").send(res);
  }
  noteForLog(res, `error: ${error instanceof Error ? error.message : String(error)}`);
  const message = "The service is currently unavailable.";
  new GoogleApiError(503, message, [{ message, domain: "global", reason: "backendError" }]).send(res);
};
