import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Migrations run at server start-up (instrumentation.ts), so their SQL ships with the server bundle; so does the
  // PDF worker (lib/rag/extract-text.ts), which Node runs from its file with unpdf from node_modules.
  outputFileTracingIncludes: { "/**": ["./db/migrations/**/*", "./lib/rag/pdf-text-worker.mjs", "./node_modules/unpdf/**/*"] },
  serverExternalPackages: ["postgres"],
  poweredByHeader: false,
  experimental: {
    // Next buffers the body of every request proxy.ts sees, up to this size (default 10 MB), before any route
    // checks the session: 10 MB per anonymous request. The largest body a proxied route accepts is 64 KB (a
    // chat turn), and the margin lets that route see an excess and answer 413 itself. Uploads bypass the proxy
    // (see its matcher) and count their own body as it streams.
    proxyClientMaxBodySize: 1024 * 1024,
  },
};

export default nextConfig;
