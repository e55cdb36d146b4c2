/**
 * The headers every response carries. The Content-Security-Policy is the backstop for model output: whatever a
 * reply contains, the page may load scripts only by nonce and images, fetches, frames and form posts only from
 * its own origin, so no injected Markdown or HTML can send data to another host.
 */
export interface SecurityHeaderOptions {
  /** A fresh, unguessable value per response; Next.js puts it on the scripts it renders. */
  nonce: string;
  /** Outside production (`next dev`) React's dev tooling needs eval and the error overlay inline styles. */
  production: boolean;
  /** HSTS and upgrade-insecure-requests only make sense when the app is served over TLS. */
  https: boolean;
}

export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export function contentSecurityPolicy({ nonce, production, https }: SecurityHeaderOptions): string {
  const directives = [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonced Next.js runtime loads are trusted, nothing else ('self' is ignored).
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? "" : " 'unsafe-eval'"}`,
    // A nonce disables 'unsafe-inline', so development sends only the latter.
    `style-src 'self' ${production ? `'nonce-${nonce}'` : "'unsafe-inline'"}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    // Not no-referrer: under it a browser sends `Origin: null` on same-origin POSTs, which the cross-site check
    // (request-checks.ts) must refuse.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    // For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Permissions-Policy":
      "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()",
    // Other sites may not embed the app's responses (documents, API answers) as images, scripts or media.
    "Cross-Origin-Resource-Policy": "same-origin",
    ...(options.https && options.production ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
