import "server-only";
import { apiUrl, callProvider } from "./http";
import { ProviderError } from "./provider-error";

/** The shop's API: a public catalogue, and orders that need a token the user approved (CIBA). */
const SERVICE = "The shop";

export interface Product {
  id: string;
  name: string;
  price: number;
  currency: string;
}

export interface Order {
  id: string;
  number: string;
  product: { id: string; name: string };
  quantity: number;
  total: number;
  currency: string;
  status: string;
}

export async function listProducts(shopUrl: string): Promise<Product[]> {
  const response = await fetch(apiUrl(shopUrl, "/products"), { signal: AbortSignal.timeout(10_000) }).catch(() => null);
  if (!response?.ok) throw new ProviderError(SERVICE, "unavailable", response?.status);
  return ((await response.json()) as { products: Product[] }).products;
}

/** "Acme Widgets", "acme widget" and "acme-widget" all name the Acme Widget. */
export function findProduct(products: Product[], name: string): Product | undefined {
  const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().replace(/s$/, "");
  const wanted = normalise(name);
  return products.find((p) => normalise(p.name) === wanted || normalise(p.id) === wanted);
}

/** `idempotencyKey` makes a retried or resumed call place the order once. */
export async function placeOrder(
  shopUrl: string,
  token: string,
  order: { productId: string; quantity: number; maxTotalPrice: number; idempotencyKey: string },
): Promise<Order> {
  return callProvider<Order>({
    service: SERVICE,
    url: apiUrl(shopUrl, "/orders"),
    token,
    method: "POST",
    headers: { "idempotency-key": order.idempotencyKey },
    body: { product: order.productId, quantity: order.quantity, max_total_price: order.maxTotalPrice },
  });
}
