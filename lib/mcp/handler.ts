import "server-only";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { declarationOf, usableToolsFor } from "@/lib/ai/tools";
import { authenticateBearer, insufficientScope } from "@/lib/auth/bearer";
import { MCP_SCOPES, protectedResource } from "@/lib/auth/protected-resources";
import { capBody } from "@/lib/http/capped-body";
import { corsHeaders } from "@/lib/http/cors";
import { rateLimitedResponse, takeRateLimit } from "@/lib/rate-limit";
import { issueSessionId, readSessionId } from "./session";
import { registerDelegateTools } from "./tools";

/** The largest JSON-RPC body accepted: tool arguments are small; a megabyte is far beyond any of them. */
const MAX_BODY_BYTES = 1_000_000;

const withCors = (response: Response) => {
  for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
  return response;
};

const jsonRpcError = (status: number, code: number, message: string) => withCors(Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status }));

interface JsonRpcMessage {
  method?: unknown;
  params?: { name?: unknown; capabilities?: { elicitation?: { url?: unknown } } };
}

/**
 * One MCP request over Streamable HTTP, stateless: a fresh server per request, so any instance can answer it. The
 * access token is checked before the body is read, the scope a tool's risk needs before the tool is called.
 */
export async function handleMcpPost(request: Request): Promise<Response> {
  const resource = protectedResource("mcp");
  const { caller, refusal } = await authenticateBearer(request, resource);
  if (refusal) return withCors(refusal);

  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return jsonRpcError(413, -32600, "The request is too large.");
  // Counted as it streams: a chunked body has no length to check first.
  const capped = capBody(request, MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = await capped.body.json();
  } catch {
    return capped.exceeded() ? jsonRpcError(413, -32600, "The request is too large.") : jsonRpcError(400, -32700, "Parse error: the body is not JSON.");
  }
  const messages = (Array.isArray(body) ? body : [body]) as (JsonRpcMessage | null)[];

  // MCP authorization, "Scope Challenge Handling": a call the token's scopes do not cover is a 403 naming the scope.
  for (const message of messages) {
    if (message?.method !== "tools/call" || typeof message.params?.name !== "string") continue;
    const declaration = declarationOf(message.params.name);
    if (declaration && !caller.accessToken.scopes.has(MCP_SCOPES[declaration.risk])) return withCors(insufficientScope(resource, MCP_SCOPES[declaration.risk]));
  }

  // Each call counts against the user's allowance, as a chat message does; the batch is refused whole past it.
  for (const message of messages) {
    if (message?.method !== "tools/call") continue;
    const decision = await takeRateLimit(caller.user.sub, "mcp_call");
    if (!decision.allowed) return withCors(rateLimitedResponse(decision));
  }

  const initialize = messages.find((message) => message?.method === "initialize");
  const session = initialize ? { urlElicitation: initialize.params?.capabilities?.elicitation?.url !== undefined } : readSessionId(request.headers.get("mcp-session-id"), caller.user.sub);
  const calls = messages.some((message) => message?.method === "tools/call" || message?.method === "tools/list");
  const usable = calls ? await usableToolsFor(caller.user.sub) : new Set<string>();

  const server = new McpServer({ name: "delegate", title: "Delegate", version: "1.0.0" }, { capabilities: { tools: {} } });
  registerDelegateTools(server, { caller, session, usable, aborted: request.signal });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  const response = await transport.handleRequest(request, {
    parsedBody: body,
    authInfo: { token: caller.accessToken.token, clientId: caller.accessToken.clientId ?? "", scopes: [...caller.accessToken.scopes], expiresAt: Math.floor(caller.accessToken.expiresAt.getTime() / 1000) },
  });
  if (initialize && response.ok) response.headers.set("Mcp-Session-Id", issueSessionId(caller.user.sub, session));
  return withCors(response);
}

/** No server-initiated stream and no session to end: every answer travels on the POST that asked (stateless). */
export function mcpMethodNotAllowed(): Response {
  return withCors(new Response(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: send JSON-RPC messages with POST." }, id: null }), { status: 405, headers: { Allow: "POST, OPTIONS", "content-type": "application/json" } }));
}

export const mcpPreflight = () => withCors(new Response(null, { status: 204 }));
