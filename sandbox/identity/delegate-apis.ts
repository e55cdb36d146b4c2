/**
 * Delegate's own APIs as the sandbox registers them, under the names the app reads (CONTRACT-14): the MCP
 * server and the chat API as Auth0 resource servers, a Custom API Client linked to each (for Token Vault's
 * access-token exchange), and the CLI's public application.
 */
import type { ApiAudiences, ApiRegistration } from "./api-audiences";

export const MCP_API_CLIENT_ID = "delegate-mcp-api";
export const CHAT_API_CLIENT_ID = "delegate-chat-api";
export const CLI_CLIENT_ID = "delegate-cli";

export const MCP_SCOPES = { read: "tools:read", write: "tools:write", spend: "tools:spend" } as const;
export const CHAT_SCOPE = "chat";

const origin = (appBaseUrl: string) => appBaseUrl.replace(/\/+$/, "");
/** AUTH0_MCP_AUDIENCE's default: the MCP endpoint's own URL, which is what MCP clients send as `resource`. */
export const defaultMcpAudience = (appBaseUrl: string): string => `${origin(appBaseUrl)}/mcp`;
/** AUTH0_API_AUDIENCE's default. */
export const defaultChatApiAudience = (appBaseUrl: string): string => `${origin(appBaseUrl)}/api`;

export const MCP_API_REGISTRATION: ApiRegistration = {
  name: "Delegate tools (MCP)",
  scopes: Object.values(MCP_SCOPES),
  authorizationDetailsTypes: [],
  scopeDescriptions: {
    [MCP_SCOPES.read]: "Use Delegate's tools that read your data (profile, calendar, mail, documents)",
    [MCP_SCOPES.write]: "Use Delegate's tools that change things for you (send, create, share)",
    [MCP_SCOPES.spend]: "Start purchases, each one still approved by you on your authenticator",
  },
  // MCP clients register themselves, so they are third-party applications and need this default grant.
  thirdPartyScopes: Object.values(MCP_SCOPES),
};

export const CHAT_API_REGISTRATION: ApiRegistration = {
  name: "Delegate chat",
  scopes: [CHAT_SCOPE],
  authorizationDetailsTypes: [],
  scopeDescriptions: { [CHAT_SCOPE]: "Chat with your Delegate assistant as you" },
};

/** A Custom API Client: a confidential application linked to one API, sharing its identifier (Auth0 "access token exchange with Token Vault"). */
export interface CustomApiClient {
  clientId: string;
  clientSecret: string;
  /** The API it is linked to; only access tokens for this audience may be exchanged by it. */
  audience: string;
}

export interface DelegateApis {
  mcpAudience: string;
  chatApiAudience: string;
  apiAudiences: ApiAudiences;
}

export function delegateApis(options: { mcpAudience: string; chatApiAudience: string }): DelegateApis {
  return {
    ...options,
    apiAudiences: { [options.mcpAudience]: MCP_API_REGISTRATION, [options.chatApiAudience]: CHAT_API_REGISTRATION },
  };
}

/**
 * Delegate's APIs as the sandbox sets them up, for `npm run dev` and the test harness alike: the identity server's
 * options (the two Custom API Clients, the CLI's application authorized for the chat API's `chat` only, as README's
 * tenant setup does it) and the variables that point the app at them.
 */
export function delegateApiSetup(options: { mcpAudience: string; chatApiAudience: string; mcpClientSecret: string; chatClientSecret: string }) {
  const apis = delegateApis(options);
  const mcpApiClient: CustomApiClient = { clientId: MCP_API_CLIENT_ID, clientSecret: options.mcpClientSecret, audience: apis.mcpAudience };
  const chatApiClient: CustomApiClient = { clientId: CHAT_API_CLIENT_ID, clientSecret: options.chatClientSecret, audience: apis.chatApiAudience };
  return {
    apis,
    mcpApiClient,
    chatApiClient,
    identityOptions: {
      customApiClients: [mcpApiClient, chatApiClient],
      cliClientId: CLI_CLIENT_ID,
      cliApis: { [apis.chatApiAudience]: [CHAT_SCOPE] },
    },
    env: {
      AUTH0_MCP_AUDIENCE: apis.mcpAudience,
      AUTH0_MCP_CLIENT_ID: mcpApiClient.clientId,
      AUTH0_MCP_CLIENT_SECRET: mcpApiClient.clientSecret,
      AUTH0_API_AUDIENCE: apis.chatApiAudience,
      AUTH0_API_CLIENT_ID: chatApiClient.clientId,
      AUTH0_API_CLIENT_SECRET: chatApiClient.clientSecret,
      AUTH0_CLI_CLIENT_ID: CLI_CLIENT_ID,
    },
  };
}
