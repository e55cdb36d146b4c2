import "server-only";
import { hkdfSync } from "node:crypto";
import { getConfig } from "@/lib/config";

/**
 * Keys for the app's own cryptography, derived from AUTH0_SECRET with HKDF: one deployment secret, a separate
 * key per purpose, so no key is ever used for two things.
 */
const cache = new Map<string, Buffer>();

export function deriveKey(purpose: "token-cache-v1" | "tool-approval-v1" | "mcp-session-v1" | "mcp-chat-v1"): Buffer {
  const secret = getConfig().AUTH0_SECRET;
  const id = `${purpose}:${secret}`;
  let key = cache.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "delegate", purpose, 32));
    cache.set(id, key);
  }
  return key;
}
