import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests run against a production build (`next build` + `next start`) with the sandbox, on ports of
 * their own so a running `npm run dev` does not interfere. CHROMIUM_PATH points at another Chromium if needed.
 */
/** E2E_PORT_OFFSET moves every port, so two checkouts can run their suites side by side. */
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0);
const port = 3100 + offset;
export const baseURL = `http://localhost:${port}`;
/** The sandbox identity server of the test run (its authenticator page stands in for the user's phone). */
export const identityURL = `http://localhost:${4100 + offset}`;
export const shopURL = `http://127.0.0.1:${4104 + offset}`;

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? "list" : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    command: "rm -rf .data/e2e && tsx scripts/dev.ts start",
    url: baseURL,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(port),
      DELEGATE_DATA_DIR: ".data/e2e",
      DELEGATE_LOG_FILE: ".data/e2e/server.log",
      SANDBOX_IDENTITY_PORT: String(4100 + offset),
      SANDBOX_FGA_PORT: String(4101 + offset),
      SANDBOX_MODEL_PORT: String(4102 + offset),
      SANDBOX_PROVIDERS_PORT: String(4103 + offset),
      SANDBOX_POSTGRES_PORT: String(5533 + offset),
      SANDBOX_SHOP_PORT: String(4104 + offset),
      SANDBOX_CIBA_INTERVAL_SECONDS: "1",
      ASYNC_AUTHORIZATION_EXPIRY_SECONDS: "15",
    },
  },
});
