import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Migrations run at server start-up (instrumentation.ts), so their SQL ships with the server bundle.
  outputFileTracingIncludes: { "/**": ["./db/migrations/**/*"] },
  serverExternalPackages: ["postgres"],
  poweredByHeader: false,
};

export default nextConfig;
