import { waitInWords } from "@/lib/http/retry";
import type { OAuthError } from "./oauth";

/**
 * What the model is told when the approval service (Auth0's /bc-authorize) refuses to send a CIBA request: what
 * happened and who can fix it, never a bare error code. Each refusal here has a fix outside the chat — an
 * administrator's setting, the user's Guardian enrolment, or time.
 */

export const BAD_BINDING_MESSAGE =
  "The message to show on the user's device breaks the approval service's rules (at most 64 letters, digits, spaces and + - _ . , : #). This is a fault in the app, not something the user can fix.";

export const BAD_AUTHORIZATION_DETAILS =
  "The details to show on the user's device do not fit the one-object schema the Auth0 Guardian app requires (https://auth0.com/docs/get-started/apis/configure-rich-authorization-requests). This is a fault in the app, not something the user can fix.";

/** Auth0's answer to too many requests: HTTP 429, `too_many_requests`, with Retry-After. */
export const isRateLimited = (error: OAuthError) => error.status === 429 || error.error === "too_many_requests";

export interface RefusedRequest {
  audience: string;
  scopes: readonly string[];
  /** The type of the request's one authorization detail, e.g. `urn:auth0:schemas:authorization-details:v1:purchase`. */
  detailsType: string;
}

const list = (items: readonly string[]) => items.map((item) => `\`${item}\``).join(", ");

export function refusalMessage(error: OAuthError, { audience, scopes, detailsType }: RefusedRequest): string {
  if (isRateLimited(error)) {
    return `The approval service is limiting how many requests this app may send right now. Try again in ${waitInWords(error.retryAfterSeconds)}.`;
  }
  switch (error.error) {
    case "invalid_binding_message":
      return BAD_BINDING_MESSAGE;
    case "invalid_authorization_details":
      return refusedDetails(audience, detailsType);
    case "unknown_user_id":
      return "The approval service has no device to ask this user on. The user must enrol the Auth0 Guardian app for push notifications (and the administrator must enable Push Notification via Auth0 Guardian under Security > Multi-factor Auth).";
    case "unauthorized_client":
      return "This app is not allowed to ask for approvals on the user's device. The administrator must enable the Client-Initiated Backchannel Authentication (CIBA) grant for the app in Auth0 (Applications > the app > Advanced Settings > Grant Types).";
    case "invalid_target":
    case "access_denied":
      return `The approval service does not let this app ask for access to the API ${audience}. The administrator must create that API in Auth0 (identifier ${audience}) and allow this app to request ${list(scopes)} on it.`;
    case "invalid_scope":
      return `The API ${audience} does not offer ${list(scopes)}. The administrator must add those permissions to the API in Auth0 (Applications > APIs > Permissions).`;
    case "invalid_request":
      // Auth0 documents no code of its own for an unregistered type; its description names the parameter.
      if (error.message.includes("authorization_details")) return refusedDetails(audience, detailsType);
      return "The approval service refused the request as malformed. This is a fault in the app; the administrator can find the reason in the Auth0 tenant logs.";
    default:
      return "The approval service refused the request. The administrator can find the reason in the Auth0 tenant logs.";
  }
}

/**
 * Auth0 documents neither the code nor the wording of this refusal, so the message names both causes: the type
 * not registered on the API (the usual one, since the app checks its details before sending), or details that
 * break the one-object schema the Auth0 Guardian app requires.
 */
function refusedDetails(audience: string, detailsType: string): string {
  return `The approval service does not accept the ${list([detailsType])} authorization_details type for the API ${audience}. The administrator must register it on that API in Auth0 (Applications > APIs > the API: add it to the Authorization Details Types) and let this app request it. If it is registered, the details break the one-object schema the Auth0 Guardian app requires, which is a fault in the app.`;
}
