import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect, test } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { PASSWORD } from "./helpers";

/**
 * An MCP client outside the app, as an IDE would be: the MCP SDK's client and OAuth flow against the running server
 * (proxy, routes and the sandbox identity server as `npm run dev` starts them). The user's part happens in the
 * browser: the identity server's sign-in page, then its consent page naming the client.
 */
const REDIRECT = "http://127.0.0.1:33419/oauth/callback";

class BrowserOAuthProvider implements OAuthClientProvider {
  readonly redirectUrl = REDIRECT;
  authorizationUrl: URL | undefined;
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "Zoë's notebook (MCP)", redirect_uris: [REDIRECT], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  clientInformation = () => this.information;
  saveClientInformation = (information: OAuthClientInformationMixed) => void (this.information = information);
  tokens = () => this.saved;
  saveTokens = (tokens: OAuthTokens) => void (this.saved = tokens);
  redirectToAuthorization = (url: URL) => void (this.authorizationUrl = url);
  saveCodeVerifier = (verifier: string) => void (this.verifier = verifier);
  codeVerifier = () => this.verifier;
}

test("an MCP client signs the user in through the browser, with consent, and asks who they are", async ({ page }) => {
  const mcpUrl = new URL("/mcp", baseURL);
  const provider = new BrowserOAuthProvider();
  const first = new Client({ name: "e2e-client", version: "1.0.0" });
  await expect(first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);

  // The browser follows the authorization URL the SDK built; the redirect back to the client is caught here.
  let redirected: URL | undefined;
  await page.route(`${new URL(REDIRECT).origin}/**`, (route) => {
    redirected = new URL(route.request().url());
    return route.fulfill({ contentType: "text/plain", body: "You can close this window." });
  });
  await page.goto(provider.authorizationUrl!.href);
  await page.getByLabel("Email").fill("carol@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Zoë's notebook (MCP)").first()).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => redirected?.searchParams.get("code") ?? null).not.toBeNull();

  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
  await transport.finishAuth(redirected!.searchParams.get("code")!);
  const client = new Client({ name: "e2e-client", version: "1.0.0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain("get_user_profile");
  const profile = (await client.callTool({ name: "get_user_profile", arguments: {} })) as CallToolResult;
  expect(profile.isError).toBeFalsy();
  expect(JSON.stringify(profile.content)).toContain("carol@example.com");
  await client.close();
});
