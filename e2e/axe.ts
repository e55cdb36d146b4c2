import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

const DIALOGS = '[role="dialog"], [role="alertdialog"]';

/**
 * Runs axe-core on the page's main content and any open dialog, as they are now, and fails on any serious or
 * critical violation. The frame around them (sidebar, header) is left to the specs of the frame.
 */
export async function expectNoSeriousViolations(page: Page, what: string) {
  const axe = new AxeBuilder({ page }).include("main");
  if ((await page.locator(DIALOGS).count()) > 0) axe.include(DIALOGS);
  const { violations } = await axe.analyze();
  const serious = violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.help}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(serious, what).toEqual([]);
}
