/** For tests: the smallest environment lib/config.ts accepts as complete and safe (https, a strong AUTH0_SECRET). */
export const COMPLETE_CONFIG_ENV = {
  AUTH0_DOMAIN: "example.us.auth0.com",
  AUTH0_CLIENT_ID: "id",
  AUTH0_CLIENT_SECRET: "secret",
  AUTH0_SECRET: "3f9c0a7be21d4e58a6c1f0b2d97e3a4c5b8d1e0f2a3b4c5d6e7f8091a2b3c4d5",
  APP_BASE_URL: "https://delegate.example.com",
  DATABASE_URL: "postgres://u:p@db.example.com/delegate",
  OPENAI_API_KEY: "sk-test",
  FGA_API_URL: "https://api.us1.fga.dev",
  FGA_STORE_ID: "01JABCDEFGHJKMNPQRSTVWXYZ0",
  AUDIT_RETENTION_DAYS: "365",
} as const;
