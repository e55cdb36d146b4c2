import { expect, test } from "@playwright/test";
import { ask, lastReply, signIn } from "./helpers";
import { answerOnDevice, askToBuy, authenticatorURL, orders } from "./purchase-helpers";

/** Purchases wait for the user's approval on the sandbox authenticator page, standing in for their phone. */
const AUTHENTICATOR = authenticatorURL();

test("an approved purchase is placed once and the chat continues by itself with the order number", async ({ page, context }) => {
  await signIn(page, "alice@example.com");
  const before = await orders(page, "auth0|alice");
  const prompt = await askToBuy(page, "Buy 2 Acme Widgets");
  await expect(prompt).toContainText("Buy 2 x Acme Widget for at most 39.98 USD");
  await expect(prompt.getByRole("group", { name: "Product" })).toHaveText("Product: Acme Widget");
  await expect(prompt.getByRole("timer", { name: "Time left to approve" })).toHaveText(/^\d:\d\d$/);
  await expect(prompt.getByRole("link", { name: "Open the authenticator" })).toHaveAttribute("href", AUTHENTICATOR);

  await answerOnDevice(context, "Buy 2 x Acme Widget for at most 39.98", "Approve");
  const reply = lastReply(page);
  await expect(reply).toContainText(/ORD-\d+/, { timeout: 30_000 });
  await expect(reply.getByRole("region", { name: "Approval required" })).toHaveCount(0);
  const number = (await reply.innerText()).match(/ORD-\d+/)?.[0];

  const placed = await orders(page, "auth0|alice");
  expect(placed).toHaveLength(before.length + 1);
  expect(placed.at(-1)).toMatchObject({ number, quantity: 2, product: { name: "Acme Widget" } });
  await page.reload();
  await expect(lastReply(page)).toContainText(number!);
  await page.reload();
  expect(await orders(page, "auth0|alice")).toHaveLength(before.length + 1);
});

test("a product name with brackets: the card and the device show it whole, as Auth0 Guardian would", async ({ page, context }) => {
  await signIn(page, "alice@example.com");
  const prompt = await askToBuy(page, "Buy 1 USB-C cable (2 m)");
  // The instruction and every displayed property, in order, with the name exactly as the shop spells it.
  await expect(prompt.getByText("Buy 1 x USB-C cable (2 m) for at most 12.50 USD", { exact: true })).toBeVisible();
  const fields = prompt.getByRole("group", { name: "What you are approving" }).getByRole("group");
  await expect(fields).toHaveText(["Product: USB-C cable (2 m)", "Quantity: 1", "Maximum total: 12.50", "Currency: USD"]);
  // The notification's own line drops the brackets Auth0 does not allow there.
  await expect(prompt).toContainText("The notification reads: “Buy 1 x USB-C cable 2 m for at most 12.50 USD”");

  const device = await context.newPage();
  await device.goto(AUTHENTICATOR);
  const request = device.getByRole("article", { name: "Buy 1 x USB-C cable 2 m for at most 12.50 USD" });
  await expect(request.getByText("Buy 1 x USB-C cable (2 m) for at most 12.50 USD", { exact: true })).toBeVisible();
  await expect(request.getByRole("term")).toHaveText(["Product:", "Quantity:", "Maximum total:", "Currency:"]);
  await expect(request.getByRole("definition")).toHaveText(["USB-C cable (2 m)", "1", "12.50", "USD"]);
  await request.getByRole("button", { name: "Approve" }).click();
  // Closing the tab while the decision is still loading can leave page.close() hanging.
  await expect(device.getByRole("status")).toContainText("Approved");
  await device.close();
  await expect(lastReply(page)).toContainText(/ORD-\d+/, { timeout: 30_000 });
});

test("a denied purchase says so and orders nothing", async ({ page, context }) => {
  await signIn(page, "bob@example.com");
  const before = await orders(page, "auth0|bob");
  await askToBuy(page, "Buy 1 Noise-cancelling headphones");
  await answerOnDevice(context, "Buy 1 x Noise-cancelling headphones for at most 249.00", "Deny");
  await expect(lastReply(page)).toContainText("declined", { timeout: 30_000 });
  await expect(lastReply(page).getByRole("region", { name: "Approval required" })).toHaveCount(0);
  expect(await orders(page, "auth0|bob")).toEqual(before);
});

test("Cancel in the chat ends the request; a late approval buys nothing", async ({ page, context }) => {
  await signIn(page, "carol@example.com");
  const before = await orders(page, "auth0|carol");
  const prompt = await askToBuy(page, "Buy 4 Acme Widgets");
  const [cancelled] = await Promise.all([
    page.waitForRequest((request) => request.url().endsWith("/api/chat") && /"cancel":true/.test(request.postData() ?? "")),
    prompt.getByRole("button", { name: "Cancel" }).click(),
  ]);
  await expect(lastReply(page)).toContainText("cancelled", { timeout: 30_000 });
  await answerOnDevice(context, "Buy 4 x Acme Widget for at most 79.96", "Approve");
  // Rather than wait for a poll that must not come, send the check the prompt would have sent: it is refused.
  const body = cancelled.postDataJSON() as { resume: { toolCallId: string; cancel?: boolean } };
  const check = await page.request.post("/api/chat", { data: { ...body, resume: { toolCallId: body.resume.toolCallId } } });
  expect(check.status()).toBe(409);
  expect(await orders(page, "auth0|carol")).toEqual(before);
});

test("an unanswered request expires, says so, and orders nothing", async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, "carol@example.com");
  const before = await orders(page, "auth0|carol");
  const prompt = await askToBuy(page, "Buy 3 Acme Widgets");
  // The e2e server asks for a 15-second expiry (ASYNC_AUTHORIZATION_EXPIRY_SECONDS in playwright.config.ts).
  await expect(prompt.getByRole("timer")).toHaveText(/^0:1\d$/);
  await expect(lastReply(page)).toContainText("expired", { timeout: 40_000 });
  expect(await orders(page, "auth0|carol")).toEqual(before);
});

test("a pending request survives a reload with its countdown", async ({ page, context }) => {
  await signIn(page, "bob@example.com");
  await askToBuy(page, "Buy 5 Acme Widgets");
  await page.reload();
  const prompt = lastReply(page).getByRole("region", { name: "Approval required" });
  await expect(prompt).toContainText("Buy 5 x Acme Widget for at most 99.95");
  await expect(prompt.getByRole("timer")).toHaveText(/^0:\d\d$/);
  await answerOnDevice(context, "Buy 5 x Acme Widget for at most 99.95", "Approve");
  await expect(lastReply(page)).toContainText(/ORD-\d+/, { timeout: 30_000 });
});

test("while one purchase waits, a second in the same chat is refused and nothing more reaches the phone", async ({ page, context }) => {
  await signIn(page, "alice@example.com");
  await askToBuy(page, "Buy 6 Acme Widgets");
  const reply = await ask(page, "Buy 1 Noise-cancelling headphones");
  await expect(reply).toContainText("only one can wait at a time");
  await expect(reply.getByRole("region", { name: "Approval required" })).toHaveCount(0);

  const device = await context.newPage();
  await device.goto(AUTHENTICATOR);
  await expect(device.getByRole("article", { name: "Buy 6 x Acme Widget for at most 119.94" })).toBeVisible();
  await expect(device.getByRole("article", { name: "Buy 1 x Noise-cancelling headphones for at most 249.00" })).toHaveCount(0);
});
