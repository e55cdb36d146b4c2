/**
 * What the sandbox shop sells. Prices are whole cents, so totals and price caps compare exactly; the
 * API shows them as decimal numbers, as a shop API would.
 */
export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

export const CURRENCY = "USD";

export const products: readonly Product[] = [
  { id: "acme-widget", name: "Acme Widget", priceCents: 19_99 },
  { id: "noise-cancelling-headphones", name: "Noise-cancelling headphones", priceCents: 249_00 },
  { id: "usb-c-cable", name: "USB-C cable (2 m)", priceCents: 12_50 },
  { id: "mechanical-keyboard", name: "Mechanical keyboard", priceCents: 89_00 },
  { id: "coffee-beans", name: "Coffee beans, 1 kg", priceCents: 24_90 },
];

export const toAmount = (cents: number): number => cents / 100;

/** A product by id or by its exact name, ignoring case: an agent may pass either. */
export function findProduct(idOrName: string): Product | undefined {
  const wanted = idOrName.trim().toLowerCase();
  return products.find((product) => product.id === wanted || product.name.toLowerCase() === wanted);
}

export const productView = (product: Product) => ({
  id: product.id,
  name: product.name,
  price: toAmount(product.priceCents),
  currency: CURRENCY,
});
