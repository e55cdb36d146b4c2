import { expect, test } from "vitest";
import { retryAfterSeconds, waitInWords, withRetries } from "./retry";

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");
  expect(retryAfterSeconds("7", now)).toBe(7);
  expect(retryAfterSeconds(" 0 ", now)).toBe(0);
  expect(retryAfterSeconds("Wed, 02 Dec 2026 10:00:30 GMT", now)).toBe(30);
  expect(retryAfterSeconds("Wed, 02 Dec 2026 09:00:00 GMT", now)).toBe(0);
  expect(retryAfterSeconds("soon", now)).toBeUndefined();
  expect(retryAfterSeconds("-3", now)).toBeUndefined();
  expect(retryAfterSeconds(null, now)).toBeUndefined();
});

class Limited extends Error {
  constructor(readonly seconds?: number) {
    super("limited");
  }
}

function recorder() {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
}

test("waits as long as the service asks, then succeeds", async () => {
  const { sleeps, sleep } = recorder();
  let calls = 0;
  const result = await withRetries(
    async () => {
      if (++calls < 3) throw new Limited(2);
      return "done";
    },
    { retryable: (e) => (e instanceof Limited ? (e.seconds ?? true) : false), sleep },
  );
  expect(result).toBe("done");
  expect(sleeps).toEqual([2000, 2000]);
});

test("backs off exponentially without a hint, and gives up after the last attempt", async () => {
  const { sleeps, sleep } = recorder();
  let calls = 0;
  await expect(
    withRetries(
      async () => {
        calls++;
        throw new Limited();
      },
      { retryable: () => true, maxAttempts: 3, baseDelayMs: 100, sleep },
    ),
  ).rejects.toBeInstanceOf(Limited);
  expect(calls).toBe(3);
  expect(sleeps).toHaveLength(2);
  expect(sleeps[0]).toBeGreaterThanOrEqual(50);
  expect(sleeps[0]).toBeLessThanOrEqual(100);
  expect(sleeps[1]).toBeGreaterThanOrEqual(100);
  expect(sleeps[1]).toBeLessThanOrEqual(200);
});

test("a wait beyond the budget is not slept through, and other errors are not retried", async () => {
  const { sleeps, sleep } = recorder();
  await expect(withRetries(async () => Promise.reject(new Limited(60)), { retryable: (e) => (e as Limited).seconds ?? true, maxWaitMs: 10_000, sleep })).rejects.toBeInstanceOf(Limited);
  expect(sleeps).toEqual([]);
  let calls = 0;
  await expect(
    withRetries(
      async () => {
        calls++;
        throw new TypeError("bug");
      },
      { retryable: (e) => e instanceof Limited, sleep },
    ),
  ).rejects.toBeInstanceOf(TypeError);
  expect(calls).toBe(1);
});

test("a wait is put in words a person reads at a glance", () => {
  expect(waitInWords(undefined)).toBe("a minute");
  expect(waitInWords(0)).toBe("1 second");
  expect(waitInWords(1)).toBe("1 second");
  expect(waitInWords(44.2)).toBe("45 seconds");
  expect(waitInWords(120)).toBe("120 seconds");
  expect(waitInWords(121)).toBe("3 minutes");
  expect(waitInWords(3600)).toBe("60 minutes");
});
