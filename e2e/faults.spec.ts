import { expect, test } from "@playwright/test";
import { clearFaults, injectFault } from "../sandbox/faults";
import { clearStreamCuts, cutModelStream } from "../sandbox/model/stream-cuts";
import { identityURL, modelURL } from "../playwright.config";
import { ask, ensureDisconnected, lastReply, newChat, send, signIn, waitForReply } from "./helpers";

/**
 * What the user sees when a service fails under a chat, and that nothing is lost: the sandbox model cutting its
 * stream part-way, and the identity server failing the Token Vault exchange. The server is shared by every spec,
 * so each test queues its own fault and clears it, whatever happens.
 */

const STORY = "Tell me a long story about the sea";
const INTERRUPTED = "The connection to the model service was interrupted. Try again in a moment.";
const CALENDAR_QUESTION = "What's on my calendar today?";
const IDENTITY_DOWN = "Could not get access to your Google account: the identity service did not answer. Nothing was done.";

test.afterEach(async () => {
  await clearFaults(identityURL);
  await clearStreamCuts(modelURL);
});

test("the model's stream cut mid-answer: what arrived stays, also after a reload, the user is told, and asking again works", async ({ page }) => {
  await signIn(page, "carol@example.com");
  await newChat(page);
  // The role, then eleven words: "I'm Delegate's sandbox model — … Here is"; the story's title comes later.
  await cutModelStream(modelURL, { afterEvents: 12 });
  await send(page, STORY);
  await expect(page.getByRole("main").getByRole("alert")).toHaveText(INTERRUPTED);
  await waitForReply(page);
  const partial = lastReply(page);
  await expect(partial).toContainText("I'm Delegate's sandbox model");
  await expect(partial).not.toContainText("A story about the sea");
  const kept = (await partial.innerText()).trim();

  await page.reload();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText([STORY]);
  await expect(lastReply(page)).toHaveText(kept);
  await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);

  const whole = await ask(page, STORY);
  await expect(whole).toContainText("A story about the sea");
  await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText([STORY, STORY]);
  await expect(page.getByRole("article", { name: "Assistant message" }).first()).toHaveText(kept);
  await expect(lastReply(page)).toContainText("A story about the sea");
});

test("the identity server failing: the chat says so, the question and the answer are kept, and asking again works", async ({ page }) => {
  await signIn(page, "bob@example.com");
  // Disconnecting also drops any Google token the app kept, so the question needs the identity server.
  await ensureDisconnected(page, "Google");
  await newChat(page);
  await injectFault(identityURL, {
    method: "POST",
    path: "/oauth/token",
    params: { grant_type: "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token" },
    status: 503,
    body: { error: "temporarily_unavailable", error_description: "The service is temporarily unavailable." },
    times: 3,
  });
  const reply = await ask(page, CALENDAR_QUESTION);
  await expect(reply).toContainText(IDENTITY_DOWN);
  await expect(reply.getByRole("region", { name: "Tool: Read your calendar" })).toContainText("Not done");
  await expect(page.getByRole("region", { name: "Connect Google" })).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole("article", { name: "Your message" })).toHaveText([CALENDAR_QUESTION]);
  await expect(lastReply(page)).toContainText(IDENTITY_DOWN);

  // The identity server answers again: the same question gets the normal answer, an offer to connect Google.
  await clearFaults(identityURL);
  const again = await ask(page, CALENDAR_QUESTION);
  await expect(again.getByRole("region", { name: "Connect Google" })).toContainText("Connect your Google account to continue.");
  await expect(again).not.toContainText(IDENTITY_DOWN);
});
