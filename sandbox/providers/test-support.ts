import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { startProviderApis, type ProviderApis } from "./server";

/**
 * A stand-in issuer for tests: it publishes a JWKS and mints provider tokens the way the identity
 * server's Token Vault does (RS256, typ at+jwt), so the provider APIs are tested against the JWKS
 * contract alone, without the identity server.
 */
export interface TestIssuer {
  issuer: string;
  mint(claims: TokenClaims): Promise<string>;
  close(): Promise<void>;
}

export interface TokenClaims {
  sub: string;
  /** The connection: google-oauth2, github or sign-in-with-slack. */
  aud: string;
  scopes: string[];
  /** Seconds from now; negative for a token that has already expired. */
  expiresIn?: number;
  /** Sign with a key the JWKS does not publish. */
  forged?: boolean;
}

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const trusted = await signingKey("test-key");
  const forged = await signingKey("forged-key");
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [trusted.jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  return {
    issuer,
    async mint({ sub, aud, scopes, expiresIn = 3600, forged: useForgedKey = false }) {
      const key = useForgedKey ? forged : trusted;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ scope: scopes.join(" "), connected_account_id: `cac_${sub.replace(/\W/g, "")}_${aud}` })
        .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "at+jwt" })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setJti(randomUUID())
        .setIssuedAt(Math.min(now, now + expiresIn - 60))
        .setExpirationTime(now + expiresIn)
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export interface TestProviders {
  apis: ProviderApis;
  issuer: TestIssuer;
  logs: string[];
  /** Moves the clock the seed data is dated by. */
  setNow(instant: Date): void;
  close(): Promise<void>;
}

export async function startTestProviders({ now, timeZone }: { now: Date; timeZone: string }): Promise<TestProviders> {
  const issuer = await startTestIssuer();
  const logs: string[] = [];
  let current = now;
  const apis = await startProviderApis({ port: 0, issuer: issuer.issuer, now: () => current, timeZone, log: (line) => logs.push(line) });
  return {
    apis,
    issuer,
    logs,
    setNow: (instant) => {
      current = instant;
    },
    close: async () => {
      await apis.close();
      await issuer.close();
    },
  };
}

export const GOOGLE_SCOPES = {
  events: "https://www.googleapis.com/auth/calendar.events.readonly",
  freeBusy: "https://www.googleapis.com/auth/calendar.freebusy",
  gmailRead: "https://www.googleapis.com/auth/gmail.readonly",
  gmailCompose: "https://www.googleapis.com/auth/gmail.compose",
} as const;

export const ALL_GOOGLE_SCOPES = Object.values(GOOGLE_SCOPES);
