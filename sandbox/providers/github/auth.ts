import type { RequestHandler } from "express";
import type { ProviderTokenVerifier } from "../../identity/provider-tokens";
import { checkToken, credentialFromHeader, grantsAny, rememberGrant } from "../access";
import { noteForLog } from "../../http";
import { GithubApiError } from "./errors";

export interface GithubEndpoint {
  /**
   * Scopes any one of which admits the request; a parent scope such as `user` stands for its children. Empty for
   * an endpoint any token may call, whose answer then depends on the scopes.
   */
  accepted: readonly string[];
  /** The endpoint's reference page, which GitHub links from its errors. */
  docs: string;
}

/**
 * Admits a request whose github provider token carries one of the endpoint's scopes. GitHub takes the
 * token with either the `Bearer` or the older `token` scheme, and reports the scopes a token has
 * (X-OAuth-Scopes) and the ones the endpoint accepts (X-Accepted-OAuth-Scopes) on every answer to it.
 */
export function requireGithubScopes(verify: ProviderTokenVerifier, endpoint: GithubEndpoint): RequestHandler {
  return async (req, res, next) => {
    const check = await checkToken(verify, credentialFromHeader(req.headers.authorization, ["Bearer", "token"]));
    if (check.outcome !== "granted") {
      noteForLog(res, `token ${check.outcome}`);
      throw new GithubApiError(401, check.outcome === "missing" ? "Requires authentication" : "Bad credentials", endpoint.docs);
    }
    res.set({ "X-OAuth-Scopes": check.grant.scopes.join(", "), "X-Accepted-OAuth-Scopes": endpoint.accepted.join(", ") });
    if (endpoint.accepted.length > 0 && !grantsAny(check.grant, endpoint.accepted)) {
      noteForLog(res, "insufficient scope");
      throw new GithubApiError(403, "Resource not accessible by integration", endpoint.docs);
    }
    rememberGrant(res, check.grant);
    next();
  };
}
