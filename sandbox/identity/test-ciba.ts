/**
 * CIBA requests as the app sends them, form-encoded with client_secret_post, for tests of the
 * identity server and its authenticator page.
 */
export const SANDBOX_CLIENT = { client_id: "delegate-app", client_secret: "delegate-sandbox-secret" } as const;
export const SHOP_AUDIENCE = "urn:delegate-sandbox:shop";
export { SHOP_API_REGISTRATION } from "../shop/api";

export const loginHintFor = (issuer: string, sub: string) => JSON.stringify({ format: "iss_sub", iss: issuer, sub });

export const PURCHASE_TYPE = "urn:auth0:schemas:authorization-details:v1:purchase";

/** A purchase's one authorization detail in the schema the Auth0 Guardian app requires, as the app sends it. */
export const purchaseDetail = (product = "Acme Widget", quantity = 2, maxTotal = "39.98") => ({
  type: PURCHASE_TYPE,
  instruction: `Buy ${quantity} x ${product} for at most ${maxTotal} USD`,
  properties: {
    product: { display: true, name: "Product", display_order: "1", value: product },
    quantity: { display: true, name: "Quantity", display_order: "2", value: String(quantity) },
    max_total_price: { display: true, name: "Maximum total", display_order: "3", value: maxTotal },
    currency: { display: true, name: "Currency", display_order: "4", value: "USD" },
  },
});

export const purchaseDetails = (product?: string, quantity?: number, maxTotal?: string) =>
  JSON.stringify([purchaseDetail(product, quantity, maxTotal)]);

export async function postForm(issuer: string, path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(new URL(path, issuer), { method: "POST", body: new URLSearchParams({ ...SANDBOX_CLIENT, ...fields }) });
}

/** `POST /bc-authorize` for Alice buying two widgets, with any field replaced or (as `undefined`) left out. */
export async function requestApproval(
  issuer: string,
  overrides: Record<string, string | undefined> = {},
): Promise<Response> {
  const fields: Record<string, string | undefined> = {
    login_hint: loginHintFor(issuer, "auth0|alice"),
    scope: "openid orders:create",
    audience: SHOP_AUDIENCE,
    binding_message: "Buy 2 x Acme Widget for at most 39.98",
    authorization_details: purchaseDetails(),
    ...overrides,
  };
  const present = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return postForm(issuer, "/bc-authorize", Object.fromEntries(present));
}

/** Starts a request that must succeed and returns its auth_req_id. */
export async function startApproval(issuer: string, overrides: Record<string, string | undefined> = {}): Promise<string> {
  const response = await requestApproval(issuer, overrides);
  const body = (await response.json()) as { auth_req_id?: string; error?: string; error_description?: string };
  if (response.status !== 200 || !body.auth_req_id) {
    throw new Error(`/bc-authorize failed: HTTP ${response.status} ${body.error}: ${body.error_description}`);
  }
  return body.auth_req_id;
}

export async function pollToken(issuer: string, authReqId: string): Promise<Response> {
  return postForm(issuer, "/oauth/token", { grant_type: "urn:openid:params:grant-type:ciba", auth_req_id: authReqId });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
