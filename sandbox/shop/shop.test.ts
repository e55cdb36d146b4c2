import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestIssuer, type TestIssuer } from "../providers/test-support";
import { startShopApi, type ShopApi } from "./server";

const AUDIENCE = "urn:delegate-sandbox:shop";
const ALICE = "auth0|alice";
const BOB = "auth0|bob";

let issuer: TestIssuer;
let shop: ShopApi;
const logs: string[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  shop = await startShopApi({ port: 0, issuer: issuer.issuer, audience: AUDIENCE, log: (line) => logs.push(line) });
});

afterAll(async () => {
  await shop?.close();
  await issuer?.close();
});

const tokenFor = (sub: string, scopes = ["orders:create"], extra: { aud?: string; expiresIn?: number; forged?: boolean } = {}) =>
  issuer.mint({ sub, aud: extra.aud ?? AUDIENCE, scopes, expiresIn: extra.expiresIn, forged: extra.forged });

interface OrderBody {
  product?: unknown;
  quantity?: unknown;
  max_total_price?: unknown;
}

async function placeOrder(
  token: string | undefined,
  body: OrderBody | string,
  /** null sends no Idempotency-Key header. */
  idempotencyKey: string | null = randomUUID(),
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
  return fetch(`${shop.url}/orders`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const twoWidgets = { product: "acme-widget", quantity: 2, max_total_price: 39.98 };

async function sandboxOrders(sub?: string): Promise<{ user: string; id: string; number: string }[]> {
  const url = new URL("/sandbox/orders", shop.url);
  if (sub) url.searchParams.set("sub", sub);
  return ((await (await fetch(url)).json()) as { orders: { user: string; id: string; number: string }[] }).orders;
}

describe("the sandbox shop", () => {
  it("lists its products publicly", async () => {
    const response = await fetch(`${shop.url}/products`);
    expect(response.status).toBe(200);
    const { products } = (await response.json()) as { products: { id: string; name: string; price: number; currency: string }[] };
    expect(products.length).toBeGreaterThanOrEqual(5);
    expect(products).toContainEqual({ id: "acme-widget", name: "Acme Widget", price: 19.99, currency: "USD" });
    expect(products).toContainEqual({
      id: "noise-cancelling-headphones",
      name: "Noise-cancelling headphones",
      price: 249,
      currency: "USD",
    });
    expect(products.every((product) => product.currency === "USD")).toBe(true);
  });

  describe("token checks on POST /orders", () => {
    it("asks for a token when there is none, without an error attribute (RFC 6750)", async () => {
      const response = await placeOrder(undefined, twoWidgets);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(`Bearer realm="${AUDIENCE}"`);
      expect(await response.json()).toMatchObject({ error: "invalid_token" });
    });

    it.each([
      ["a token that is not a JWT", () => Promise.resolve("not-a-jwt")],
      ["a token signed with another key", () => tokenFor(ALICE, ["orders:create"], { forged: true })],
      ["a token for another audience", () => tokenFor(ALICE, ["orders:create"], { aud: "google-oauth2" })],
      ["an expired token", () => tokenFor(ALICE, ["orders:create"], { expiresIn: -60 })],
    ])("refuses %s with 401 invalid_token", async (_label, token) => {
      const response = await placeOrder(await token(), twoWidgets);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="urn:delegate-sandbox:shop", error="invalid_token"/);
      expect(await response.json()).toMatchObject({ error: "invalid_token" });
    });

    it("says an expired token has expired", async () => {
      const response = await placeOrder(await tokenFor(ALICE, ["orders:create"], { expiresIn: -60 }), twoWidgets);
      expect(((await response.json()) as { error_description: string }).error_description).toMatch(/expired/);
    });

    it("refuses a token without orders:create with 403 insufficient_scope", async () => {
      const response = await placeOrder(await tokenFor(ALICE, ["orders:read"]), twoWidgets);
      expect(response.status).toBe(403);
      expect(response.headers.get("www-authenticate")).toBe(
        `Bearer realm="${AUDIENCE}", error="insufficient_scope", scope="orders:create"`,
      );
      expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
    });
  });

  describe("placing orders", () => {
    it("places an order for the token's user", async () => {
      const token = await tokenFor(ALICE);
      const response = await placeOrder(token, twoWidgets);
      expect(response.status).toBe(201);
      const order = (await response.json()) as Record<string, unknown>;
      expect(order).toMatchObject({
        product: { id: "acme-widget", name: "Acme Widget" },
        quantity: 2,
        unit_price: 19.99,
        total: 39.98,
        currency: "USD",
        status: "confirmed",
      });
      expect(order.id).toMatch(/^ord_/);
      expect(order.number).toMatch(/^ORD-\d{6}$/);
      expect(new Date(String(order.created_at)).toISOString()).toBe(order.created_at);
      expect((await sandboxOrders(ALICE)).map(({ id }) => id)).toContain(order.id);
    });

    it("requires an Idempotency-Key", async () => {
      const response = await placeOrder(await tokenFor(ALICE), twoWidgets, null);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    });

    it("places one order per key: a retry gets the same order, a different body is refused", async () => {
      const token = await tokenFor(BOB);
      const key = randomUUID();
      const body = { product: "Noise-cancelling headphones", quantity: 1, max_total_price: 250 };
      const first = await placeOrder(token, body, key);
      expect(first.status).toBe(201);
      const order = (await first.json()) as { id: string; number: string };

      // Named differently but the same order: still a retry.
      const retry = await placeOrder(token, { ...body, product: "noise-cancelling-headphones" }, key);
      expect(retry.status).toBe(200);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(await retry.json()).toMatchObject({ id: order.id, number: order.number });

      const reused = await placeOrder(token, { ...body, quantity: 2, max_total_price: 500 }, key);
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ error: "idempotency_key_reused" });

      const bobs = (await sandboxOrders(BOB)).filter(({ id }) => id === order.id);
      expect(bobs).toHaveLength(1);
    });

    it("keeps keys per user: another user's identical key places their own order", async () => {
      const key = randomUUID();
      const alices = await placeOrder(await tokenFor(ALICE), twoWidgets, key);
      const carols = await placeOrder(await tokenFor("auth0|carol"), twoWidgets, key);
      expect([alices.status, carols.status]).toEqual([201, 201]);
      const [a, c] = (await Promise.all([alices.json(), carols.json()])) as { id: string }[];
      expect(a?.id).not.toBe(c?.id);
    });

    it("refuses a total above max_total_price with 422, and leaves the key free for a corrected retry", async () => {
      const token = await tokenFor(ALICE);
      const key = randomUUID();
      const refused = await placeOrder(token, { product: "acme-widget", quantity: 2, max_total_price: 39.97 }, key);
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({
        error: "price_exceeds_maximum",
        total: 39.98,
        max_total_price: 39.97,
        currency: "USD",
      });
      const corrected = await placeOrder(token, { product: "acme-widget", quantity: 2, max_total_price: "39.98" }, key);
      expect(corrected.status).toBe(201);
    });

    it("answers 404 for an unknown product", async () => {
      const response = await placeOrder(await tokenFor(ALICE), { ...twoWidgets, product: "flux capacitor" });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: "product_not_found" });
    });

    it.each([
      ["quantity 0", { ...twoWidgets, quantity: 0 }],
      ["quantity 101", { ...twoWidgets, quantity: 101, max_total_price: 10_000 }],
      ["a fractional quantity", { ...twoWidgets, quantity: 1.5 }],
      ["no max_total_price", { product: "acme-widget", quantity: 1 }],
      ["a negative max_total_price", { ...twoWidgets, max_total_price: -1 }],
      ["no product", { quantity: 1, max_total_price: 20 }],
    ])("refuses %s with 400 invalid_request", async (_label, body) => {
      const response = await placeOrder(await tokenFor(ALICE), body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    });

    it("refuses a body that is not JSON", async () => {
      const response = await placeOrder(await tokenFor(ALICE), "{not json");
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
    });
  });

  describe("listing orders", () => {
    it("shows each user only their own orders, with orders:read or orders:create", async () => {
      const dave = `auth0|dave-${randomUUID()}`;
      const placed = (await (await placeOrder(await tokenFor(dave), twoWidgets)).json()) as { id: string };

      for (const scopes of [["orders:read"], ["orders:create"]]) {
        const response = await fetch(`${shop.url}/orders`, {
          headers: { authorization: `Bearer ${await tokenFor(dave, scopes)}` },
        });
        expect(response.status).toBe(200);
        const { orders } = (await response.json()) as { orders: { id: string }[] };
        expect(orders.map(({ id }) => id)).toEqual([placed.id]);
      }

      const erin = await fetch(`${shop.url}/orders`, {
        headers: { authorization: `Bearer ${await tokenFor("auth0|erin", ["orders:read"])}` },
      });
      expect(await erin.json()).toEqual({ orders: [] });
    });

    it("needs a token with an orders scope", async () => {
      expect((await fetch(`${shop.url}/orders`)).status).toBe(401);
      const other = await fetch(`${shop.url}/orders`, {
        headers: { authorization: `Bearer ${await tokenFor(ALICE, ["profile"])}` },
      });
      expect(other.status).toBe(403);
    });
  });

  describe("sandbox views", () => {
    it("lists every user's orders on the sandbox page", async () => {
      const frank = `auth0|frank-${randomUUID().slice(0, 8)}`;
      const placed = (await (
        await placeOrder(await tokenFor(frank), { product: "Mechanical keyboard", quantity: 1, max_total_price: 89 })
      ).json()) as { number: string };

      const page = await fetch(`${shop.url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("<h1>Delegate sandbox shop — not a real store</h1>");
      expect(html).toContain('<th scope="col">User</th>');
      const row = html.split("\n").find((line) => line.includes(placed.number));
      expect(row).toContain(frank);
      expect(row).toContain("Mechanical keyboard");
      expect(row).toContain("89.00 USD");
    });

    it("answers JSON for one user or for everyone", async () => {
      const all = await sandboxOrders();
      const alices = await sandboxOrders(ALICE);
      expect(alices.length).toBeGreaterThan(0);
      expect(alices.every(({ user }) => user === ALICE)).toBe(true);
      expect(all.length).toBeGreaterThan(alices.length);
    });
  });

  it("logs one line per request, with no token in it", async () => {
    const token = await tokenFor(ALICE);
    await placeOrder(token, twoWidgets);
    const line = logs.findLast((entry) => entry.includes("POST /orders"));
    expect(line).toMatch(/^\[sandbox:shop\] POST \/orders 201 \d+ms$/);
    expect(logs.some((entry) => entry.includes(token) || entry.includes(token.split(".")[2] ?? "-"))).toBe(false);
  });
});
