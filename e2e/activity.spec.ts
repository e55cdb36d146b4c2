import { readFile } from "node:fs/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { setSharing, upload } from "./documents-helpers";
import { signIn } from "./helpers";

/**
 * Alice's document actions appear on her Activity page, filter, and export as JSON Lines and CSV; bob sees and
 * exports none of them.
 */
const NAME = `Reisekosten, Q1 (ünï) ${Date.now()}.md`;
const UPLOADED = `Uploaded ${JSON.stringify(NAME)}`;
const SHARED = `Shared ${JSON.stringify(NAME)} with bob@example.com`;

async function download(page: Page, link: Locator): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  return readFile((await file.path())!, "utf8");
}

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; summary: string; evidence: Record<string, unknown> });

/** Neither the page nor its main column scrolls sideways. */
async function expectNoHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() =>
    [document.documentElement, document.querySelector("main")!].some((element) => element.scrollWidth > element.clientWidth),
  );
  expect(overflow).toBe(false);
}

test("alice sees, filters and exports her own activity; bob sees none of it", async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, "alice@example.com");
  await upload(alice, NAME, "# Travel costs\n\nHotel 120,50 €; taxi =SUM(A1:A3)");
  await setSharing(alice, NAME, "bob@example.com", "Share");

  await alice.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Activity" }).click();
  await expect(alice.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  const events = alice.getByRole("list", { name: "Activity" });
  await expect(events.getByRole("listitem", { name: UPLOADED })).toBeVisible();
  const shared = events.getByRole("listitem", { name: SHARED });
  await expect(shared).toBeVisible();
  await expect(shared.getByRole("definition").first()).toBeVisible();

  // The whole history, unfiltered: the upload names the document the share event points at.
  const all = jsonLines(await download(alice, alice.getByRole("link", { name: "Export JSON Lines" })));
  const uploaded = all.find((event) => event.summary === UPLOADED);
  expect(uploaded?.action).toBe("document.upload");
  const documentId = uploaded!.evidence.documentId as string;
  expect(all.some((event) => event.action === "document.share" && event.evidence.documentId === documentId)).toBe(true);

  await alice.setViewportSize({ width: 1280, height: 900 });
  await alice.screenshot({ path: "/tmp/activity-desktop.png", fullPage: true });
  await expectNoHorizontalOverflow(alice);
  await alice.setViewportSize({ width: 375, height: 800 });
  await alice.screenshot({ path: "/tmp/activity-375.png", fullPage: true });
  await expectNoHorizontalOverflow(alice);
  await alice.setViewportSize({ width: 1280, height: 900 });

  // Filter to shares: the URL carries the filter, the upload drops out, and the export follows the filter.
  await alice.getByLabel("Tool or action").selectOption("document.share");
  await alice.getByLabel("Outcome").selectOption("done");
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(alice).toHaveURL(/[?&]action=document\.share/);
  await expect(events.getByRole("listitem", { name: UPLOADED })).toHaveCount(0);
  await expect(shared).toBeVisible();
  const shares = jsonLines(await download(alice, alice.getByRole("link", { name: "Export JSON Lines" })));
  expect(shares.length).toBeGreaterThan(0);
  expect(shares.every((event) => event.action === "document.share")).toBe(true);

  const csv = await download(alice, alice.getByRole("link", { name: "Export CSV" }));
  expect(csv.split("\r\n")[0]).toMatch(/^\uFEFF?occurred_at,sequence,action,outcome,summary,/);
  // The summary names the document as alice saw it; the evidence keeps its id.
  expect(csv).toContain(`"${SHARED.replace(/"/g, '""')}"`);
  expect(csv).toContain(documentId);
  expect(csv).not.toContain(UPLOADED);

  // A date range that starts tomorrow (in the browser's zone) holds nothing yet.
  const tomorrow = await alice.evaluate(() => {
    const date = new Date();
    date.setDate(date.getDate() + 1);
    return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  });
  await alice.getByLabel("From").fill(tomorrow);
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(alice.getByText("No activity matches.")).toBeVisible();

  // Unfiltered CSV keeps the upload's comma, quotes and non-ASCII name in one quoted field.
  await alice.getByRole("link", { name: "Clear" }).click();
  const fullCsv = await download(alice, alice.getByRole("link", { name: "Export CSV" }));
  expect(fullCsv).toContain(`"${UPLOADED.replace(/"/g, '""')}"`);

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  await bob.goto("/activity");
  await expect(bob.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  await expect(bob.getByRole("listitem", { name: "Signed in" }).first()).toBeVisible();
  await expect(bob.getByText(NAME)).toHaveCount(0);
  await expect(bob.getByText(documentId)).toHaveCount(0);
  const bobs = await download(bob, bob.getByRole("link", { name: "Export JSON Lines" }));
  expect(bobs).not.toContain(documentId);
  expect(bobs).not.toContain("Reisekosten");
  const bobsCsv = await download(bob, bob.getByRole("link", { name: "Export CSV" }));
  expect(bobsCsv).not.toContain(documentId);
});
