import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousViolations } from "./axe";
import { documentItem, openShareDialog, upload } from "./documents-helpers";
import { connectionEntry, confirmDisconnect, ensureConnected, expectNoHorizontalOverflow, signIn } from "./helpers";

/**
 * The Documents page's share picker and the confirmations before deleting, publishing and disconnecting: on a
 * desktop in the light theme and on a phone in the dark one, each state checked with axe-core.
 */
const LOOKS = [
  { name: "desktop, light", viewport: { width: 1280, height: 900 }, theme: "light" },
  { name: "phone, dark", viewport: { width: 375, height: 812 }, theme: "dark" },
] as const;
type Look = (typeof LOOKS)[number];

async function signInWith(page: Page, email: string, look: Look) {
  await page.context().addCookies([{ name: "theme", value: look.theme, url: test.info().project.use.baseURL! }]);
  await page.setViewportSize(look.viewport);
  await signIn(page, email);
}

/** A document name that is long, has parentheses and non-ASCII letters, and differs per look so runs do not meet. */
const documentName = (what: string, look: Look) => `Zoë’s ${what} (Q3 draft, ${look.theme}).md`;

for (const look of LOOKS) {
  test.describe(look.name, () => {
    test("sharing with a person: a bad address is pointed out and kept, a refusal is shown, a good one is sent", async ({ page }) => {
      await signInWith(page, "alice@example.com", look);
      const name = documentName("offsite plan", look);
      await upload(page, name, "# Offsite\n\nLisbon, 12–14 June. Budget: EUR 18,500 (flights excluded).");
      await expectNoHorizontalOverflow(page);
      await expectNoSeriousViolations(page, "the Documents page");

      const shares: string[] = [];
      page.on("request", (request) => {
        if (request.url().endsWith("/shares")) shares.push(request.postData() ?? "");
      });
      const dialog = await openShareDialog(page, name);
      await expect(dialog.getByRole("radiogroup", { name: "Share with" })).toBeVisible();
      await expect(dialog.getByRole("radio", { name: "A person" })).toBeChecked();
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(look.viewport.width);

      // An address with an accented letter is not one sharing accepts: the dialog says which letter, before sending.
      const email = dialog.getByRole("textbox", { name: "Email address" });
      await email.fill("Zoë.O'Brien+docs@example.com");
      await dialog.getByRole("button", { name: "Share", exact: true }).click();
      await expect(dialog.getByRole("alert")).toHaveText("Enter an email address like name@example.com. Letters such as “ë” cannot be used in it.");
      await expect(email).toHaveValue("Zoë.O'Brien+docs@example.com");
      await expect(email).toHaveAttribute("aria-invalid", "true");
      await expect(email).toBeFocused();
      await expectNoSeriousViolations(page, "the share dialog with an error");
      expect(shares).toEqual([]);

      // The server's refusal is shown in the dialog, and what was typed stays.
      await page.route("**/api/documents/*/shares", (route) =>
        route.fulfill({
          status: 503,
          json: { error: { code: "unavailable", message: "A service needed for sharing is not answering, so nothing changed. Try again." } },
        }),
      );
      await email.fill("  Zoe.O'Brien+docs@example.com ");
      await dialog.getByRole("button", { name: "Share", exact: true }).click();
      await expect(dialog.getByRole("alert")).toHaveText("A service needed for sharing is not answering, so nothing changed. Try again.");
      await expect(email).toHaveValue("  Zoe.O'Brien+docs@example.com ");
      await page.unroute("**/api/documents/*/shares");

      // The apostrophe and the plus are fine; the spaces around the address are dropped.
      await dialog.getByRole("button", { name: "Share", exact: true }).click();
      await expect(dialog.getByRole("status")).toHaveText("If a verified account uses that address, it now has access.");
      await expect(email).toHaveValue("");
      expect(shares.slice(-1)).toEqual([JSON.stringify({ with: "Zoe.O'Brien+docs@example.com" })]);
      // No account uses it, so nobody was added.
      await expect(dialog.getByText("No one else yet: only you can read it.")).toBeVisible();

      await email.fill("bob@example.com");
      await email.press("Enter");
      const sharedWith = dialog.getByRole("list", { name: "Shared with" });
      await expect(sharedWith.getByRole("listitem")).toHaveText([/^Bob Chen \(bob@example\.com\)/]);
      await expectNoSeriousViolations(page, "the share dialog with a share");
      await dialog.getByRole("button", { name: "Done" }).click();
      await expect(dialog).toHaveCount(0);
      await expect(page.getByRole("button", { name: `Share ${name}`, exact: true })).toBeFocused();
      await expect(documentItem(page, name)).toContainText("Shared with Bob Chen (bob@example.com)");
    });

    test("making a document public asks first and says who will read it; Cancel leaves it private", async ({ browser, page }) => {
      await signInWith(page, "alice@example.com", look);
      const name = documentName("town-hall notes", look);
      await upload(page, name, "# Town hall\n\nThe new office opens in March.");
      const dialog = await openShareDialog(page, name);
      const everyone = dialog.getByRole("radio", { name: "Everyone signed in" });
      await everyone.check();
      await expect(dialog.getByRole("textbox")).toHaveCount(0);
      const makePublic = dialog.getByRole("button", { name: "Make public" });
      await makePublic.click();
      const confirm = page.getByRole("alertdialog", { name: "Make this document public?" });
      await expect(confirm).toContainText(`Everyone who signs in to Delegate will be able to read and download “${name}”`);
      await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
      await expectNoSeriousViolations(page, "the make-public confirmation");
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await expect(confirm).toHaveCount(0);
      await expect(makePublic).toBeFocused();
      await expect(dialog.getByText("No one else yet: only you can read it.")).toBeVisible();

      const carol = await (await browser.newContext()).newPage();
      await signIn(carol, "carol@example.com");
      await carol.goto("/documents");
      await expect(carol.getByRole("main").getByRole("heading", { name })).toHaveCount(0);

      await makePublic.click();
      await confirm.getByRole("button", { name: "Make public" }).click();
      await expect(confirm).toHaveCount(0);
      await expect(dialog.getByRole("status")).toHaveText("Everyone signed in can now read it.");
      await expect(everyone).toBeFocused();
      await expect(dialog.getByRole("list", { name: "Shared with" }).getByRole("listitem")).toHaveText([/^Everyone signed in/]);
      await expect(dialog).toContainText("Everyone signed in can already read it.");
      await carol.reload();
      await expect(documentItem(carol, `${name}, shared by Alice Martin (alice@example.com)`)).toBeVisible();

      // Unsharing "Everyone signed in" makes it private again.
      await dialog.getByRole("button", { name: "Unshare with Everyone signed in" }).click();
      await expect(dialog.getByRole("status")).toHaveText("No longer shared with Everyone signed in.");
      await expect(dialog.getByRole("heading", { name: "Shared with" })).toBeFocused();
      await expect(dialog.getByText("No one else yet: only you can read it.")).toBeVisible();
      await carol.reload();
      await expect(carol.getByRole("main").getByRole("heading", { name })).toHaveCount(0);
    });

    test("deleting a document asks first; Cancel keeps it, and after a delete focus moves on to the next document", async ({ page }) => {
      await signInWith(page, "carol@example.com", look);
      const older = documentName("packing list", look);
      const newer = documentName("packing list, final", look);
      await upload(page, older, "Passport, adapter, umbrella.");
      await upload(page, newer, "Passport, adapter, umbrella, sunscreen.");

      const remove = documentItem(page, newer).getByRole("button", { name: `Delete ${newer}`, exact: true });
      await remove.click();
      const confirm = page.getByRole("alertdialog", { name: "Delete this document?" });
      await expect(confirm).toContainText(`“${newer}” will be deleted, for you and for everyone it is shared with. This cannot be undone.`);
      await expectNoSeriousViolations(page, "the delete confirmation");
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await expect(confirm).toHaveCount(0);
      await expect(remove).toBeFocused();
      await page.reload();
      await expect(documentItem(page, newer)).toBeVisible();

      await remove.click();
      await confirm.getByRole("button", { name: "Delete document" }).click();
      await expect(confirm).toHaveCount(0);
      await expect(documentItem(page, newer)).toHaveCount(0);
      // Newest first: the next one is the older list.
      await expect(page.getByRole("heading", { name: older, exact: true })).toBeFocused();
      await page.reload();
      await expect(documentItem(page, newer)).toHaveCount(0);
      await expect(documentItem(page, older)).toBeVisible();
    });

    test("disconnecting an account asks first and says what the assistant will no longer do; Cancel keeps it", async ({ page }) => {
      await signInWith(page, "carol@example.com", look);
      await ensureConnected(page, "GitHub");
      const github = connectionEntry(page, "GitHub");
      await expectNoHorizontalOverflow(page);
      await expectNoSeriousViolations(page, "the Connections page");

      const disconnect = github.getByRole("button", { name: "Disconnect GitHub" });
      await disconnect.click();
      const confirm = page.getByRole("alertdialog", { name: "Disconnect GitHub?" });
      await expect(confirm).toContainText(
        "Once you disconnect, the assistant can no longer read your profile and activity or read your repositories, including private ones.",
      );
      await expectNoSeriousViolations(page, "the disconnect confirmation");
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await expect(confirm).toHaveCount(0);
      await expect(disconnect).toBeFocused();
      await page.reload();
      await expect(github).toContainText("Connected on");

      await confirmDisconnect(page, "GitHub");
      await expect(github.getByRole("link", { name: "Connect GitHub" })).toBeVisible();
      await expect(page.getByRole("heading", { name: "GitHub", exact: true })).toBeFocused();
      await page.reload();
      await expect(github).toContainText("Not connected");
    });
  });
}

