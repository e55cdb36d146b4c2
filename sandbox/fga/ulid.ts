import { randomBytes } from "node:crypto";

// Crockford base32, as ULIDs use; the SDK refuses store and model ids that are not ULIDs.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * A monotonic ULID: ids made in the same millisecond still sort in creation order, which is what
 * "the latest authorization model" relies on.
 */
export function ulid(now = Date.now()): string {
  if (now <= lastTime) {
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    lastRandom = [...randomBytes(16)].map((byte) => byte % 32);
  }
  let time = "";
  let t = lastTime;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + lastRandom.map((digit) => ALPHABET[digit]).join("");
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
