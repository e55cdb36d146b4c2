import "server-only";
import { createHmac } from "node:crypto";
import { ensureMcpChat } from "@/db/queries/chats";
import { deriveKey } from "@/lib/auth/secrets";

/** The conversation an MCP client's calls are recorded under refused to be this user's: nothing may run. */
export class McpChatUnavailableError extends Error {
  override name = "McpChatUnavailableError";
}

/**
 * One conversation per user and MCP client, found again by every instance: its id is an HMAC of both under the
 * app's secret, so it is stable for them and unpredictable for anyone else (who could otherwise create a chat under
 * it first and hold the user's purchases up, or delete their pending approvals with it).
 */
export async function mcpChatFor(userId: string, clientId: string): Promise<string> {
  const digest = createHmac("sha256", deriveKey("mcp-chat-v1")).update(`${userId}\0${clientId}`).digest("hex");
  // An RFC 9562 version-8 (custom) UUID made of the digest.
  const id = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-8${digest.slice(13, 16)}-${((parseInt(digest[16]!, 16) & 0x3) | 0x8).toString(16)}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  if (!(await ensureMcpChat({ id, userId, clientId, title: `MCP client ${clientId}`.slice(0, 200) }))) throw new McpChatUnavailableError(`chat ${id} is not this user's MCP conversation`);
  return id;
}
