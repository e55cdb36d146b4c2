import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./secrets";

/**
 * AES-256-GCM for secrets at rest (cached provider tokens). The key is derived from AUTH0_SECRET, so rotating
 * that secret makes old ciphertexts unreadable — they are then treated as missing, never as valid.
 */
const encryptionKey = () => deriveKey("token-cache-v1");
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
// Pinned: GCM otherwise accepts a tag as short as 4 bytes, and a forger needs only 2^32 tries to match one.
const TAG_BYTES = 16;

/** `associatedData` binds a ciphertext to its row, so a token copied to another user's row does not decrypt. */
export function encrypt(plaintext: string, associatedData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, encryptionKey(), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64");
}

/** The plaintext, or null for anything that is not a whole, authentic ciphertext of this row. */
export function decrypt(ciphertext: string, associatedData: string): string | null {
  const raw = Buffer.from(ciphertext, "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv(ALGORITHM, encryptionKey(), raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
