import { expect, test } from "@playwright/test";
import { setSharing, upload } from "./documents-helpers";
import { ask, newChat, signIn } from "./helpers";

/**
 * Plain questions about documents, asked as people ask them: nobody says "search my documents". The assistant looks
 * in the documents the user may read and quotes the passage word for word (decimals, URLs and all), naming the
 * document it comes from.
 */
const SCHEME = {
  name: "Bike to work scheme (2026).md",
  passage: "The company pays up to 1,250.50 EUR toward a bike every 3 years; apply at https://intranet.example.com/bike?form=2.",
};
const QUESTION = "How much does the company pay toward a bike?";

test("alice's plain question about a document bob has just shared with her quotes it and names it", async ({ browser }) => {
  test.setTimeout(120_000);
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  await upload(bob, SCHEME.name, `# Bike to work scheme\n\n${SCHEME.passage}\n\nRepairs are reimbursed up to 150 EUR a year (keep the receipt).\n`);

  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, "alice@example.com");
  let reply = await ask(alice, QUESTION);
  await expect(reply.getByRole("region", { name: "Tool: Search your documents" })).toContainText("Done");
  await expect(reply).not.toContainText("1,250.50");

  await setSharing(bob, SCHEME.name, "alice@example.com", "Share");
  await alice.goto("/");
  await newChat(alice);
  reply = await ask(alice, QUESTION);
  await expect(reply.getByRole("region", { name: "Tool: Search your documents" })).toContainText("Done");
  await expect(reply.getByRole("blockquote")).toHaveText(SCHEME.passage);
  await expect(reply).toContainText(SCHEME.name);
});

test("a plain question about vacation finds the Team handbook, in English and in German", async ({ page }) => {
  await signIn(page, "carol@example.com");
  let reply = await ask(page, "How many vacation days do we get?");
  await expect(reply.getByRole("blockquote")).toHaveText("Everyone gets 25 days of paid vacation a year; ask your manager two weeks ahead.");
  await expect(reply).toContainText("Team handbook.md");

  await newChat(page);
  reply = await ask(page, "Wie viele Urlaubstage haben wir?");
  await expect(reply.getByRole("blockquote")).toHaveText("Alle haben 25 Urlaubstage im Jahr.");
  await expect(reply).toContainText("Team handbook.md");
});

test("a calendar question still goes to the calendar, not to the documents", async ({ page }) => {
  await signIn(page, "alice@example.com");
  const reply = await ask(page, "What's on my calendar today?");
  // Connected or not, the calendar tool is what runs (or asks for Google first).
  await expect(reply.getByRole("region", { name: "Tool: Read your calendar" }).or(reply.getByRole("region", { name: "Connect Google" }))).toBeVisible();
  await expect(reply.getByRole("region", { name: "Tool: Search your documents" })).toHaveCount(0);
});
