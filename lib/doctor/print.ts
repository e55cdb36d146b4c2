import type { CheckResult, CheckStatus } from "./check";

const MARKS: Record<CheckStatus, string> = { pass: "✓", fail: "✗", skip: "–" };

/** The checklist as plain text: one line per check, its detail after a colon, and on failure the fix below it. */
export function formatReport(results: CheckResult[]): string {
  const lines = results.flatMap((result) => {
    const head = `${MARKS[result.status]} ${result.title}${result.detail ? `: ${result.detail}` : ""}`;
    return result.fix ? [head, `    ${result.status === "fail" ? "Fix" : "How"}: ${result.fix}`] : [head];
  });
  const failed = results.filter((result) => result.status === "fail").length;
  const passed = results.filter((result) => result.status === "pass").length;
  const skipped = results.length - failed - passed;
  lines.push("", `${passed} passed, ${failed} failed, ${skipped} not checked.`);
  return lines.join("\n");
}

export const anyFailed = (results: CheckResult[]): boolean => results.some((result) => result.status === "fail");
