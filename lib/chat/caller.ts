import "server-only";
import { authenticateBearer, insufficientScope } from "@/lib/auth/bearer";
import { CHAT_API_SCOPE, protectedResource } from "@/lib/auth/protected-resources";
import { getAgentSession, type AgentSession } from "@/lib/auth/session";
import type { ToolContext } from "@/lib/auth/tool-context";
import { apiError } from "@/lib/errors";

/** Who holds a chat turn: the browser's session, or the terminal client with an access token for the chat API. */
export type ChatCaller = AgentSession & Pick<ToolContext, "apiAccess" | "via">;

/**
 * A request with an Authorization header is judged by it alone: its token must be for the chat API (an MCP token is
 * refused, whatever cookie comes along) and carry the `chat` permission. Without one, the session cookie decides.
 */
export async function chatCaller(request: Request): Promise<{ caller: ChatCaller; refusal?: never } | { refusal: Response; caller?: never }> {
  if (!request.headers.has("authorization")) {
    const session = await getAgentSession();
    return session ? { caller: session } : { refusal: apiError("unauthorized", "Your session has expired. Sign in again.") };
  }
  const resource = protectedResource("api");
  const { caller, refusal } = await authenticateBearer(request, resource);
  if (refusal) return { refusal };
  if (!caller.accessToken.scopes.has(CHAT_API_SCOPE)) return { refusal: insufficientScope(resource, CHAT_API_SCOPE) };
  return {
    caller: {
      user: caller.user,
      refreshToken: undefined,
      apiAccess: { token: caller.accessToken.token, client: resource.tokenVaultClient, signInAgain: "Run `npm run cli -- login` again" },
      via: { channel: "terminal", clientId: caller.accessToken.clientId },
    },
  };
}
