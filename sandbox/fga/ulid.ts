import { randomBytes } from "node:crypto";

// Crockford base32, as ULIDs use; the SDK refuses store and model ids that are not ULIDs.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A monotonic ULID: ids made in the same millisecond still sort in creation order, which is what
 * "the latest authorization model" and the changelog's order rely on.
 */
export function ulid(now = Date.now()): string {
  if (now <= lastTime) {
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    lastRandom = [...randomBytes(16)].map((byte) => byte % 32);
  }
  return encodeTime(lastTime) + lastRandom.map((digit) => ALPHABET[digit]).join("");
}

/**
 * The smallest ULID of a millisecond (all-zero entropy), as OpenFGA's `ulid.New(ulid.Timestamp(t), nil)` makes
 * for ReadChanges' start_time: every change made in that millisecond or later sorts after it.
 */
export function ulidAtTime(ms: number): string {
  return encodeTime(ms) + "0".repeat(16);
}

function encodeTime(ms: number): string {
  let time = "";
  let t = ms;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

function incrementRandom(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    const digit = digits[i] ?? 0;
    if (digit < 31) {
      digits[i] = digit + 1;
      return;
    }
    digits[i] = 0;
  }
}

export const isUlid = (value: string): boolean => ULID_PATTERN.test(value);