test("sharing with a group by its name lets its members read the document, and nobody else", async ({ browser, page }) => {
  await signIn(page, "alice@example.com");
  const name = "Finance offsite – Überblick (budget v3).md";
  await upload(page, name, "# Finance offsite\n\nBudget: 42,000 USD.");
  const dialog = await openShareDialog(page, name);
  await dialog.getByRole("radio", { name: "A group" }).check();
  const group = dialog.getByRole("textbox", { name: "Group name" });
  await expect(group).toHaveAccessibleDescription("Letters, digits, hyphens and underscores, like finance or team-eu.");
  await dialog.getByRole("button", { name: "Share", exact: true }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Enter the group’s name.");
  await group.fill("Finanzen (Büro)");
  await group.press("Enter");
  await expect(dialog.getByRole("alert")).toContainText("A group name has only letters a–z, digits, hyphens and underscores");
  await expect(group).toHaveValue("Finanzen (Büro)");

  await group.fill("finance");
  await group.press("Enter");
  await expect(dialog.getByRole("status")).toHaveText("Members of group finance can now read it.");
  await expect(dialog.getByRole("list", { name: "Shared with" }).getByRole("listitem")).toHaveText([/^Group finance/]);

  // Bob is in finance; carol is not.
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  await bob.goto("/documents");
  await expect(documentItem(bob, `${name}, shared by Alice Martin (alice@example.com)`)).toBeVisible();
  const carol = await (await browser.newContext()).newPage();
  await signIn(carol, "carol@example.com");
  await carol.goto("/documents");
  await expect(carol.getByRole("main").getByRole("heading", { name })).toHaveCount(0);
});
