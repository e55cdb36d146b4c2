import { ConfigurationError, getConfig } from "../lib/config";
import { formatReport, anyFailed } from "../lib/doctor/print";
import { runDoctor } from "../lib/doctor/run";
import { loadEnvFiles, loadSandboxEnv, sandboxDataDir } from "../sandbox/env-files";

/**
 * `npm run doctor`: checks the configuration the app would run with, end to end against the real services, and
 * prints a checklist with a fix for every failure. It reads what the app reads: the environment, .env.local and
 * .env, and, while `npm run dev` runs, the settings of the stand-ins it started. Exit code 1 if any check failed.
 * DOCTOR_REFRESH_TOKEN (a signed-in user's refresh token) adds the refresh-token policy check.
 */
loadEnvFiles();
const sandboxFile = loadSandboxEnv(sandboxDataDir());

let config;
try {
  config = getConfig();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`✗ ${error.message}`);
  process.exit(1);
}

console.log(
  sandboxFile
    ? `Checking the configuration, with the settings of the sandbox \`npm run dev\` is running (${sandboxFile}) for services left unset.\n`
    : "Checking the configuration (environment, .env.local, .env).\n",
);
const results = await runDoctor({ config, refreshToken: process.env.DOCTOR_REFRESH_TOKEN?.trim() || undefined });
console.log(formatReport(results));
// Database pools and HTTP keep-alive sockets would otherwise hold the process open.
process.exit(anyFailed(results) ? 1 : 0);
