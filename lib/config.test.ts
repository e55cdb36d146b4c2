import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigurationError, isLoopbackHost, parseConfig, secretBytes } from "./config";
import { COMPLETE_CONFIG_ENV as complete } from "./config.test-env";


/** The start-up refusal for an environment, which must be a ConfigurationError. */
function refusal(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration", () => {
  it("accepts a complete environment and fills the model defaults", () => {
    const config = parseConfig(complete);
    expect(config.OPENAI_MODEL).toBe("gpt-5-mini");
    expect(config.OPENAI_EMBEDDING_MODEL).toBe("text-embedding-3-small");
    expect(config.OPENAI_BASE_URL).toBeUndefined();
  });

  it("names every missing variable and how to set it", () => {
    const message = refusal({ ...complete, AUTH0_DOMAIN: undefined, DATABASE_URL: "", OPENAI_API_KEY: undefined });
    expect(message).toContain("AUTH0_DOMAIN is not set. Set it to your Auth0 tenant domain");
    expect(message).toContain("DATABASE_URL is not set.");
    expect(message).toContain("OPENAI_API_KEY is not set.");
    expect(message).toContain("npm run dev");
  });

  it("reads the pooler settings: prepared statements on unless DATABASE_PREPARED_STATEMENTS=false", () => {
    expect(parseConfig(complete).DATABASE_PREPARED_STATEMENTS).toBe("true");
    expect(parseConfig({ ...complete, DATABASE_PREPARED_STATEMENTS: "false" }).DATABASE_PREPARED_STATEMENTS).toBe("false");
    expect(refusal({ ...complete, DATABASE_PREPARED_STATEMENTS: "off" })).toContain(
      "DATABASE_PREPARED_STATEMENTS must be true or false: false when DATABASE_URL goes through a transaction pooler",
    );
    expect(parseConfig({ ...complete, DATABASE_MIGRATION_URL: "postgres://u:p@db.example.com:5432/delegate" }).DATABASE_MIGRATION_URL).toBe(
      "postgres://u:p@db.example.com:5432/delegate",
    );
  });

  it("requires the MCP and chat APIs' identifiers to be their URLs on the app, which clients check", () => {
    expect(refusal({ ...complete, AUTH0_API_AUDIENCE: "https://api.elsewhere.example/chat" })).toContain(`AUTH0_API_AUDIENCE must be ${new URL("/api", complete.APP_BASE_URL).href}`);
    expect(refusal({ ...complete, AUTH0_MCP_AUDIENCE: `${complete.APP_BASE_URL}/mcp/` })).toContain("AUTH0_MCP_AUDIENCE must be");
    expect(parseConfig({ ...complete, AUTH0_MCP_AUDIENCE: new URL("/mcp", complete.APP_BASE_URL).href }).AUTH0_MCP_AUDIENCE).toBe(new URL("/mcp", complete.APP_BASE_URL).href);
  });

  it("rejects malformed URLs with the expected form", () => {
    expect(() => parseConfig({ ...complete, APP_BASE_URL: "localhost:3000" })).toThrow(
      "APP_BASE_URL must be an absolute URL",
    );
    expect(() => parseConfig({ ...complete, OPENAI_BASE_URL: "nope" })).toThrow("OPENAI_BASE_URL must be an absolute URL");
  });
});

describe("AUTH0_SECRET", () => {
  const base64Of32Bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 97 + 0xfb) % 256)).toString("base64");

  it("accepts 32 bytes or more, written as hex, base64 or base64url", () => {
    expect(() => parseConfig({ ...complete, AUTH0_SECRET: randomBytes(32).toString("hex") })).not.toThrow();
    expect(() => parseConfig({ ...complete, AUTH0_SECRET: randomBytes(64).toString("hex").toUpperCase() })).not.toThrow();
    expect(() => parseConfig({ ...complete, AUTH0_SECRET: base64Of32Bytes })).not.toThrow(); // "…=" padded
    expect(() => parseConfig({ ...complete, AUTH0_SECRET: randomBytes(32).toString("base64url") })).not.toThrow();
    expect(secretBytes(base64Of32Bytes)).toBe(32);
  });

  it.each([
    ["one character", "§"],
    ["63 hex characters", "a1".repeat(31) + "a"],
    ["44 hex digits, which are also valid base64 but hold only 22 bytes", "ab".repeat(22)],
    ["31 bytes of base64", Buffer.alloc(31, 0xfb).toString("base64")],
    ["a passphrase", "correct horse battery staple, longer than thirty-two characters"],
    ["base64 with a stray character", `${base64Of32Bytes.slice(0, -1)}!`],
    ["64 times the same hex digit", "a".repeat(64)],
    ["one hex pattern repeated", "0123456789abcdef".repeat(4)],
    ["32 identical bytes in base64", Buffer.alloc(32, 0xfb).toString("base64")],
  ])("refuses %s, says why and how to generate one, and never echoes it", (_, secret) => {
    const message = refusal({ ...complete, AUTH0_SECRET: secret });
    expect(message).toContain("AUTH0_SECRET is too weak");
    expect(message).toContain("at least 32 random bytes");
    expect(message).toContain("openssl rand -hex 32");
    expect(message).not.toContain(secret);
  });
});

