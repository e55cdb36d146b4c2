import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./secrets";

/**
 * AES-256-GCM for secrets at rest (cached provider tokens). The key is derived from AUTH0_SECRET, so rotating
 * that secret makes old ciphertexts unreadable — they are then treated as missing, never as valid.
 */
const encryptionKey = () => deriveKey("token-cache-v1");

/** `associatedData` binds a ciphertext to its row, so a token copied to another user's row does not decrypt. */
export function encrypt(plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64");
}

export function decrypt(ciphertext: string, associatedData: string): string | null {
  try {
    const raw = Buffer.from(ciphertext, "base64");
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
