/**
 * The shop's orders and their idempotency keys, in memory: a restart empties the shop, which suits a
 * sandbox whose data only lives as long as one development or test session.
 *
 * An order is placed once per (user, Idempotency-Key): the same key with the same request gives the
 * order already placed, and with a different request is refused, so a retried tool call can never buy
 * twice. Only placed orders hold a key; a refused request (unknown product, price over the cap)
 * leaves the key free for a corrected retry.
 */
import { randomBytes } from "node:crypto";
import { CURRENCY, toAmount, type Product } from "./catalog";

export interface Order {
  id: string;
  /** What a customer would quote, e.g. "ORD-100042". */
  number: string;
  /** The buyer: the access token's `sub`. */
  sub: string;
  product: { id: string; name: string };
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  createdAt: string;
}

export interface OrderRequest {
  product: Product;
  quantity: number;
  maxTotalCents: number;
}

export type PlaceResult =
  | { outcome: "placed" | "replayed"; order: Order }
  | { outcome: "price_exceeds_maximum"; totalCents: number }
  | { outcome: "idempotency_key_reused" };

const FIRST_ORDER_NUMBER = 100_001;

// What makes two requests "the same" for an idempotency key: the order they describe, however the
// product was named.
const fingerprint = ({ product, quantity, maxTotalCents }: OrderRequest) =>
  JSON.stringify([product.id, quantity, maxTotalCents]);

export class OrderBook {
  readonly #orders: Order[] = [];
  readonly #byKey = new Map<string, { fingerprint: string; order: Order }>();
  readonly #now: () => Date;

  constructor({ now = () => new Date() }: { now?: () => Date } = {}) {
    this.#now = now;
  }

  /** Synchronous from lookup to insert, so two concurrent requests with one key cannot both place. */
  place(sub: string, idempotencyKey: string, request: OrderRequest): PlaceResult {
    const key = JSON.stringify([sub, idempotencyKey]);
    const previous = this.#byKey.get(key);
    if (previous) {
      return previous.fingerprint === fingerprint(request)
        ? { outcome: "replayed", order: structuredClone(previous.order) }
        : { outcome: "idempotency_key_reused" };
    }
    const totalCents = request.product.priceCents * request.quantity;
    if (totalCents > request.maxTotalCents) return { outcome: "price_exceeds_maximum", totalCents };

    const order: Order = {
      id: `ord_${randomBytes(9).toString("base64url")}`,
      number: `ORD-${FIRST_ORDER_NUMBER + this.#orders.length}`,
      sub,
      product: { id: request.product.id, name: request.product.name },
      quantity: request.quantity,
      unitPriceCents: request.product.priceCents,
      totalCents,
      createdAt: this.#now().toISOString(),
    };
    this.#orders.push(order);
    this.#byKey.set(key, { fingerprint: fingerprint(request), order });
    return { outcome: "placed", order: structuredClone(order) };
  }

  /** Every order, oldest first; of one user when `sub` is given. */
  list(sub?: string): Order[] {
    return this.#orders.filter((order) => sub === undefined || order.sub === sub).map((order) => structuredClone(order));
  }
}

/** An order as the API shows it to its buyer. */
export const orderView = (order: Order) => ({
  id: order.id,
  number: order.number,
  product: order.product,
  quantity: order.quantity,
  unit_price: toAmount(order.unitPriceCents),
  total: toAmount(order.totalCents),
  currency: CURRENCY,
  status: "confirmed" as const,
  created_at: order.createdAt,
});
