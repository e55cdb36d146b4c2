import { existsSync } from "node:fs";

/** Loads .env.local then .env into process.env (existing variables win), as Next does for the app. */
export function loadEnvFiles() {
  for (const file of [".env.local", ".env"]) if (existsSync(file)) process.loadEnvFile(file);
}
