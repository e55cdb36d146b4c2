import { describe, expect, it } from "vitest";
import { fail, pass, skip, skipAfter } from "./check";
import { networkReason } from "./http";
import { versionAtLeast } from "./postgres";
import { anyFailed, formatReport } from "./print";

describe("the doctor's checklist", () => {
  it("prints one line per check with its mark, the fix under a failure, and a count", () => {
    const discovery = fail("Issuer discovery", "https://tenant.example/ could not be reached: connection refused", "Set AUTH0_DOMAIN to your tenant's domain.");
    const report = formatReport([
      discovery,
      skipAfter("Client ID and secret", discovery),
      pass("Postgres reachable", "PostgreSQL 17.2"),
      skip("Refresh-token policy for the My Account API", "not checked: set DOCTOR_REFRESH_TOKEN", "Check by hand: GET …"),
    ]);
    expect(report).toBe(
      [
        "✗ Issuer discovery: https://tenant.example/ could not be reached: connection refused",
        "    Fix: Set AUTH0_DOMAIN to your tenant's domain.",
        '– Client ID and secret: not checked: "Issuer discovery" failed',
        "✓ Postgres reachable: PostgreSQL 17.2",
        "– Refresh-token policy for the My Account API: not checked: set DOCTOR_REFRESH_TOKEN",
        "    How: Check by hand: GET …",
        "",
        "1 passed, 1 failed, 2 not checked.",
      ].join("\n"),
    );
  });

  it("fails the run only for failures: a line that could not be checked is not one", () => {
    expect(anyFailed([pass("a"), skip("b", "not checked")])).toBe(false);
    expect(anyFailed([pass("a"), fail("b", "broken", "fix it")])).toBe(true);
  });

  it("a line after a skipped prerequisite repeats why, rather than calling the prerequisite failed", () => {
    const notConfigured = skip("CIBA grant", "not checked: \"Client ID and secret\" failed");
    expect(skipAfter("Shop API", notConfigured).detail).toBe('not checked: "Client ID and secret" failed');
  });
});

describe("pgvector versions", () => {
  it.each([
    ["0.8.0", true],
    ["0.8.1", true],
    ["0.10.0", true],
    ["1.0", true],
    ["0.7.4", false],
    ["0.5.1", false],
    ["0.8", true],
  ])("%s is at least 0.8: %s", (version, expected) => {
    expect(versionAtLeast(version, [0, 8])).toBe(expected);
  });
});

describe("network failures in words", () => {
  it("names a refused connection, an unknown host and a timeout; never the URL", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    const bothAddresses = Object.assign(new TypeError("fetch failed"), { cause: { errors: [{ code: "ECONNREFUSED" }, { code: "ECONNREFUSED" }] } });
    const unknownHost = Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
    expect(networkReason(refused)).toBe("connection refused (nothing listens there)");
    expect(networkReason(bothAddresses)).toBe("connection refused (nothing listens there)");
    expect(networkReason(unknownHost)).toBe("the host name does not resolve");
    expect(networkReason(timeout)).toBe("no answer within 10 s");
  });
});
