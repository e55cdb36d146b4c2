import { createHash, generateKeyPair, randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import type { JWK } from "oidc-provider";
import { z } from "zod";
import { readJsonFile, writeJsonFileAtomic } from "./files";

const jwksSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })).min(1),
});
const cookieKeysSchema = z.array(z.string().min(32)).min(1);

// RFC 7638 thumbprint: a kid derived from the key itself, so it never drifts from the key material.
function thumbprint(jwk: { e: string; kty: string; n: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n });
  return createHash("sha256").update(canonical).digest("base64url");
}

async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) throw new Error("unexpected RSA key export");
  return { ...jwk, kty: "RSA", kid: thumbprint({ e: jwk.e, kty: jwk.kty, n: jwk.n }), alg: "RS256", use: "sig" };
}

/**
 * The ID token signing key lives in `<dataDir>/jwks.json` so that ID tokens and sessions issued
 * before a restart still verify afterwards.
 */
export async function loadOrCreateSigningKeys(dataDir: string): Promise<{ keys: JWK[] }> {
  const file = path.join(dataDir, "jwks.json");
  const stored = await readJsonFile(file);
  if (stored !== undefined) return jwksSchema.parse(stored);
  const jwks = { keys: [await generateSigningKey()] };
  await writeJsonFileAtomic(file, jwks);
  return jwks;
}

/** Keys that sign the provider's own cookies; persisted so browser sessions survive a restart too. */
export async function loadOrCreateCookieKeys(dataDir: string): Promise<string[]> {
  const file = path.join(dataDir, "cookie-keys.json");
  const stored = await readJsonFile(file);
  if (stored !== undefined) return cookieKeysSchema.parse(stored);
  const keys = [randomBytes(32).toString("base64url")];
  await writeJsonFileAtomic(file, keys);
  return keys;
}

const PRIVATE_RSA_MEMBERS = new Set(["d", "p", "q", "dp", "dq", "qi", "oth"]);

/** The public halves of the signing keys, as the JWKS endpoint publishes them. */
export function publicJwks(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return {
    keys: jwks.keys.map((key) => {
      const publicKey: JWK = { kty: key.kty };
      for (const [member, value] of Object.entries(key)) {
        if (!PRIVATE_RSA_MEMBERS.has(member)) publicKey[member] = value;
      }
      return publicKey;
    }),
  };
}
