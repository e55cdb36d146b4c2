/**
 * CORS for the routes that take bearer tokens only (/mcp and its metadata): browser-based MCP clients such as the
 * MCP Inspector call them from another origin. No credentials are allowed, so a page elsewhere can never make the
 * browser send Delegate's session cookie along; it can only send a token it already holds.
 */
export const corsHeaders: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID",
  "Access-Control-Expose-Headers": "WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version",
  "Access-Control-Max-Age": "600",
};
