import type { Request, RequestHandler } from "express";
import type { ProviderTokenVerifier } from "../../identity/provider-tokens";
import { checkToken, credentialFromHeader, rememberGrant } from "../access";
import { noteForLog } from "../../http";
import { slackError } from "./respond";

const SLACK_ERRORS = { missing: "not_authed", invalid: "invalid_auth", expired: "token_expired" } as const;

// Slack takes the token as a Bearer header or, still, as the `token` field of a form-encoded POST
// body. Query-string tokens are refused for apps created since 2021, so they are not accepted here.
function tokenOf(req: Request): string | undefined {
  const header = credentialFromHeader(req.headers.authorization, ["Bearer"]);
  if (header) return header;
  const body: unknown = req.body;
  return typeof body === "object" && body !== null && "token" in body && typeof body.token === "string" ? body.token : undefined;
}

/** Admits a request with a valid sign-in-with-slack provider token; scopes are checked per method. */
export function requireSlackToken(verify: ProviderTokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const check = await checkToken(verify, tokenOf(req));
    if (check.outcome !== "granted") {
      noteForLog(res, `token ${check.outcome}`);
      return slackError(res, SLACK_ERRORS[check.outcome]);
    }
    res.set("X-OAuth-Scopes", check.grant.scopes.join(","));
    rememberGrant(res, check.grant);
    next();
  };
}
