import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusalMessage } from "@/lib/auth/async-authorization-refusals";
import { OAuthError } from "@/lib/auth/oauth";
import { startShopApi, type ShopApi } from "../shop/server";
import { startIdentityServer, type IdentityServer } from "./server";
import { approveBackchannelRequest, readAuthenticator, signInToAuthenticator } from "./test-authenticator";
import {
  loginHintFor,
  pollToken,
  postForm,
  purchaseDetail,
  PURCHASE_TYPE,
  requestApproval,
  SANDBOX_CLIENT,
  SHOP_API_REGISTRATION,
  SHOP_AUDIENCE,
  sleep,
  startApproval,
} from "./test-ciba";

let dataDir: string;
let server: IdentityServer;
let shop: ShopApi;
const logs: string[] = [];
/** Every auth_req_id and token handed out, to check that none reaches the log. */
const secrets: string[] = [];

// One interval plus a margin: the sandbox runs with cibaIntervalSeconds 1.
const INTERVAL_MS = 1000;
const wait = () => sleep(INTERVAL_MS + 100);

const REFUNDS_AUDIENCE = "urn:delegate-sandbox:refunds";
const REFUND_TYPE = "urn:auth0:schemas:authorization-details:v1:refund";

let counter = 0;
/** A binding message no other test uses, so each test finds its own request on the authenticator. */
const uniqueMessage = (text = "Buy 2 x Acme Widget for at most 39.98") => `${text} n${++counter}`;

interface ErrorBody {
  error: string;
  error_description?: string;
}

async function errorOf(response: Response): Promise<{ status: number } & ErrorBody> {
  return { status: response.status, ...((await response.json()) as ErrorBody) };
}

async function start(overrides: Record<string, string | undefined> = {}) {
  const bindingMessage = overrides.binding_message ?? uniqueMessage();
  const authReqId = await startApproval(server.issuer, { ...overrides, binding_message: bindingMessage });
  secrets.push(authReqId);
  return { authReqId, bindingMessage };
}

const answer = (bindingMessage: string, decision: "approve" | "deny", email = "alice@example.com") =>
  approveBackchannelRequest({ issuer: server.issuer, email, bindingMessage, decision });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-ciba-"));
  server = await startIdentityServer({
    port: 0,
    appBaseUrl: "http://localhost:3000",
    dataDir,
    cibaIntervalSeconds: 1,
    apiAudiences: {
      [SHOP_AUDIENCE]: SHOP_API_REGISTRATION,
      [REFUNDS_AUDIENCE]: { scopes: ["refunds:create"], authorizationDetailsTypes: [REFUND_TYPE] },
    },
    log: (line) => logs.push(line),
  });
  shop = await startShopApi({ port: 0, issuer: server.issuer, audience: SHOP_AUDIENCE, log: () => {} });
});

