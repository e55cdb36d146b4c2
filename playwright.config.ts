import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests run against a production build (`next build` + `next start`) with the sandbox, on ports of
 * their own so a running `npm run dev` does not interfere. CHROMIUM_PATH points at another Chromium if needed.
 */
const port = 3100;
export const baseURL = `http://localhost:${port}`;

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
      SANDBOX_IDENTITY_PORT: "4100",
      SANDBOX_MODEL_PORT: "4102",
      SANDBOX_PROVIDERS_PORT: "4103",
      SANDBOX_POSTGRES_PORT: "5533",
      SANDBOX_SHOP_PORT: "4104",
      SANDBOX_CIBA_INTERVAL_SECONDS: "1",
      ASYNC_AUTHORIZATION_EXPIRY_SECONDS: "15",
    },
  },
});
