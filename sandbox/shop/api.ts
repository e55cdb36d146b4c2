/**
 * The shop's API: a public catalog, and orders placed and listed with an access token whose scopes
 * allow it. Errors are JSON `{ error, error_description }`, as OAuth-protected APIs commonly answer.
 */
import express, { Router } from "express";
import { z } from "zod";
import { callerOf, requireScope, ShopError, type ShopTokenVerifier } from "./auth";
import { CURRENCY, findProduct, productView, products, toAmount } from "./catalog";
import { orderView, type OrderBook } from "./orders";
import { noteForLog } from "../http";

export const SHOP_SCOPES = { create: "orders:create", read: "orders:read" } as const;

/**
 * The shop's API as a deployer registers it at Auth0 (Applications > APIs): its permissions, and the
 * Rich Authorization Requests type a purchase approval carries, without which Auth0 refuses the request.
 * The type is in Auth0's own URN schema because the Auth0 Guardian app shows only details in that schema
 * (https://auth0.com/docs/get-started/apis/configure-rich-authorization-requests).
 */
export const SHOP_API_REGISTRATION = {
  scopes: Object.values(SHOP_SCOPES),
  authorizationDetailsTypes: ["urn:auth0:schemas:authorization-details:v1:purchase"],
} as const;

export interface ShopApiDependencies {
  verify: ShopTokenVerifier;
  audience: string;
  orders: OrderBook;
}

const orderBody = z.object({
  product: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(100),
  // A number, or the decimal string an agent may copy from authorization_details.
  max_total_price: z.union([z.number().nonnegative().finite(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]),
});

// Printable ASCII, as Stripe and the IETF Idempotency-Key draft expect of a key.
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function parseOrder(body: unknown) {
  const result = orderBody.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  throw new ShopError(400, "invalid_request", `Invalid order: ${problems.join("; ")}.`);
}

export function shopApi({ verify, audience, orders }: ShopApiDependencies): Router {
  const router = Router();
  const requireAny = (...scopes: string[]) => requireScope(verify, audience, scopes, noteForLog);

  router.get("/products", (_req, res) => {
    res.json({ products: products.map(productView) });
  });

  router.post("/orders", requireAny(SHOP_SCOPES.create), express.json({ limit: "16kb" }), (req, res) => {
    const idempotencyKey = req.get("idempotency-key");
    if (!idempotencyKey || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ShopError(
        400,
        "invalid_request",
        "The Idempotency-Key header is required: 1 to 255 printable characters, the same for every retry of one order.",
      );
    }
    const body = parseOrder(req.body);
    const product = findProduct(body.product);
    if (!product) throw new ShopError(404, "product_not_found", `No product "${body.product}" in the shop.`);

    const maxTotalCents = Math.round(body.max_total_price * 100);
    const result = orders.place(callerOf(res).sub, idempotencyKey, { product, quantity: body.quantity, maxTotalCents });
    switch (result.outcome) {
      case "placed":
        res.status(201).json(orderView(result.order));
        return;
      case "replayed":
        noteForLog(res, "idempotent replay");
        res.status(200).set("Idempotent-Replayed", "true").json(orderView(result.order));
        return;
      case "idempotency_key_reused":
        throw new ShopError(
          422,
          "idempotency_key_reused",
          "This Idempotency-Key was already used for a different order; use a new key for a new order.",
        );
      case "price_exceeds_maximum":
        throw new ShopError(
          422,
          "price_exceeds_maximum",
          `${body.quantity} × ${product.name} costs ${toAmount(result.totalCents).toFixed(2)} ${CURRENCY}, more than the maximum of ${toAmount(maxTotalCents).toFixed(2)} ${CURRENCY}.`,
          { total: toAmount(result.totalCents), max_total_price: toAmount(maxTotalCents), currency: CURRENCY },
        );
    }
  });

  router.get("/orders", requireAny(SHOP_SCOPES.read, SHOP_SCOPES.create), (_req, res) => {
    res.json({ orders: orders.list(callerOf(res).sub).map(orderView) });
  });

  return router;
}
