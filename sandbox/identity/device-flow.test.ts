import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_CLIENT_ID, delegateApis } from "./delegate-apis";
import { startIdentityServer, type IdentityServer } from "./server";
import { approveDeviceCode, type TokenResponse } from "./test-oauth";

const appBaseUrl = "http://localhost:3000";
const apis = delegateApis({ mcpAudience: `${appBaseUrl}/mcp`, chatApiAudience: `${appBaseUrl}/api` });
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dataDir: string;
let server: IdentityServer;
/** A second server whose device codes live two seconds, for expiry. */
let shortLived: IdentityServer;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-device-"));
  const common = { port: 0, appBaseUrl, apiAudiences: apis.apiAudiences, cliClientId: CLI_CLIENT_ID, deviceIntervalSeconds: 1, log: () => {} };
  server = await startIdentityServer({ ...common, dataDir: path.join(dataDir, "a") });
  shortLived = await startIdentityServer({ ...common, dataDir: path.join(dataDir, "b"), deviceCodeTtlSeconds: 2 });
});

afterAll(async () => {
  await Promise.all([server?.close(), shortLived?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function post(issuer: string, pathname: string, fields: Record<string, string>): Promise<Response> {
  return fetch(new URL(pathname, issuer), { method: "POST", body: new URLSearchParams(fields) });
}

async function startDevice(issuer = server.issuer, fields: Record<string, string> = {}): Promise<DeviceAuthorization> {
  const response = await post(issuer, "oauth/device/code", {
    client_id: CLI_CLIENT_ID,
    scope: "openid profile email offline_access chat",
    audience: apis.chatApiAudience,
    ...fields,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as DeviceAuthorization;
}

const poll = (deviceCode: string, issuer = server.issuer) =>
  post(issuer, "oauth/token", { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: CLI_CLIENT_ID });

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; error_description?: string }) };
}

describe("the Device Authorization Flow for the CLI", () => {
  it("answers /oauth/device/code as Auth0 does, with the /activate page and an interval", async () => {
    const device = await startDevice();
    expect(Object.keys(device).sort()).toEqual(
      ["device_code", "expires_in", "interval", "user_code", "verification_uri", "verification_uri_complete"].sort(),
    );
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(device.verification_uri).toBe(new URL("activate", server.issuer).href);
    expect(device.verification_uri_complete).toBe(`${device.verification_uri}?user_code=${device.user_code}`);
    expect(device).toMatchObject({ expires_in: 900, interval: 1 });
  });

  it("goes pending, then slow_down when polled too fast, then issues tokens for the API once the user confirms", async () => {
    const device = await startDevice();
    expect(await errorOf(await poll(device.device_code))).toMatchObject({ status: 400, error: "authorization_pending" });
    const tooSoon = await poll(device.device_code);
    expect(await errorOf(tooSoon)).toMatchObject({ status: 400, error: "slow_down" });
    // RFC 8628 §3.5: five more seconds per slow_down at Auth0; here the base interval, one second.
    expect(tooSoon.headers.get("retry-after")).toBe("2");

    const { page } = await approveDeviceCode(server.issuer, device.user_code, "alice@example.com");
    expect(page).toContain("Delegate CLI is signed in");
    await sleep(2100);

    const response = await poll(device.device_code);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as TokenResponse;
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: apis.chatApiAudience, sub: "auth0|alice", scope: "chat" });
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ sub: "auth0|alice", email: "alice@example.com" });
    expect(tokens.refresh_token).toEqual(expect.any(String));

    // A device code is good for one set of tokens.
    await sleep(2100);
    expect((await errorOf(await poll(device.device_code))).error).toBe("invalid_grant");
  });

  it("refreshes for the same API, and after revocation at /oauth/revoke the refresh token is refused", async () => {
    const device = await startDevice();
    await approveDeviceCode(server.issuer, device.user_code, "bob@example.com");
    const tokens = (await (await poll(device.device_code)).json()) as TokenResponse;
    const refresh = () => post(server.issuer, "oauth/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: CLI_CLIENT_ID });

    const refreshed = await refresh();
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(((await refreshed.json()) as TokenResponse).access_token)).toMatchObject({ aud: apis.chatApiAudience, sub: "auth0|bob" });

    // RFC 7009: a public client revokes with its client_id alone.
    const revoked = await post(server.issuer, "oauth/revoke", { token: tokens.refresh_token!, token_type_hint: "refresh_token", client_id: CLI_CLIENT_ID });
    expect(revoked.status).toBe(200);
    expect(await errorOf(await refresh())).toMatchObject({ status: 400, error: "invalid_grant" });
  });

  it("issues no refresh token unless offline_access was asked", async () => {
    const device = await startDevice(server.issuer, { scope: "openid chat" });
    await approveDeviceCode(server.issuer, device.user_code, "carol@example.com");
    const tokens = (await (await poll(device.device_code)).json()) as TokenResponse;
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toBeUndefined();
  });

  it("answers access_denied once the user denies the code", async () => {
    const device = await startDevice();
    const { page } = await approveDeviceCode(server.issuer, device.user_code, "alice@example.com", "deny");
    expect(page).toContain("The sign-in was cancelled");
    expect(await errorOf(await poll(device.device_code))).toMatchObject({ status: 400, error: "access_denied" });
  });

  it("shows an error for a code that does not exist, and lets the user try again", async () => {
    const { page } = await approveDeviceCode(server.issuer, "BBBB-CCCC", "alice@example.com");
    expect(page).toContain('role="alert"');
    expect(page).toContain("That code is not valid");
    expect(page).toMatch(/<label for="user_code">/);
    // What the user typed stays in the field, so a typo can be corrected.
    expect(page).toMatch(/name="user_code"[^>]* value="BBBB-CCCC" aria-invalid="true"/);
  });

  it("answers expired_token once the code has expired, and the page refuses it", async () => {
    const device = await startDevice(shortLived.issuer);
    await sleep(2500);
    expect(await errorOf(await poll(device.device_code, shortLived.issuer))).toMatchObject({ status: 400, error: "expired_token" });
    const { page } = await approveDeviceCode(shortLived.issuer, device.user_code, "alice@example.com");
    expect(page).toContain("That code is not valid");
  });

  it("refuses an unknown audience, and a client without the device grant", async () => {
    const unknown = await post(server.issuer, "oauth/device/code", { client_id: CLI_CLIENT_ID, scope: "openid", audience: "https://api.example.org/" });
    expect(await errorOf(unknown)).toMatchObject({ status: 400, error: "invalid_target" });
    const webApp = await post(server.issuer, "oauth/device/code", { client_id: "delegate-app", client_secret: "delegate-sandbox-secret", scope: "openid" });
    expect(await errorOf(webApp)).toMatchObject({ status: 403, error: "unauthorized_client" });
  });

  it("takes RFC 8707's resource as well as audience", async () => {
    const device = await startDevice(server.issuer, { audience: "", resource: apis.mcpAudience, scope: "openid tools:read" });
    await approveDeviceCode(server.issuer, device.user_code, "dave@example.com");
    const tokens = (await (await poll(device.device_code)).json()) as TokenResponse;
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: apis.mcpAudience, scope: "tools:read" });
  });
});
