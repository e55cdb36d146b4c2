/**
 * Retrying a call that a service refused for now (HTTP 429, a rate-limit 403, `too_many_requests`): wait as long
 * as the service asks (Retry-After) or back off exponentially, within a budget a person waiting on a chat reply
 * can bear. A wait longer than the budget is not slept through: the error goes to the caller, who tells the user
 * when to try again.
 */

/** Seconds from a Retry-After header, which is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its weekday and month; this keeps "-3" or "2026" from parsing as a year.
  const date = /^[A-Za-z]{3}, /.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export interface RetryPolicy {
  /**
   * Whether a failure is worth another attempt: `false` for no, `true` for yes after the usual backoff, or the
   * number of seconds the service asked to wait.
   */
  retryable: (error: unknown) => boolean | number;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  /** The most time spent waiting between attempts, in all. */
  maxWaitMs?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const { retryable, maxAttempts = 3, maxWaitMs = 8_000, baseDelayMs = 500, sleep = wait } = policy;
  let waited = 0;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      const verdict = retryable(error);
      if (verdict === false || attemptNumber >= maxAttempts) throw error;
      // Jitter spreads out clients that were refused together, so they do not all come back at once.
      const delay = verdict === true ? baseDelayMs * 2 ** (attemptNumber - 1) * (0.5 + Math.random() / 2) : verdict * 1000;
      if (waited + delay > maxWaitMs) throw error;
      waited += delay;
      await sleep(delay);
    }
  }
}

/** How long to wait, for a person: "45 seconds", "3 minutes"; "a minute" when the service did not say. */
export function waitInWords(seconds: number | undefined): string {
  if (seconds === undefined) return "a minute";
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole <= 120) return `${whole} second${whole === 1 ? "" : "s"}`;
  return `${Math.ceil(whole / 60)} minutes`;
}
