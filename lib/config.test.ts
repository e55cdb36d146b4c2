import { describe, expect, it } from "vitest";
import { ConfigurationError, parseConfig } from "./config";

const complete = {
  AUTH0_DOMAIN: "example.us.auth0.com",
  AUTH0_CLIENT_ID: "id",
  AUTH0_CLIENT_SECRET: "secret",
  AUTH0_SECRET: "a".repeat(64),
  APP_BASE_URL: "https://delegate.example.com",
  DATABASE_URL: "postgres://u:p@db.example.com/delegate",
  OPENAI_API_KEY: "sk-test",
  FGA_API_URL: "https://api.us1.fga.dev",
  FGA_STORE_ID: "01JABCDEFGHJKMNPQRSTVWXYZ0",
};

describe("configuration", () => {
  it("accepts a complete environment and fills the model defaults", () => {
    const config = parseConfig(complete);
    expect(config.OPENAI_MODEL).toBe("gpt-5-mini");
    expect(config.OPENAI_EMBEDDING_MODEL).toBe("text-embedding-3-small");
    expect(config.OPENAI_BASE_URL).toBeUndefined();
  });

  it("names every missing variable and how to set it", () => {
    let error: unknown;
    try {
      parseConfig({ ...complete, AUTH0_DOMAIN: undefined, DATABASE_URL: "", OPENAI_API_KEY: undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain("AUTH0_DOMAIN is not set. Set it to your Auth0 tenant domain");
    expect(message).toContain("DATABASE_URL is not set.");
    expect(message).toContain("OPENAI_API_KEY is not set.");
    expect(message).toContain("npm run dev");
  });

  it("rejects malformed URLs with the expected form", () => {
    expect(() => parseConfig({ ...complete, APP_BASE_URL: "localhost:3000" })).toThrow(
      "APP_BASE_URL must be an absolute URL",
    );
    expect(() => parseConfig({ ...complete, OPENAI_BASE_URL: "nope" })).toThrow("OPENAI_BASE_URL must be an absolute URL");
  });
});

describe("issuer URL", () => {
  it("turns a tenant domain into an https issuer and keeps a full URL", async () => {
    const { issuerUrl } = await import("./config");
    expect(issuerUrl({ AUTH0_DOMAIN: "example.us.auth0.com" })).toBe("https://example.us.auth0.com/");
    expect(issuerUrl({ AUTH0_DOMAIN: "http://localhost:4000" })).toBe("http://localhost:4000/");
    expect(issuerUrl({ AUTH0_DOMAIN: "http://localhost:4000/" })).toBe("http://localhost:4000/");
  });
});
