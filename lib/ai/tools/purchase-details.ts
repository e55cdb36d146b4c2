import type { Product } from "@/lib/integrations/shop";
import { GUARDIAN_DETAILS_TYPE_PREFIX, type GuardianAuthorizationDetail } from "@/lib/auth/interrupts";

/** Registered on the shop's API in Auth0 (Applications > APIs > the API > Authorization Details Types). */
export const PURCHASE_DETAILS_TYPE = `${GUARDIAN_DETAILS_TYPE_PREFIX}purchase`;

/** Auth0 caps every authorization_details value at 255 characters. */
const MAX_VALUE_LENGTH = 255;
const fit = (text: string, room = MAX_VALUE_LENGTH) => (text.length <= room ? text : `${text.slice(0, room - 1)}…`);

export const money = (amount: number) => amount.toFixed(2);

export interface Purchase {
  product: Product;
  quantity: number;
  maxTotal: number;
}

/**
 * The purchase in one sentence around the product's name. The binding message fills in a name cut down to the
 * characters CIBA allows; the instruction, the full name.
 */
export const purchaseSentence =
  ({ product, quantity, maxTotal }: Purchase) =>
  (name: string) =>
    `Buy ${quantity} x ${name} for at most ${money(maxTotal)} ${product.currency}`;

/**
 * What the user approves, in the one object Auth0 Guardian accepts: the instruction, then product, quantity,
 * price cap and currency, each shown with its name in this order.
 */
export function purchaseDetails(purchase: Purchase): [GuardianAuthorizationDetail] {
  const shown = (displayOrder: number, name: string, value: string) => ({ display: true, name, display_order: String(displayOrder), value: fit(value) });
  const sentence = purchaseSentence(purchase);
  return [
    {
      type: PURCHASE_DETAILS_TYPE,
      // A name too long gives way, never the quantity or the price cap.
      instruction: sentence(fit(purchase.product.name, MAX_VALUE_LENGTH - sentence("").length)),
      properties: {
        product: shown(1, "Product", purchase.product.name),
        quantity: shown(2, "Quantity", String(purchase.quantity)),
        max_total_price: shown(3, "Maximum total", money(purchase.maxTotal)),
        currency: shown(4, "Currency", purchase.product.currency),
      },
    },
  ];
}
