import { z } from "zod";
import { bindingMessage } from "@/lib/auth/binding-message";
import type { ToolFailure } from "@/lib/auth/tool-context";
import { asyncApproval } from "@/lib/auth/with-async-authorization";
import { getConfig } from "@/lib/config";
import { ProviderError } from "@/lib/integrations/provider-error";
import { findProduct, listProducts, placeOrder, type Product } from "@/lib/integrations/shop";
import { declareTool } from "./pipeline";
import { money, purchaseDetails, purchaseSentence, type Purchase } from "./purchase-details";

/** The shop this deployment buys from; createTools offers buy_product only when both are configured. */
export function configuredShop(): { url: string; audience: string } | null {
  const { SHOP_API_URL, SHOP_API_AUDIENCE } = getConfig();
  return SHOP_API_URL && SHOP_API_AUDIENCE ? { url: SHOP_API_URL, audience: SHOP_API_AUDIENCE } : null;
}

function shop() {
  const configured = configuredShop();
  if (!configured) throw new Error("buy_product: no shop is configured");
  return configured;
}

/**
 * Buying spends the user's money, so every purchase waits for the user's own approval on their device (CIBA),
 * with the exact product, quantity and price cap shown there. The tool call id is the order's idempotency key.
 */
export const buyProduct = declareTool({
  name: "buy_product",
  title: "Buy products",
  about: "Buys from the shop for you. You approve every purchase on your phone, with its price cap.",
  description: "Buy a product from the shop for the user. The user must approve each purchase on their phone.",
  risk: "spend",
  inputSchema: z.object({
    product: z.string().min(1).max(100).describe("The product's name, e.g. 'Acme Widget'."),
    quantity: z.number().int().min(1).max(100).describe("How many to buy."),
    maxPrice: z.number().positive().describe("The most the user will pay in total; the current price if not given.").optional(),
  }),
  prepare: async (input): Promise<Purchase | ToolFailure> => {
    let products: Product[];
    try {
      products = await listProducts(shop().url);
    } catch {
      return { error: "The shop is not answering right now. Nothing was bought." };
    }
    const product = findProduct(products, input.product);
    if (!product) return { error: `The shop has no product called "${input.product}". It sells: ${products.map((p) => p.name).join(", ")}.` };
    const total = Math.round(product.price * input.quantity * 100) / 100;
    const maxTotal = input.maxPrice ?? total;
    if (total > maxTotal) return { error: `${input.quantity} x ${product.name} costs ${money(total)}, more than the ${money(maxTotal)} allowed. Nothing was bought.` };
    return { product, quantity: input.quantity, maxTotal };
  },
  authorizers: [
    asyncApproval<Purchase>(() => ({
      audience: shop().audience,
      scopes: ["orders:create"],
      // The product's name is the part that gives way: quantity and price cap always reach the phone whole.
      bindingMessage: (purchase) => bindingMessage(purchaseSentence(purchase), purchase.product.name, purchase.product.id),
      authorizationDetails: purchaseDetails,
    })),
  ],
  summary: ({ product, quantity }) => `Buy ${quantity} x ${product}`,
  run: async ({ product, quantity, maxTotal }, { context, toolCallId, accessToken, entered }) => {
    try {
      const order = await placeOrder(shop().url, accessToken(), { productId: product.id, quantity, maxTotalPrice: maxTotal, idempotencyKey: `${context.chatId}:${toolCallId}` });
      entered({ shopOrders: [order.number] });
      return { orderNumber: order.number, product: order.product.name, quantity: order.quantity, total: `${money(order.total)} ${order.currency}`, status: order.status };
    } catch (error) {
      if (error instanceof ProviderError) return { error: `The shop did not accept the order (${error.failure}). Nothing was bought.` };
      throw error;
    }
  },
});
