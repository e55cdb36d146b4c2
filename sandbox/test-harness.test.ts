import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxHarness, type SandboxHarness } from "./test-harness";

/** What the app side's MCP and CLI integration tests lean on: the harness's clients and helpers, end to end. */
let harness: SandboxHarness;
beforeAll(async () => {
  harness = await startSandboxHarness();
}, 60_000);
afterAll(async () => {
  await harness?.close();
});

const post = (pathname: string, fields: Record<string, string>) =>
  fetch(new URL(pathname, harness.issuer), { method: "POST", body: new URLSearchParams(fields) });

describe("the sandbox harness for MCP and CLI tests", () => {
  it("puts the MCP, chat API and CLI variables in the environment", () => {
    expect(process.env).toMatchObject({
      AUTH0_MCP_AUDIENCE: harness.mcpAudience,
      AUTH0_MCP_CLIENT_ID: harness.mcpApiClient.clientId,
      AUTH0_MCP_CLIENT_SECRET: harness.mcpApiClient.clientSecret,
      AUTH0_API_AUDIENCE: harness.chatApiAudience,
      AUTH0_API_CLIENT_ID: harness.chatApiClient.clientId,
      AUTH0_API_CLIENT_SECRET: harness.chatApiClient.clientSecret,
      AUTH0_CLI_CLIENT_ID: harness.cliClientId,
    });
  });

  it("registers an MCP client, signs Alice in for the MCP API, and the MCP API's client exchanges her token", async () => {
    const user = await harness.signIn("alice@example.com");
    await harness.connect(user, "google-oauth2", ["https://www.googleapis.com/auth/calendar.events.readonly"]);
    const redirectUri = "http://127.0.0.1:6274/oauth/callback";
    const client = await harness.registerClient({ client_name: "MCP Inspector — Ünïcode (test)", redirect_uris: [redirectUri] });
    const { tokens, consentPage } = await harness.authorizeWithPkce({
      clientId: client.client_id,
      redirectUri,
      resource: harness.mcpAudience,
      scopes: ["openid", "tools:read"],
      email: "alice@example.com",
      consent: "allow",
    });
    expect(consentPage).toContain("MCP Inspector — Ünïcode (test)");
    expect(decodeJwt(tokens!.access_token)).toMatchObject({ aud: harness.mcpAudience, sub: user.sub });

    const exchanged = await post("oauth/token", {
      grant_type: "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token",
      subject_token: tokens!.access_token,
      subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
      requested_token_type: "http://auth0.com/oauth/token-type/federated-connection-access-token",
      connection: "google-oauth2",
      client_id: harness.mcpApiClient.clientId,
      client_secret: harness.mcpApiClient.clientSecret,
    });
    expect(exchanged.status).toBe(200);
  });

  it("runs the CLI's device flow with approveDeviceCode", async () => {
    const started = await post("oauth/device/code", {
      client_id: harness.cliClientId,
      scope: "openid email offline_access chat",
      audience: harness.chatApiAudience,
    });
    const device = (await started.json()) as { device_code: string; user_code: string };
    await harness.approveDeviceCode(device.user_code, "bob@example.com");
    const polled = await post("oauth/token", {
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      device_code: device.device_code,
      client_id: harness.cliClientId,
    });
    expect(polled.status).toBe(200);
    const tokens = (await polled.json()) as { access_token: string; refresh_token?: string };
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: harness.chatApiAudience, sub: "auth0|bob", scope: "chat" });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });
});
