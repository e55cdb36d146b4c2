import { createHash } from "node:crypto";

// Seed identifiers are derived from a description of the thing, so they are the same on every run and
// every machine, and the app can keep referring to a message or event across restarts.
function digest(parts: readonly (string | number)[]): Buffer {
  return createHash("sha256").update(parts.join("\u0000")).digest();
}

/** `length` lowercase hex digits, e.g. a Gmail message id. */
export function stableHex(length: number, ...parts: (string | number)[]): string {
  return digest(parts).toString("hex").slice(0, length);
}

/** A positive integer below 10^digits, e.g. a GitHub database id. */
export function stableNumber(digits: number, ...parts: (string | number)[]): number {
  const value = digest(parts).readUIntBE(0, 6);
  return (value % 10 ** digits) || 1;
}

/** Characters from `alphabet`, e.g. base32hex for Google Calendar event ids. */
export function stableString(alphabet: string, length: number, ...parts: (string | number)[]): string {
  return Array.from(digest(parts).subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join("");
}
