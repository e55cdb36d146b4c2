import type { NextConfig } from "next";
import { MAX_UPLOAD_BODY_BYTES } from "./lib/rag/limits";

const nextConfig: NextConfig = {
  // Migrations run at server start-up (instrumentation.ts), so their SQL ships with the server bundle.
  outputFileTracingIncludes: { "/**": ["./db/migrations/**/*"] },
  serverExternalPackages: ["postgres"],
  poweredByHeader: false,
  experimental: {
    // With proxy.ts in place Next buffers request bodies and silently cuts them at this size (default 10 MB),
    // dropping the whole chunk that crosses it. A margin past the largest body a route accepts lets the route
    // see the excess and answer 413 itself, instead of a truncated body it cannot parse.
    proxyClientMaxBodySize: MAX_UPLOAD_BODY_BYTES + 1024 * 1024,
  },
};

export default nextConfig;