describe("plain http:// outside localhost", () => {
  const urls = {
    APP_BASE_URL: "http://delegate.example.com",
    OPENAI_BASE_URL: "http://llm.example.com/v1",
    FGA_API_URL: "http://fga.example.com:8080",
    SHOP_API_URL: "http://shop.example.com/api",
    GOOGLE_API_URL: "http://10.0.0.7/google",
    GITHUB_API_URL: "http://github.internal",
    SLACK_API_URL: "http://slack.internal/api",
    ASYNC_AUTHORIZATION_APPROVAL_URL: "http://approve.example.com",
    AUTH0_DOMAIN: "http://idp.example.com",
  };

  it.each(Object.entries(urls))("refuses %s, naming the host and why", (name, url) => {
    const message = refusal({ ...complete, [name]: url });
    const host = new URL(url).hostname;
    expect(message).toContain(`${name} uses plain http:// for ${host}`);
    expect(message).toContain("would cross the network unencrypted");
    expect(message).toContain("Use https://");
  });

  it("never quotes credentials written into a URL", () => {
    const message = refusal({ ...complete, OPENAI_BASE_URL: "http://user:hunter2@llm.example.com/v1" });
    expect(message).toContain("OPENAI_BASE_URL uses plain http:// for llm.example.com");
    expect(message).not.toContain("hunter2");
  });

  it("accepts https:// everywhere, and http:// to loopback hosts, such as every sandbox service", () => {
    const https = Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, url.replace("http://", "https://")]));
    expect(() => parseConfig({ ...complete, ...https })).not.toThrow();
    const sandbox = {
      AUTH0_DOMAIN: "http://localhost:4100",
      APP_BASE_URL: "http://localhost:3100",
      OPENAI_BASE_URL: "http://127.0.0.1:4102/v1",
      FGA_API_URL: "http://127.0.0.1:4101",
      GOOGLE_API_URL: "http://127.0.0.1:4103/google",
      GITHUB_API_URL: "http://127.0.0.1:4103/github",
      SLACK_API_URL: "http://127.0.0.1:4103/slack/api",
      SHOP_API_URL: "http://127.0.0.1:4104",
      ASYNC_AUTHORIZATION_APPROVAL_URL: "http://localhost:4100/authenticator",
    };
    expect(parseConfig({ ...complete, ...sandbox }).FGA_API_URL).toBe("http://127.0.0.1:4101");
    expect(() => parseConfig({ ...complete, APP_BASE_URL: "http://[::1]:3000", FGA_API_URL: "http://fga.localhost:8080" })).not.toThrow();
  });

  it("counts only loopback names and addresses as localhost", () => {
    for (const host of ["localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "127.8.9.10", "[::1]", "[::ffff:7f00:1]"])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["localhost.example.com", "mylocalhost", "128.0.0.1", "10.0.0.1", "0.0.0.0", "[::]", "[::ffff:a00:1]", "127.0.0.1.nip.io"])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it("takes a bare tenant domain or an http(s) issuer URL as AUTH0_DOMAIN, nothing else", () => {
    expect(() => parseConfig({ ...complete, AUTH0_DOMAIN: "https://example.us.auth0.com" })).not.toThrow();
    expect(() => parseConfig({ ...complete, AUTH0_DOMAIN: "ftp://example.us.auth0.com" })).toThrow(
      "AUTH0_DOMAIN must be a domain (your-tenant.us.auth0.com) or an https:// issuer URL",
    );
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
