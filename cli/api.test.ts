import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { apiError } from "@/lib/errors";
import { refusal } from "./api";
import { appOrigin, discoverChatApi } from "./app";

const origin = "http://localhost:3000";
const bearer = (status: number, error: string, description: string) => Response.json({ error, error_description: description }, { status });

describe("the chat API's refusals, as one line each", () => {
  it("says to log in again on 401, in either error shape", async () => {
    expect((await refusal(bearer(401, "invalid_token", "The token has expired."), origin)).message).toBe(
      "Delegate did not accept your sign-in (The token has expired.). Run `npm run cli -- login`.",
    );
    expect((await refusal(apiError("unauthorized", "Your session has expired. Sign in again."), "https://delegate.example.com")).message).toBe(
      "Delegate did not accept your sign-in (Your session has expired. Sign in again.). Run `npm run cli -- login --url https://delegate.example.com`.",
    );
  });

  it("passes on the server's words for 429 and 503, and falls back when there are none", async () => {
    const limited = apiError("rate_limited", "You have sent many messages in a short time. Try again in 42 seconds.", { "retry-after": "42" });
    expect((await refusal(limited, origin)).message).toBe("Too many requests: You have sent many messages in a short time. Try again in 42 seconds.");
    expect((await refusal(new Response("", { status: 429, headers: { "retry-after": "7" } }), origin)).message).toBe("Too many requests: try again in 7 seconds");
    expect((await refusal(bearer(503, "temporarily_unavailable", "The identity service is not answering."), origin)).message).toBe(
      "Delegate is unavailable: The identity service is not answering.",
    );
    expect((await refusal(new Response("<html>oops</html>", { status: 502 }), origin)).message).toBe("Delegate answered HTTP 502.");
  });
});

describe("the app's address", () => {
  it("defaults to the local server, and refuses what is not an http(s) URL or http to another machine", () => {
    expect(appOrigin(undefined, {})).toBe("http://localhost:3000");
    expect(appOrigin(undefined, { DELEGATE_URL: "https://delegate.example.com/chat/123" })).toBe("https://delegate.example.com");
    expect(appOrigin("http://127.0.0.1:3100", { DELEGATE_URL: "https://ignored.example" })).toBe("http://127.0.0.1:3100");
    expect(() => appOrigin("delegate example", {})).toThrow('"delegate example" is not a URL');
    expect(() => appOrigin("ftp://delegate.example.com", {})).toThrow("is not an http(s) address");
    expect(() => appOrigin("http://delegate.example.com", {})).toThrow("Use https for an app on another machine");
  });
});

describe("the app's metadata", () => {
  const serve = (metadata: unknown) => {
    const server = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(metadata)));
    return new Promise<{ origin: string; close: () => void }>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
    );
  };

  it("is believed only when it describes the app's own API (RFC 9728 §3.3): a look-alike site cannot route the real sign-in to itself", async () => {
    const rogue = await serve({ resource: "https://delegate.real.example/api", authorization_servers: ["https://tenant.example.auth0.com/"], delegate_cli_client_id: "real-cli" });
    try {
      await expect(discoverChatApi(rogue.origin)).rejects.toThrow(/describes an API at https:\/\/delegate\.real\.example\/api, not its own/);
    } finally {
      rogue.close();
    }
    const app = await new Promise<{ origin: string; close: () => void }>((resolve) => {
      const server = createServer((_request, response) => {
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ resource: `${origin}/api`, authorization_servers: ["https://tenant.example.auth0.com/"], delegate_cli_client_id: "cli" }));
      });
      server.listen(0, "127.0.0.1", () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }));
    });
    try {
      expect(await discoverChatApi(app.origin)).toEqual({ audience: `${app.origin}/api`, issuer: "https://tenant.example.auth0.com/", clientId: "cli" });
    } finally {
      app.close();
    }
  });
});
