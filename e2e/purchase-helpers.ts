import { expect, type BrowserContext, type Page } from "@playwright/test";
import { identityURL, shopURL } from "../playwright.config";
import { ask } from "./helpers";

/**
 * Purchases wait for the user's approval on another device (CIBA). The sandbox authenticator page stands in for
 * the phone; it shares the identity server's session with the sign-in, as a phone app would know the user. Each
 * step takes the identity server and shop of the run it tests (the normal sandbox unless told otherwise).
 */
export const authenticatorURL = (identity = identityURL) => `${identity}/authenticator`;

export interface PlacedOrder {
  number: string;
  quantity: number;
  product: { name: string };
}

/** The orders the shop has placed for `sub`, oldest first. */
export async function orders(page: Page, sub: string, shop = shopURL): Promise<PlacedOrder[]> {
  const response = await page.request.get(`${shop}/sandbox/orders?sub=${encodeURIComponent(sub)}`);
  return ((await response.json()) as { orders: PlacedOrder[] }).orders;
}

/** Asks for a purchase in the chat and returns the approval prompt the reply shows. */
export async function askToBuy(page: Page, text: string) {
  const reply = await ask(page, text);
  const prompt = reply.getByRole("region", { name: "Approval required" });
  await expect(prompt).toBeVisible();
  return prompt;
}

/** Answers the request on the authenticator page, in another tab, as the user would on their phone. */
export async function answerOnDevice(context: BrowserContext, bindingMessage: string, decision: "Approve" | "Deny", identity = identityURL) {
  const device = await context.newPage();
  await device.goto(authenticatorURL(identity));
  const request = device.getByRole("article", { name: bindingMessage });
  await expect(request).toBeVisible();
  await request.getByRole("button", { name: decision }).click();
  await expect(device.getByRole("status")).toContainText(decision === "Approve" ? "Approved" : "Denied");
  await device.close();
}
