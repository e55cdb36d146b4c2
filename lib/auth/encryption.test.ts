import { beforeAll, describe, expect, it, vi } from "vitest";
import { decrypt, encrypt } from "./encryption";
import { COMPLETE_CONFIG_ENV } from "@/lib/config.test-env";

const ROW = "auth0|alice|google-oauth2";

beforeAll(() => {
  // The key is derived from AUTH0_SECRET, read through the validated configuration.
  for (const [name, value] of Object.entries(COMPLETE_CONFIG_ENV)) vi.stubEnv(name, value);
});

/** iv (12 bytes) | tag (16 bytes) | data, as stored. */
function parts(ciphertext: string) {
  const raw = Buffer.from(ciphertext, "base64");
  return { iv: raw.subarray(0, 12), tag: raw.subarray(12, 28), data: raw.subarray(28) };
}

describe("token encryption (AES-256-GCM)", () => {
  it("decrypts what it encrypted, for the same row only", () => {
    const token = "ya29.a0AfB_byC-token-with-ünïcode";
    const ciphertext = encrypt(token, ROW);
    expect(decrypt(ciphertext, ROW)).toBe(token);
    expect(decrypt(ciphertext, "auth0|bob|google-oauth2")).toBeNull();
    expect(encrypt(token, ROW)).not.toBe(ciphertext); // a fresh IV each time
  });

  it("refuses a ciphertext whose tag was cut to 4 bytes", () => {
    // With the tag length unpinned, GCM checks only the bytes it is given: an empty plaintext with the first four
    // bytes of its real tag would decrypt, and forging one takes at most 2^32 guesses.
    const { iv, tag } = parts(encrypt("", ROW));
    expect(decrypt(Buffer.concat([iv, tag.subarray(0, 4)]).toString("base64"), ROW)).toBeNull();

    const whole = parts(encrypt("a cached provider token", ROW));
    expect(decrypt(Buffer.concat([whole.iv, whole.tag.subarray(0, 4), whole.data]).toString("base64"), ROW)).toBeNull();
  });

  it("refuses anything shorter than an IV and a tag, and any changed byte", () => {
    for (const short of ["", "AAAA", Buffer.alloc(27).toString("base64")]) expect(decrypt(short, ROW)).toBeNull();
    const ciphertext = Buffer.from(encrypt("a cached provider token", ROW), "base64");
    for (const index of [0, 12, 27, 28, ciphertext.length - 1]) {
      const changed = Buffer.from(ciphertext);
      changed[index]! ^= 0x01;
      expect(decrypt(changed.toString("base64"), ROW), `byte ${index}`).toBeNull();
    }
  });
});
