/**
 * The shop trusts exactly one kind of bearer token: a JWT access token from the identity server
 * (checked against its JWKS, fetched over HTTP and cached) whose `aud` is the shop's audience. It
 * knows nothing else of the identity server, as a real API behind Auth0 would not.
 */
import type { RequestHandler, Response } from "express";
import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { isTokenFault } from "../identity/provider-tokens";

export interface ShopCaller {
  sub: string;
  scopes: Set<string>;
}

/** A token to refuse with 401 `invalid_token`; the message becomes its `error_description`. */
export class InvalidToken extends Error {
  override readonly name = "InvalidToken";
}

export type ShopTokenVerifier = (token: string) => Promise<ShopCaller>;

export function createShopTokenVerifier({ issuer, audience }: { issuer: string; audience: string }): ShopTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", issuer));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience,
        algorithms: ["RS256"],
        // RFC 9068's type keeps an ID token, whose typ is "JWT", from passing as an access token.
        typ: "at+jwt",
        requiredClaims: ["sub", "exp"],
      });
      if (typeof payload.sub !== "string") throw new InvalidToken("the token has no subject");
      const scope = typeof payload.scope === "string" ? payload.scope : "";
      return { sub: payload.sub, scopes: new Set(scope.split(" ").filter(Boolean)) };
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidToken("the access token has expired", { cause: error });
      if (isTokenFault(error)) throw new InvalidToken(`the access token is not valid for ${audience}`, { cause: error });
      throw error;
    }
  };
}

/** An API error with its HTTP status and OAuth-style `error` code. */
export class ShopError extends Error {
  readonly status: number;
  readonly error: string;
  readonly extra: Record<string, unknown>;

  constructor(status: number, error: string, description: string, extra: Record<string, unknown> = {}) {
    super(description);
    this.status = status;
    this.error = error;
    this.extra = extra;
  }
}

// RFC 6750 §3: `Bearer realm="…", error="…", …`; a request without credentials gets no error attribute.
function bearerChallenge(realm: string, fields: Record<string, string> = {}): string {
  const attributes = Object.entries({ realm, ...fields }).map(([key, value]) => `${key}="${value.replace(/"/g, "'")}"`);
  return `Bearer ${attributes.join(", ")}`;
}

export function callerOf(res: Response): ShopCaller {
  const caller = res.locals.caller as ShopCaller | undefined;
  if (!caller) throw new Error("this route is missing its token check");
  return caller;
}

/** Admits a request whose bearer token carries one of the accepted scopes; leaves the caller in res.locals. */
export function requireScope(
  verify: ShopTokenVerifier,
  audience: string,
  accepted: readonly string[],
  noteForLog: (res: Response, note: string) => void,
): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    if (!match?.[1]) {
      noteForLog(res, "token missing");
      res.set("WWW-Authenticate", bearerChallenge(audience));
      throw new ShopError(401, "invalid_token", "A bearer access token for the shop is required.");
    }
    let caller: ShopCaller;
    try {
      caller = await verify(match[1]);
    } catch (error) {
      if (!(error instanceof InvalidToken)) throw error;
      noteForLog(res, "token invalid");
      res.set("WWW-Authenticate", bearerChallenge(audience, { error: "invalid_token", error_description: error.message }));
      throw new ShopError(401, "invalid_token", `Invalid access token: ${error.message}.`);
    }
    if (!accepted.some((scope) => caller.scopes.has(scope))) {
      noteForLog(res, "insufficient scope");
      const scope = accepted.join(" ");
      res.set("WWW-Authenticate", bearerChallenge(audience, { error: "insufficient_scope", scope }));
      throw new ShopError(403, "insufficient_scope", `The access token needs one of the scopes: ${scope}.`, { scope });
    }
    res.locals.caller = caller;
    next();
  };
}
