import type { Response } from "express";
import { ProviderTokenError, type ProviderTokenVerifier, type VerifiedProviderToken } from "../identity/provider-tokens";

/** What a bearer token amounts to; each provider turns the refusals into its own 401 wording. */
export type TokenCheck =
  | { outcome: "granted"; grant: VerifiedProviderToken }
  | { outcome: "missing" | "invalid" | "expired" };

/** The credential of an `Authorization: <scheme> <credential>` header, for one of the accepted schemes. */
export function credentialFromHeader(header: string | undefined, schemes: readonly string[]): string | undefined {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header ?? "");
  if (!match?.[1] || !match[2]) return undefined;
  return schemes.some((scheme) => scheme.toLowerCase() === match[1]?.toLowerCase()) ? match[2] : undefined;
}

/**
 * Verifies the token against the identity server's keys. A token the verifier refuses becomes an
 * outcome; any other failure (the issuer unreachable) propagates, since the caller is not at fault.
 */
export async function checkToken(verify: ProviderTokenVerifier, token: string | undefined): Promise<TokenCheck> {
  if (!token) return { outcome: "missing" };
  try {
    return { outcome: "granted", grant: await verify(token) };
  } catch (error) {
    if (error instanceof ProviderTokenError) return { outcome: error.reason };
    throw error;
  }
}

export function grantsAny(grant: VerifiedProviderToken, accepted: readonly string[]): boolean {
  return accepted.some((scope) => grant.scopes.includes(scope));
}

// Auth middleware leaves the verified grant on the response for the route handler that follows it.
export function rememberGrant(res: Response, grant: VerifiedProviderToken): void {
  res.locals.grant = grant;
}

export function grantOf(res: Response): VerifiedProviderToken {
  const grant = res.locals.grant as VerifiedProviderToken | undefined;
  if (!grant) throw new Error("this route is missing its token check");
  return grant;
}
