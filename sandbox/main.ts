import path from "node:path";
import { loadEnvFiles } from "./env-files";
import { startSandbox } from "./start";

// `npm run sandbox`: only the stand-ins, for running the app (or anything else) against them by hand.
loadEnvFiles();
const sandbox = await startSandbox({ env: process.env, dataDir: path.resolve(process.env.DELEGATE_DATA_DIR ?? ".data") });
if (sandbox.services.length === 0) {
  console.log("[sandbox] Every service is configured; nothing to start.");
  process.exit(0);
}
console.log("\n[sandbox] Running. Use these variables for the app (e.g. in .env.local):\n");
for (const [name, value] of Object.entries(sandbox.env)) console.log(`${name}=${value}`);
const shutdown = () => void sandbox.close().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
