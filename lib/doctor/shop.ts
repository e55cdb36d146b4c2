import { PURCHASE_DETAILS_TYPE } from "@/lib/ai/tools/purchase-details";
import type { Config } from "@/lib/config";
import { fail, pass, skip, skipAfter, type CheckResult } from "./check";
import { request } from "./http";

/**
 * Purchases: the shop's catalogue answers, and CIBA (checked with the grants) can ask for an approval whose token
 * is for SHOP_API_AUDIENCE. The API's purchase authorization_details type and `orders:create` permission are
 * registered on the resource server in the dashboard; only the Management API with read:resource_servers could
 * show them, which the app is not granted, so the fix text says where to look.
 */
export const SHOP_TITLE = "Shop API (purchases with CIBA)";

const REGISTER_API =
  "In Auth0 Dashboard → Applications → APIs, create an API whose Identifier is SHOP_API_AUDIENCE with the permission orders:create, " +
  `and register the authorization_details type \`${PURCHASE_DETAILS_TYPE}\` on it (the Auth0 schema the Guardian app requires) ` +
  "and let your application request it (https://auth0.com/docs/get-started/apis/configure-rich-authorization-requests).";

export async function checkShop(config: Pick<Config, "SHOP_API_URL" | "SHOP_API_AUDIENCE">, ciba: CheckResult): Promise<CheckResult> {
  if (!config.SHOP_API_URL) return skip(SHOP_TITLE, "not configured (SHOP_API_URL is unset): the assistant offers no purchases");
  if (!config.SHOP_API_AUDIENCE) {
    return fail(SHOP_TITLE, "SHOP_API_URL is set but SHOP_API_AUDIENCE is not, so the assistant offers no purchases", `Set SHOP_API_AUDIENCE to the shop API's identifier. ${REGISTER_API}`);
  }
  if (ciba.status !== "pass") return skipAfter(SHOP_TITLE, ciba);
  const answer = await request(new URL("products", `${config.SHOP_API_URL.replace(/\/+$/, "")}/`), { headers: { accept: "application/json" } });
  if (answer.status !== 200 || !Array.isArray(answer.body?.products)) {
    return fail(SHOP_TITLE, `GET ${new URL(config.SHOP_API_URL).host}…/products answered HTTP ${answer.status} without a product list`, "Check SHOP_API_URL: the shop API's root, whose /products lists the catalogue.");
  }
  return pass(SHOP_TITLE, `${answer.body.products.length} products; approvals are requested for ${config.SHOP_API_AUDIENCE}`);
}
