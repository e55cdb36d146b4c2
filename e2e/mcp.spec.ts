import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect, test, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { MemoryOAuthClient } from "../tests/memory-oauth-client";
import { PASSWORD } from "./helpers";

/**
 * An MCP client outside the app, as an IDE would be: the MCP SDK's client and OAuth flow against the running server
 * (proxy, routes and the sandbox identity server as `npm run dev` starts them). The user's part happens in the
 * browser: the identity server's sign-in page, then its consent page naming the client.
 */
const REDIRECT = "http://127.0.0.1:33419/oauth/callback";

/** The MCP SDK's OAuth flow, with the user's part (sign-in, consent) done in the browser page. */
async function connectMcpClient(page: Page, email: string): Promise<Client> {
  const mcpUrl = new URL("/mcp", baseURL);
  const provider = new MemoryOAuthClient("Zoë's notebook (MCP)", REDIRECT);
  const first = new Client({ name: "e2e-client", version: "1.0.0" });
  await expect(first.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);

  // The browser follows the authorization URL the SDK built; the redirect back to the client is caught here.
  let redirected: URL | undefined;
  await page.route(`${new URL(REDIRECT).origin}/**`, (route) => {
    redirected = new URL(route.request().url());
    return route.fulfill({ contentType: "text/plain", body: "You can close this window." });
  });
  await page.goto(provider.authorizationUrl!.href);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Zoë's notebook (MCP)").first()).toBeVisible();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => redirected?.searchParams.get("code") ?? null).not.toBeNull();

  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
  await transport.finishAuth(redirected!.searchParams.get("code")!);
  const client = new Client({ name: "e2e-client", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const textOf = (result: CallToolResult) => result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

test("an MCP client signs the user in through the browser, with consent, and asks who they are", async ({ page }) => {
  const client = await connectMcpClient(page, "carol@example.com");
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain("get_user_profile");
  const profile = (await client.callTool({ name: "get_user_profile", arguments: {} })) as CallToolResult;
  expect(profile.isError).toBeFalsy();
  expect(textOf(profile)).toContain("carol@example.com");
  await client.close();
});

test("a draft an MCP client asks for waits for the user's yes on Delegate's approval page, which shows every field", async ({ page }, testInfo) => {
  const client = await connectMcpClient(page, "bob@example.com");
  const draft = { to: "ana.lópez@example.com".replace("ó", "o"), subject: "Offsite (Lisbon) — 3 nights, €1,240.50?", body: "Hi Ana,\n\nthe agenda: https://example.com/offsite?day=1&room=B\n\n| Day | Room |\n|---|---|\n| 1 | B |\n\nBob" };
  const asked = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
  expect(asked.isError).toBe(true);
  const link = /http:\/\/localhost:\d+\/auth\/login\?\S+/.exec(textOf(asked))?.[0];
  expect(link, textOf(asked)).toBeDefined();

  await page.goto(link!);
  await expect(page.getByRole("heading", { name: "Approve: Write email drafts" })).toBeVisible();
  // The page names which client asks, so a link from another app cannot pass for this one's request.
  await expect(page.getByText(/^The MCP client .+, an app you connected to Delegate/)).toBeVisible();
  const fields = page.getByRole("group", { name: 'What "Write email drafts" will do' });
  await expect(fields).toContainText("ana.lopez@example.com");
  await expect(fields).toContainText("Offsite (Lisbon) — 3 nights, €1,240.50?");
  await expect(fields).toContainText("https://example.com/offsite?day=1&room=B");
  for (const [name, width] of [["desktop", 1280], ["phone", 375]] as const) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: testInfo.outputPath(`approve-${name}.png`), fullPage: true });
  }
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Approved." })).toBeVisible();

  // The approved call goes on through the pipeline: Bob has not connected Google, so Token Vault asks for that now.
  const next = (await client.callTool({ name: "create_gmail_draft", arguments: draft })) as CallToolResult;
  expect(textOf(next)).toContain("Connect your Google account");
  await client.close();
});
