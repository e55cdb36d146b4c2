/**
 * The parameters of a CIBA request (`POST /bc-authorize`) held to Auth0's rules rather than
 * oidc-provider's defaults. Each check throws the OAuth error Auth0 answers with, so the app meets the
 * same refusals here as against a tenant.
 */
import { errors } from "oidc-provider";

export const MAX_BINDING_MESSAGE_LENGTH = 64;
/** Auth0 lets a request wait at most five minutes for the user, and that is also its default. */
export const MAX_REQUESTED_EXPIRY_SECONDS = 300;

// Auth0 ("User Authentication with CIBA"): binding_message is at most 64 characters of
// "alphanumerics, whitespace and +-_.,:#". "Alphanumerics" is read as ASCII A-Z, a-z and 0-9: the
// docs name no Unicode classes, and at least as strict as Auth0 is the safe reading. "Whitespace" is
// read as the space alone: a newline or tab would not survive a push notification's one line.
const BINDING_MESSAGE = /^[A-Za-z0-9 +\-_.,:#]+$/;

/** Throws `invalid_request` for a missing message and `invalid_binding_message` for one Auth0 refuses. */
export function checkBindingMessage(message: string | undefined): void {
  if (message === undefined || message === "") {
    throw new errors.InvalidRequest("missing required parameter 'binding_message'");
  }
  if (message.length > MAX_BINDING_MESSAGE_LENGTH || !BINDING_MESSAGE.test(message)) {
    throw new errors.InvalidBindingMessage(
      `binding_message must be 1 to ${MAX_BINDING_MESSAGE_LENGTH} characters of letters (A-Z, a-z), digits, spaces and + - _ . , : #`,
    );
  }
}

// Auth0 tolerates the issuer with or without its scheme and trailing slash.
const comparableIssuer = (value: string) =>
  value
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/\/+$/, "")
    .toLowerCase();

/**
 * The user a `login_hint` names. Auth0 accepts only its `iss_sub` JSON form,
 * `{"format":"iss_sub","iss":"<issuer>","sub":"<user id>"}`, for users of its own tenant.
 */
export function subjectOfLoginHint(loginHint: string, issuer: string): string {
  let hint: unknown;
  try {
    hint = JSON.parse(loginHint);
  } catch {
    hint = undefined;
  }
  const { format, iss, sub } = (typeof hint === "object" && hint !== null ? hint : {}) as Record<string, unknown>;
  if (format !== "iss_sub" || typeof iss !== "string" || typeof sub !== "string" || sub === "") {
    throw new errors.InvalidRequest(
      'login_hint must be JSON in the iss_sub format: {"format":"iss_sub","iss":"<issuer>","sub":"<user id>"}',
    );
  }
  if (comparableIssuer(iss) !== comparableIssuer(issuer)) {
    throw new errors.InvalidRequest(`login_hint names the issuer ${iss}, not ${issuer}`);
  }
  return sub;
}

/** One entry of RFC 9396 `authorization_details`; only `type` is required, the rest is per type. */
export interface AuthorizationDetail {
  type: string;
  [field: string]: unknown;
}

/**
 * Parses `authorization_details`: a JSON array of objects, each with a non-empty string `type`. An
 * empty array counts as none. Whether the types are registered on the API is `checkRegisteredTypes`'.
 */
export function parseAuthorizationDetails(value: unknown): AuthorizationDetail[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new errors.InvalidRequest("authorization_details must be a JSON array string");
  let details: unknown;
  try {
    details = JSON.parse(value);
  } catch {
    throw new errors.InvalidRequest("authorization_details is not valid JSON");
  }
  if (!Array.isArray(details)) throw new errors.InvalidRequest("authorization_details must be a JSON array");
  details.forEach((detail: unknown, index) => {
    const isObject = typeof detail === "object" && detail !== null && !Array.isArray(detail);
    const type = isObject ? (detail as Record<string, unknown>).type : undefined;
    if (typeof type !== "string" || type === "") {
      throw new errors.InvalidRequest(
        `authorization_details[${index}] must be an object with a non-empty string "type"`,
      );
    }
  });
  return details.length > 0 ? (details as AuthorizationDetail[]) : undefined;
}

/** Lifetime of a request: what the client asked for, within Auth0's 1–300 s (oidc-provider rejects < 1). */
export function requestLifetimeSeconds(requestedExpiry: unknown): number {
  const requested = Number(requestedExpiry ?? MAX_REQUESTED_EXPIRY_SECONDS);
  return Number.isSafeInteger(requested) && requested > 0
    ? Math.min(requested, MAX_REQUESTED_EXPIRY_SECONDS)
    : MAX_REQUESTED_EXPIRY_SECONDS;
}

/**
 * Refuses `authorization_details` whose types are not registered on the API the request names, as
 * Auth0 does ("Configure Rich Authorization Requests": types must be registered on the resource
 * server, like scopes; /bc-authorize reference: each type "should be previously registered on the
 * resource server"). Types compare exactly, as scopes do. Auth0 documents no wording for this refusal;
 * the code is RFC 9396 §5's for an unknown type.
 */
export function checkRegisteredTypes(
  details: readonly AuthorizationDetail[] | undefined,
  audience: string | undefined,
  registeredTypes: readonly string[],
): void {
  const unregistered = details?.find((detail) => !registeredTypes.includes(detail.type));
  if (unregistered) {
    throw new errors.InvalidAuthorizationDetails(
      `authorization_details type '${unregistered.type}' is not registered on the API ${audience ?? "(none named)"}`,
    );
  }
}
