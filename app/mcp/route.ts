import { handleMcpPost, mcpMethodNotAllowed, mcpPreflight } from "@/lib/mcp/handler";

/**
 * Delegate's tools over the Model Context Protocol (Streamable HTTP). An OAuth 2.1 protected resource: only an
 * access token for AUTH0_MCP_AUDIENCE is accepted, never the browser's session cookie (lib/mcp/handler.ts).
 */
export const maxDuration = 60;

export const POST = handleMcpPost;
export const GET = mcpMethodNotAllowed;
export const DELETE = mcpMethodNotAllowed;
export const OPTIONS = mcpPreflight;