afterAll(async () => {
  await shop?.close();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("CIBA on the sandbox identity server", () => {
  it("advertises the backchannel endpoint, poll mode and the grant type", async () => {
    const discovery = (await (await fetch(new URL(".well-known/openid-configuration", server.issuer))).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({
      backchannel_authentication_endpoint: new URL("/bc-authorize", server.issuer).href,
      backchannel_token_delivery_modes_supported: ["poll"],
      backchannel_user_code_parameter_supported: false,
    });
    expect(discovery.grant_types_supported).toContain("urn:openid:params:grant-type:ciba");
  });

  it("answers /bc-authorize with auth_req_id, expires_in and interval", async () => {
    const response = await requestApproval(server.issuer, { binding_message: uniqueMessage() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["auth_req_id", "expires_in", "interval"]);
    expect(body).toMatchObject({ expires_in: 300, interval: 1 });
    expect(typeof body.auth_req_id).toBe("string");
    secrets.push(String(body.auth_req_id));
  });

  it("answers authorization_pending, then slow_down to a poll sooner than the interval, and each slow_down lengthens it", async () => {
    const { authReqId } = await start();
    expect(await errorOf(await pollToken(server.issuer, authReqId))).toEqual({
      status: 400,
      error: "authorization_pending",
      error_description: "The end-user authorization is pending",
    });

    // Auth0 sends the wait in Retry-After, not in the body, and it grows while the client keeps polling too fast.
    const tooSoon = await pollToken(server.issuer, authReqId);
    expect(tooSoon.headers.get("retry-after")).toBe("2");
    expect(await errorOf(tooSoon)).toEqual({
      status: 400,
      error: "slow_down",
      error_description: "You are polling faster than allowed. Try again in 2 seconds.",
    });

    // 1.2 s after the refused poll: enough for the first interval, not for the lengthened one.
    await sleep(1200);
    const again = await pollToken(server.issuer, authReqId);
    expect(again.headers.get("retry-after")).toBe("3");
    expect((await errorOf(again)).error).toBe("slow_down");

    await sleep(3100);
    expect((await errorOf(await pollToken(server.issuer, authReqId))).error).toBe("authorization_pending");
    // The interval stays lengthened for the rest of the request's life.
    await wait();
    expect((await errorOf(await pollToken(server.issuer, authReqId))).error).toBe("slow_down");
  });

  it("issues tokens for the shop once the user approves on the authenticator, exactly once", async () => {
    const { authReqId, bindingMessage } = await start();
    expect((await errorOf(await pollToken(server.issuer, authReqId))).error).toBe("authorization_pending");

    expect(await answer(bindingMessage, "approve")).toEqual({ status: `Approved: ${bindingMessage}` });
    // Polling too fast after the approval is refused without spending it, and doubles the interval.
    expect((await errorOf(await pollToken(server.issuer, authReqId))).error).toBe("slow_down");
    await sleep(2 * INTERVAL_MS + 100);

    const response = await pollToken(server.issuer, authReqId);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = (await response.json()) as Record<string, unknown>;
    secrets.push(String(tokens.access_token), String(tokens.id_token));
    expect(tokens).toMatchObject({
      token_type: "Bearer",
      expires_in: 3600,
      scope: "orders:create",
      authorization_details: [purchaseDetail()],
    });
    expect(tokens.refresh_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", server.issuer));
    const accessToken = String(tokens.access_token);
    expect(decodeProtectedHeader(accessToken).typ).toBe("at+jwt");
    const { payload: access } = await jwtVerify(accessToken, jwks, { issuer: server.issuer, audience: SHOP_AUDIENCE });
    expect(access).toMatchObject({ sub: "auth0|alice", scope: "orders:create", client_id: SANDBOX_CLIENT.client_id });
    const { payload: id } = await jwtVerify(String(tokens.id_token), jwks, {
      issuer: server.issuer,
      audience: SANDBOX_CLIENT.client_id,
    });
    expect(id.sub).toBe("auth0|alice");

    // The shop takes the token as it is.
    const order = await fetch(`${shop.url}/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${accessToken}`,
        "content-type": "application/json",
        "idempotency-key": randomUUID(),
      },
      body: JSON.stringify({ product: "Acme Widget", quantity: 2, max_total_price: 39.98 }),
    });
    expect(order.status).toBe(201);

    await wait();
    expect(await errorOf(await pollToken(server.issuer, authReqId))).toMatchObject({
      status: 400,
      error: "invalid_grant",
    });
  });

  it("adds a refresh token when the app asked for offline_access, and profile claims for profile", async () => {
    const { authReqId, bindingMessage } = await start({ scope: "openid profile offline_access orders:create" });
    await answer(bindingMessage, "approve");
    const tokens = (await (await pollToken(server.issuer, authReqId)).json()) as Record<string, unknown>;
    secrets.push(String(tokens.access_token), String(tokens.id_token), String(tokens.refresh_token));
    expect(typeof tokens.refresh_token).toBe("string");
    const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", server.issuer));
    const { payload } = await jwtVerify(String(tokens.id_token), jwks, { issuer: server.issuer });
    expect(payload.name).toBe("Alice Martin");
  });

  it("answers access_denied after Deny, then invalid_grant", async () => {
    const { authReqId, bindingMessage } = await start();
    expect(await answer(bindingMessage, "deny")).toEqual({ status: `Denied: ${bindingMessage}` });
    expect(await errorOf(await pollToken(server.issuer, authReqId))).toEqual({
      status: 400,
      error: "access_denied",
      error_description: "The end-user denied the authorization request or it has been expired",
    });
    await wait();
    expect((await errorOf(await pollToken(server.issuer, authReqId))).error).toBe("invalid_grant");
  });

  it("answers an expired request access_denied, as Auth0 does, and the authenticator drops the request", async () => {
    const bindingMessage = uniqueMessage();
    const response = await requestApproval(server.issuer, { binding_message: bindingMessage, requested_expiry: "1" });
    const body = (await response.json()) as { auth_req_id: string; expires_in: number };
    secrets.push(body.auth_req_id);
    expect(body.expires_in).toBe(1);
    await sleep(1200);
    expect(await errorOf(await pollToken(server.issuer, body.auth_req_id))).toEqual({
      status: 400,
      error: "access_denied",
      error_description: "The end-user denied the authorization request or it has been expired",
    });
    const session = await signInToAuthenticator({ issuer: server.issuer, email: "alice@example.com" });
    const { requests } = await readAuthenticator(session);
    expect(requests.map((request) => request.bindingMessage)).not.toContain(bindingMessage);
  });

  it("caps requested_expiry at 300 seconds", async () => {
    const response = await requestApproval(server.issuer, { binding_message: uniqueMessage(), requested_expiry: "900" });
    const body = (await response.json()) as { auth_req_id: string; expires_in: number };
    secrets.push(body.auth_req_id);
    expect(body.expires_in).toBe(300);
  });

  it("accepts a 64-character binding message and a 40-character one with spaces", async () => {
    for (const message of ["x".repeat(64), "Buy 1 x Acme Widget, total 19.99 USD #42"]) {
      const response = await requestApproval(server.issuer, { binding_message: message });
      expect(response.status, message).toBe(200);
      secrets.push(((await response.json()) as { auth_req_id: string }).auth_req_id);
    }
  });

  it("accepts the issuer in login_hint without its scheme or trailing slash, as Auth0 does", async () => {
    const bare = server.issuer.replace(/^http:\/\//, "").replace(/\/$/, "");
    for (const iss of [bare, server.issuer.replace(/\/$/, ""), `https://${bare}/`]) {
      const response = await requestApproval(server.issuer, {
        binding_message: uniqueMessage(),
        login_hint: loginHintFor(iss, "auth0|alice"),
      });
      expect(response.status, iss).toBe(200);
      secrets.push(((await response.json()) as { auth_req_id: string }).auth_req_id);
    }
  });

  it.each<[string, Record<string, string | undefined>, number, string]>([
    ["a 65-character binding message", { binding_message: "x".repeat(65) }, 400, "invalid_binding_message"],
    ["a binding message with <", { binding_message: "Buy <b>2</b> widgets" }, 400, "invalid_binding_message"],
    ["a binding message with ×", { binding_message: "Buy 2 × Acme Widget" }, 400, "invalid_binding_message"],
    ["a binding message with parentheses", { binding_message: "Buy 1 x USB-C cable (2 m)" }, 400, "invalid_binding_message"],
    ["a binding message with an accented letter", { binding_message: "Buy 1 x Café crème" }, 400, "invalid_binding_message"],
    ["a binding message in Japanese", { binding_message: "日本茶を1つ購入" }, 400, "invalid_binding_message"],
    ["a binding message with an emoji", { binding_message: "Buy 1 x Coffee ☕" }, 400, "invalid_binding_message"],
    ["a binding message with a dollar sign", { binding_message: "Buy 1 x Acme Widget for $19.99" }, 400, "invalid_binding_message"],
    ["a binding message with a newline", { binding_message: "Buy 2\nwidgets" }, 400, "invalid_binding_message"],
    ["no binding message", { binding_message: undefined }, 400, "invalid_request"],
    ["a login_hint for another issuer", { login_hint: loginHintFor("https://tenant.auth0.com/", "auth0|alice") }, 400, "invalid_request"],
    ["a bare user id as login_hint", { login_hint: "auth0|alice" }, 400, "invalid_request"],
    ["a login_hint in another format", { login_hint: JSON.stringify({ format: "email", email: "alice@example.com" }) }, 400, "invalid_request"],
    ["no login_hint", { login_hint: undefined }, 400, "invalid_request"],
    ["an unknown user", { login_hint: JSON.stringify({ format: "iss_sub", iss: "ISSUER", sub: "auth0|mallory" }) }, 400, "unknown_user_id"],
    ["a scope without openid", { scope: "orders:create" }, 400, "invalid_request"],
    ["authorization_details that are not JSON", { authorization_details: "[{type: purchase}]" }, 400, "invalid_request"],
    ["authorization_details that are not an array", { authorization_details: JSON.stringify(purchaseDetail()) }, 400, "invalid_request"],
    ["an authorization detail without a type", { authorization_details: '[{"product":"Acme Widget"}]' }, 400, "invalid_request"],
    ["an authorization_details type the shop API has not registered", { authorization_details: JSON.stringify([{ ...purchaseDetail(), type: REFUND_TYPE }]) }, 400, "invalid_authorization_details"],
    ["a type that differs from the registered one in case", { authorization_details: JSON.stringify([{ ...purchaseDetail(), type: PURCHASE_TYPE.replace("purchase", "Purchase") }]) }, 400, "invalid_authorization_details"],
    ["an unknown audience", { audience: "https://api.example.com/" }, 400, "invalid_target"],
    ["requested_expiry 0", { requested_expiry: "0" }, 400, "invalid_request"],
  ])("refuses %s", async (_label, overrides, status, error) => {
    const fields: Record<string, string | undefined> = { binding_message: uniqueMessage(), ...overrides };
    // The table is built before the server has an issuer to name.
    if ("login_hint" in overrides) fields.login_hint = overrides.login_hint?.replace("ISSUER", server.issuer);
    const response = await requestApproval(server.issuer, fields);
    expect(await errorOf(response)).toMatchObject({ status, error });
  });

  it("holds authorization_details to the types registered on the API the request names", async () => {
    const refund = JSON.stringify([
      {
        type: REFUND_TYPE,
        instruction: "Refund ORD-1001",
        properties: { order: { display: true, name: "Order", display_order: "1", value: "ORD-1001" } },
      },
    ]);
    const toRefunds = await requestApproval(server.issuer, {
      binding_message: uniqueMessage("Refund ORD-1001"),
      audience: REFUNDS_AUDIENCE,
      scope: "openid refunds:create",
      authorization_details: refund,
    });
    expect(toRefunds.status).toBe(200);
    secrets.push(((await toRefunds.json()) as { auth_req_id: string }).auth_req_id);

    const toShop = await requestApproval(server.issuer, { binding_message: uniqueMessage("Refund ORD-1001"), authorization_details: refund });
    expect(await errorOf(toShop)).toEqual({
      status: 400,
      error: "invalid_authorization_details",
      error_description: `authorization_details type '${REFUND_TYPE}' is not registered on the API ${SHOP_AUDIENCE}`,
    });
  });

  it("refuses a client with the wrong secret", async () => {
    const response = await postForm(server.issuer, "/bc-authorize", {
      client_secret: "wrong",
      login_hint: loginHintFor(server.issuer, "auth0|alice"),
      scope: "openid",
      binding_message: "Hello",
    });
    expect(await errorOf(response)).toMatchObject({ status: 401, error: "invalid_client" });
  });

  it("answers invalid_grant for an unknown auth_req_id, however fast it is polled", async () => {
    for (let poll = 0; poll < 2; poll++) {
      expect(await errorOf(await pollToken(server.issuer, "not-a-request"))).toMatchObject({
        status: 400,
        error: "invalid_grant",
      });
    }
  });

  it("leaves polls with the wrong client secret to oidc-provider's invalid_client", async () => {
    const { authReqId } = await start();
    for (let poll = 0; poll < 2; poll++) {
      const response = await postForm(server.issuer, "/oauth/token", {
        client_secret: "wrong",
        grant_type: "urn:openid:params:grant-type:ciba",
        auth_req_id: authReqId,
      });
      expect((await errorOf(response)).error).toBe("invalid_client");
    }
    // Those polls did not count against the client's own.
    expect((await errorOf(await pollToken(server.issuer, authReqId))).error).toBe("authorization_pending");
  });

  it("keeps auth_req_ids and tokens out of the log, but says who was asked what", async () => {
    expect(logs.some((line) => /approval requested from Alice Martin: "Buy 2 x Acme Widget/.test(line))).toBe(true);
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(logs.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});

describe("authorization_details as the Auth0 Guardian app requires them", () => {
  const detail = purchaseDetail("USB-C cable (2 m)", 1, "12.50");
  const withProperty = (key: string, property: unknown) => ({ ...detail, properties: { ...detail.properties, [key]: property } });
  const product = detail.properties.product;

  /** What the app tells the user when the identity server refuses the request this way. */
  const appMessage = ({ error, error_description }: ErrorBody) =>
    refusalMessage(new OAuthError(400, error, error_description), { audience: SHOP_AUDIENCE, scopes: ["orders:create"], detailsType: PURCHASE_TYPE });

  it("accepts the one object a purchase sends and keeps every character of the product's name", async () => {
    const { bindingMessage } = await start({ authorization_details: JSON.stringify([detail]) });
    const view = await readAuthenticator(await signInToAuthenticator({ issuer: server.issuer, email: "alice@example.com" }));
    const request = view.requests.find((entry) => entry.bindingMessage === bindingMessage);
    expect(request?.instruction).toBe("Buy 1 x USB-C cable (2 m) for at most 12.50 USD");
    expect(request?.details).toEqual(["Product: USB-C cable (2 m)", "Quantity: 1", "Maximum total: 12.50", "Currency: USD"]);
  });

  it.each<[string, unknown]>([
    ["two objects, each in the schema", [detail, detail]],
    ["the flat purchase object the app used to send", [{ type: PURCHASE_TYPE, product: "Acme Widget", quantity: 2, max_total_price: "39.98", currency: "USD" }]],
    ["no instruction", [{ type: PURCHASE_TYPE, properties: detail.properties }]],
    ["an empty instruction", [{ ...detail, instruction: "" }]],
    ["no properties", [{ type: PURCHASE_TYPE, instruction: detail.instruction }]],
    ["a field outside the schema", [{ ...detail, product: "Acme Widget" }]],
    ["a property without display", [withProperty("product", { name: "Product", display_order: "1", value: "Acme Widget" })]],
    ["a property without a name", [withProperty("product", { ...product, name: undefined })]],
    ["a display_order that is not a string of digits", [withProperty("product", { ...product, display_order: "first" })]],
    ["a value that is not a string", [withProperty("quantity", { ...detail.properties.quantity, value: 1 })]],
    ["a value of 256 characters", [withProperty("product", { ...product, value: "x".repeat(256) })]],
    ["an instruction of 256 characters", [{ ...detail, instruction: "x".repeat(256) }]],
    ["a property name with a space", [withProperty("gift wrap", { ...product, name: "Gift wrap", value: "yes" })]],
    ["a property that is not an object", [withProperty("note", "Leave at the door")]],
  ])("refuses %s, and the app tells the user what went wrong", async (_label, details) => {
    const body = await errorOf(await requestApproval(server.issuer, { binding_message: uniqueMessage(), authorization_details: JSON.stringify(details) }));
    expect(body).toMatchObject({ status: 400, error: "invalid_authorization_details" });
    expect(body.error_description).toMatch(/Auth0 Guardian/);
    expect(appMessage(body)).toContain("the details break the one-object schema the Auth0 Guardian app requires, which is a fault in the app.");
    expect(appMessage(body)).not.toContain("invalid_authorization_details");
  });

  it("refuses a type outside Auth0's URN, and a URN of another version", async () => {
    for (const type of ["purchase", "urn:auth0:schemas:authorization-details:v2:purchase", "urn:example:purchase"]) {
      const body = await errorOf(await requestApproval(server.issuer, { binding_message: uniqueMessage(), authorization_details: JSON.stringify([{ ...detail, type }]) }));
      expect(body, type).toMatchObject({ status: 400, error: "invalid_authorization_details" });
    }
  });

  it("refuses a URN in the schema that the API has not registered, and the app names the type to register", async () => {
    const unregistered = `${PURCHASE_TYPE}-v2`;
    const body = await errorOf(
      await requestApproval(server.issuer, { binding_message: uniqueMessage(), authorization_details: JSON.stringify([{ ...detail, type: unregistered }]) }),
    );
    expect(body).toEqual({
      status: 400,
      error: "invalid_authorization_details",
      error_description: `authorization_details type '${unregistered}' is not registered on the API ${SHOP_AUDIENCE}`,
    });
    expect(appMessage(body)).toMatch(
      new RegExp(`^The approval service does not accept the \`${PURCHASE_TYPE}\` authorization_details type for the API ${SHOP_AUDIENCE}\. The administrator must register it`),
    );
  });
});
