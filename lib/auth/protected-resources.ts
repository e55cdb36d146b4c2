import { getConfig, type Config } from "@/lib/config";

/**
 * The two resources that accept Auth0 access tokens instead of the browser session (issue 14). Each is an API in
 * Auth0 whose identifier is the `aud` of its tokens, so a token for one is refused by the other: the MCP server
 * never takes a chat-API token, the chat API never takes an MCP token, and neither takes the session cookie.
 */
export type ResourceName = "mcp" | "api";

export interface ProtectedResource {
  name: ResourceName;
  /** The API identifier: the RFC 8707 resource and the tokens' audience. */
  audience: string;
  /** Where the resource is served, for its RFC 9728 metadata document. */
  path: string;
  /** The permissions the API defines in Auth0. */
  scopes: readonly string[];
  /**
   * The API's Custom API Client: Token Vault's access-token exchange is authenticated with it, never with the web
   * application's credentials (auth0.com/docs/secure/tokens/token-vault/access-token-exchange-with-token-vault).
   */
  tokenVaultClient: { clientId: string; clientSecret: string } | null;
}

/** MCP tool scopes, one per declared risk: a client granted only tools:read cannot draft mail or spend money. */
export const MCP_SCOPES = { read: "tools:read", write: "tools:write", spend: "tools:spend" } as const;
/** The terminal client's one permission: to hold conversations with the agent, as the web chat does. */
export const CHAT_API_SCOPE = "chat";

const appPath = (config: Config, path: string) => new URL(path, config.APP_BASE_URL).href;

export function protectedResource(name: ResourceName, config: Config = getConfig()): ProtectedResource {
  const client = (id: string | undefined, secret: string | undefined) => (id && secret ? { clientId: id, clientSecret: secret } : null);
  return name === "mcp"
    ? {
        name,
        audience: config.AUTH0_MCP_AUDIENCE ?? appPath(config, "/mcp"),
        path: "/mcp",
        scopes: Object.values(MCP_SCOPES),
        tokenVaultClient: client(config.AUTH0_MCP_CLIENT_ID, config.AUTH0_MCP_CLIENT_SECRET),
      }
    : {
        name,
        audience: config.AUTH0_API_AUDIENCE ?? appPath(config, "/api"),
        path: "/api",
        scopes: [CHAT_API_SCOPE],
        tokenVaultClient: client(config.AUTH0_API_CLIENT_ID, config.AUTH0_API_CLIENT_SECRET),
      };
}
