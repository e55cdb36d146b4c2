/**
 * One line of `npm run doctor`'s checklist. A failure always says what will fix it: which setting, which
 * dashboard switch, which documentation page. `skip` is a line that could not be checked, because a check it
 * depends on failed or because it needs something the doctor was not given.
 */
export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  status: CheckStatus;
  title: string;
  detail?: string;
  fix?: string;
}

export const pass = (title: string, detail?: string): CheckResult => ({ status: "pass", title, detail });
export const fail = (title: string, detail: string, fix: string): CheckResult => ({ status: "fail", title, detail, fix });
export const skip = (title: string, detail: string, fix?: string): CheckResult => ({ status: "skip", title, detail, fix });

/**
 * A line whose prerequisite did not pass: skipped, naming the failed check (or repeating why the prerequisite was
 * itself skipped), so the first failure is the one to fix.
 */
export const skipAfter = (title: string, prerequisite: CheckResult): CheckResult =>
  prerequisite.status === "skip" ? skip(title, prerequisite.detail ?? "not checked") : skip(title, `not checked: "${prerequisite.title}" failed`);

/** Bounds a call that has no timeout of its own (SDK clients), so no check can hang the doctor. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Unreachable(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A service could not be reached, or gave no usable answer; the message says which and why, never a secret. */
export class Unreachable extends Error {
  override name = "Unreachable";
}
