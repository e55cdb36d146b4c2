import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, securityHeaders } from "./security-headers";

function directives(policy: string): Map<string, string> {
  return new Map(
    policy.split(";").map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name!, values.join(" ")];
    }),
  );
}

describe("security headers", () => {
  it("a production policy lets scripts run by nonce only and loads nothing from other origins", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc123==", production: true, https: true }));
    expect(policy.get("default-src")).toBe("'self'");
    expect(policy.get("script-src")).toBe("'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(policy.get("style-src")).toBe("'self' 'nonce-abc123=='");
    expect(policy.get("img-src")).toBe("'self' data: blob:");
    expect(policy.get("connect-src")).toBe("'self'");
    expect(policy.get("object-src")).toBe("'none'");
    expect(policy.get("frame-ancestors")).toBe("'none'");
    expect(policy.get("base-uri")).toBe("'none'");
    expect(policy.get("form-action")).toBe("'self'");
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
  });

  it("allows eval and inline styles only outside production", () => {
    const development = directives(contentSecurityPolicy({ nonce: "n", production: false, https: false }));
    expect(development.get("script-src")).toContain("'unsafe-eval'");
    expect(development.get("style-src")).toBe("'self' 'unsafe-inline'");
    // Over plain http, upgrading would break the page.
    expect(development.has("upgrade-insecure-requests")).toBe(false);
    const production = contentSecurityPolicy({ nonce: "n", production: true, https: false });
    expect(production).not.toContain("unsafe");
  });

  it("sends HSTS only in production over https", () => {
    expect(securityHeaders({ nonce: "n", production: true, https: true })["Strict-Transport-Security"]).toBe("max-age=63072000; includeSubDomains");
    expect(securityHeaders({ nonce: "n", production: true, https: false })).not.toHaveProperty("Strict-Transport-Security");
    expect(securityHeaders({ nonce: "n", production: false, https: true })).not.toHaveProperty("Strict-Transport-Security");
  });

  it("forbids framing, sniffing, powerful features, and keeps the referrer to the origin", () => {
    const headers = securityHeaders({ nonce: "n", production: true, https: true });
    expect(headers["X-Frame-Options"]).toBe("DENY");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    for (const feature of ["camera", "microphone", "geolocation", "payment"]) expect(headers["Permissions-Policy"]).toContain(`${feature}=()`);
  });

  it("makes a fresh, unguessable nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
