import { describe, expect, it } from "vitest";
import { asyncAuthorizationPendingSchema } from "@/lib/auth/interrupts";
import type { Product } from "@/lib/integrations/shop";
import { purchaseDetails } from "./purchase-details";

const product = (name: string): Product => ({ id: "usb-c-cable", name, price: 12.5, currency: "USD" });
/** The interrupt's schema for the details: the one definition the browser also checks them against. */
const guardianDetails = asyncAuthorizationPendingSchema.shape.authorizationDetails;

describe("a purchase's authorization details", () => {
  it("are one object in Auth0 Guardian's schema, with the product's full name", () => {
    const details = purchaseDetails({ product: product("USB-C cable (2 m)"), quantity: 1, maxTotal: 12.5 });
    expect(guardianDetails.parse(details)).toEqual(details);
    expect(details).toEqual([
      {
        type: "urn:auth0:schemas:authorization-details:v1:purchase",
        instruction: "Buy 1 x USB-C cable (2 m) for at most 12.50 USD",
        properties: {
          product: { display: true, name: "Product", display_order: "1", value: "USB-C cable (2 m)" },
          quantity: { display: true, name: "Quantity", display_order: "2", value: "1" },
          max_total_price: { display: true, name: "Maximum total", display_order: "3", value: "12.50" },
          currency: { display: true, name: "Currency", display_order: "4", value: "USD" },
        },
      },
    ]);
  });

  it("keep non-ASCII names whole and cut a name longer than Auth0's 255 characters, still in the schema", () => {
    const [accented] = purchaseDetails({ product: product("Café crème « Ø » 日本茶"), quantity: 3, maxTotal: 37.5 });
    expect(accented.properties.product?.value).toBe("Café crème « Ø » 日本茶");

    const [long] = purchaseDetails({ product: product(`Cable ${"x".repeat(400)}`), quantity: 100, maxTotal: 1250 });
    expect(guardianDetails.safeParse([long]).success).toBe(true);
    expect(long.properties.product?.value).toHaveLength(255);
    expect(long.properties.product?.value.endsWith("…")).toBe(true);
    expect(long.instruction).toHaveLength(255);
    expect(long.instruction).toMatch(/^Buy 100 x Cable x+… for at most 1250\.00 USD$/);
  });

  it("the schema refuses what Guardian would not take: two objects, the old flat object, a numeric value", () => {
    const [detail] = purchaseDetails({ product: product("Acme Widget"), quantity: 2, maxTotal: 39.98 });
    expect(guardianDetails.safeParse([detail, detail]).success).toBe(false);
    expect(guardianDetails.safeParse([]).success).toBe(false);
    expect(guardianDetails.safeParse([{ type: "purchase", product: "Acme Widget", quantity: 2 }]).success).toBe(false);
    const numeric = { ...detail, properties: { quantity: { ...detail.properties.quantity, value: 2 } } };
    expect(guardianDetails.safeParse([numeric]).success).toBe(false);
    expect(guardianDetails.safeParse([{ ...detail, script: "<b>" }]).success).toBe(false);
  });
});
