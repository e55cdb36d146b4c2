/**
 * The user's answer to a CIBA request, handed to oidc-provider: a grant for what was asked on
 * Approve, `access_denied` on Deny. The app's next poll then gets tokens or the refusal.
 */
import { errors, type Provider } from "oidc-provider";
import type { ApiAudiences } from "./api-audiences";
import type { BackchannelRequest } from "./backchannel-requests";
import { OIDC_SCOPES } from "./provider-config";

export type BackchannelDecision = "approve" | "deny";

/**
 * Records the decision unless oidc-provider no longer holds the request open (expired, already
 * answered or redeemed, e.g. after a restart); returns whether it did.
 */
export async function answerBackchannelRequest(
  provider: Provider,
  apiAudiences: ApiAudiences,
  request: BackchannelRequest,
  decision: BackchannelDecision,
): Promise<boolean> {
  const stored = await provider.BackchannelAuthenticationRequest.find(request.authReqId, { ignoreExpiration: true });
  const open =
    stored &&
    !stored.isExpired &&
    !stored.consumed &&
    !stored.grantId &&
    !stored.error &&
    stored.accountId === request.accountId &&
    stored.clientId === request.clientId;
  if (!open) return false;

  if (decision === "deny") {
    await provider.backchannelResult(request.authReqId, new errors.AccessDenied("the user denied the request"));
    return true;
  }

  // Exactly what was asked: the OpenID Connect scopes, and those API scopes the audience offers.
  const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
  grant.addOIDCScope(request.scopes.filter((scope) => OIDC_SCOPES.has(scope)).join(" "));
  if (request.resource) {
    const offered = new Set(apiAudiences[request.resource]?.scopes ?? []);
    const apiScopes = request.scopes.filter((scope) => offered.has(scope));
    if (apiScopes.length > 0) grant.addResourceScope(request.resource, apiScopes.join(" "));
  }
  await provider.backchannelResult(request.authReqId, await grant.save());
  return true;
}
