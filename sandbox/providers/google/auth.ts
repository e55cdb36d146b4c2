import type { RequestHandler } from "express";
import type { ProviderTokenVerifier } from "../../identity/provider-tokens";
import { checkToken, credentialFromHeader, grantsAny, rememberGrant } from "../access";
import { noteForLog } from "../../http";
import { type GoogleMethod, insufficientScopes, invalidCredentials, missingCredentials } from "./errors";

/** Admits a request whose google-oauth2 provider token carries one of the method's scopes. */
export function requireGoogleScopes(verify: ProviderTokenVerifier, method: GoogleMethod): RequestHandler {
  return async (req, res, next) => {
    const check = await checkToken(verify, credentialFromHeader(req.headers.authorization, ["Bearer"]));
    if (check.outcome !== "granted") {
      noteForLog(res, `token ${check.outcome}`);
      throw check.outcome === "missing" ? missingCredentials() : invalidCredentials();
    }
    if (!grantsAny(check.grant, method.accepted)) {
      noteForLog(res, "insufficient scope");
      throw insufficientScopes(method);
    }
    rememberGrant(res, check.grant);
    next();
  };
}
