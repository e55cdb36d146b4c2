import "server-only";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { deriveKey } from "@/lib/auth/secrets";

/**
 * The MCP server keeps no state between HTTP requests (any instance may answer any request), yet a tool call must
 * know what the client said it supports when it initialized: whether it can show a URL (URL-mode elicitation). So the
 * `Mcp-Session-Id` it hands out carries that, signed: `<random>.<flags>.<sub>.<mac>`. The random part makes each id
 * unguessable (the specification asks for a secure, unique id), the owner's sub ties it to the token's user, and a
 * forged or altered id counts as no session: the client is then treated as supporting nothing optional.
 */
export interface McpSessionFacts {
  urlElicitation: boolean;
}

const key = () => deriveKey("mcp-session-v1");
const mac = (body: string) => createHmac("sha256", key()).update(body).digest("base64url");

export function issueSessionId(sub: string, facts: McpSessionFacts): string {
  const body = `${randomBytes(18).toString("base64url")}.${facts.urlElicitation ? "u" : "-"}.${Buffer.from(sub).toString("base64url")}`;
  return `${body}.${mac(body)}`;
}

export function readSessionId(header: string | null, sub: string): McpSessionFacts {
  const none = { urlElicitation: false };
  const parts = header?.split(".");
  if (parts?.length !== 4) return none;
  const body = parts.slice(0, 3).join(".");
  const expected = Buffer.from(mac(body));
  const given = Buffer.from(parts[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return none;
  if (Buffer.from(parts[2]!, "base64url").toString() !== sub) return none;
  return { urlElicitation: parts[1] === "u" };
}
