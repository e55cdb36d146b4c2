import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * Waits until no transition or animation runs, as axe measures contrast on what is painted, and until the document
 * has its title: a router.refresh() (after a share, say) renders the page's metadata again, and for a moment the
 * document has none (seen once in CI). A title that never comes still fails, when the wait times out.
 */
async function settled(page: Page) {
  await page.waitForFunction(() => document.title.trim() !== "" && document.getAnimations().every((animation) => animation.playState !== "running"));
}

/**
 * The serious and critical violations of WCAG 2.1 A/AA (contrast, names, roles, structure) on the page as it is now,
 * open menus and dialogs included, one readable line each, so a failure says what to fix and where.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await settled(page);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .flatMap((violation) =>
      violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${violation.help} — ${node.html.slice(0, 160)} — ${node.failureSummary?.replace(/\s+/g, " ")}`),
    );
}

/** Fails on any serious or critical violation on the page as it is now; `what` names the state. */
export async function expectNoSeriousViolations(page: Page, what: string) {
  const found = await seriousViolations(page);
  expect(found, `${what}:\n${found.join("\n")}`).toEqual([]);
}
