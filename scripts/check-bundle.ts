import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/**
 * The production build must not contain the sandbox: it runs beside the app in development, never inside it.
 * Scans the emitted server and browser bundles for the sandbox's modules and entry points.
 */
const forbidden = ["oidc-provider", "@electric-sql/pglite", "startIdentityServer", "startModelServer", "startSandbox"];

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (/\.(js|mjs|cjs|json)$/.test(entry.name)) yield full;
  }
}

const offenders: string[] = [];
let scanned = 0;
for (const root of [".next/server", ".next/static"]) {
  for await (const file of files(root)) {
    scanned++;
    const text = await readFile(file, "utf8");
    for (const needle of forbidden) if (text.includes(needle)) offenders.push(`${file}: ${needle}`);
  }
}
if (scanned === 0) {
  console.error("No build output found under .next/; run `next build` first.");
  process.exit(1);
}
if (offenders.length > 0) {
  console.error(`Sandbox code found in the production bundle:\n${offenders.join("\n")}`);
  process.exit(1);
}
console.log(`Production bundle is free of sandbox code (${scanned} files scanned).`);
