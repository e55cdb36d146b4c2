import { describe, expect, it } from "vitest";
import { checkRequest } from "./request-checks";

const APP = "https://delegate.example.com";

function check(method: string, pathname: string, headers: Record<string, string> = {}) {
  return checkRequest({ method, pathname, headers: new Headers(headers) }, APP)?.code ?? "ok";
}

/** What the app's own pages send: fetch/XHR from the app's origin. */
const sameOrigin = { origin: APP, "sec-fetch-site": "same-origin" };
const json = { ...sameOrigin, "content-type": "application/json", "content-length": "42" };

describe("cross-site state changes", () => {
  it("accepts the app's own JSON requests, with or without a charset", () => {
    // Next decodes the path: /%61pi/chat is the chat route, and gets no looser check.
    expect(check("POST", "/%61pi/chat", { ...json, "content-type": "text/plain" })).toBe("unsupported_media_type");
    expect(check("POST", "/api/chat", json)).toBe("ok");
    expect(check("POST", "/api/documents/d1/shares", { ...json, "content-type": "Application/JSON; charset=utf-8" })).toBe("ok");
    expect(check("DELETE", "/api/documents/d1/shares", json)).toBe("ok");
  });

  it("refuses another origin, even a same-site one (another port on the same host)", () => {
    expect(check("POST", "/api/chat", { ...json, origin: "https://evil.example" })).toBe("forbidden");
    expect(check("POST", "/api/chat", { ...json, origin: "https://delegate.example.com:4000", "sec-fetch-site": "same-site" })).toBe("forbidden");
    expect(check("POST", "/api/chat", { ...json, origin: "http://delegate.example.com" })).toBe("forbidden");
    expect(check("POST", "/api/chat", { ...json, origin: "https://delegate.example.com.evil.example" })).toBe("forbidden");
  });

  it("refuses Origin: null (sandboxed frames, data: pages)", () => {
    expect(check("POST", "/api/chat", { ...json, origin: "null" })).toBe("forbidden");
  });

  it("falls back to Sec-Fetch-Site when Origin is missing", () => {
    const { origin: _origin, ...noOrigin } = json;
    expect(check("POST", "/api/chat", noOrigin)).toBe("ok");
    expect(check("POST", "/api/chat", { ...noOrigin, "sec-fetch-site": "cross-site" })).toBe("forbidden");
    expect(check("POST", "/api/chat", { ...noOrigin, "sec-fetch-site": "same-site" })).toBe("forbidden");
    expect(check("POST", "/api/chat", { ...noOrigin, "sec-fetch-site": "none" })).toBe("forbidden");
  });

  it("refuses a matching Origin that the browser itself calls cross-site", () => {
    expect(check("POST", "/api/chat", { ...json, "sec-fetch-site": "cross-site" })).toBe("forbidden");
  });

  it("lets a non-browser client without Origin or Sec-Fetch-Site through (it has no cookie to ride on)", () => {
    expect(check("POST", "/api/chat", { "content-type": "application/json" })).toBe("ok");
  });

  it("checks every state-changing method on every path, not only /api", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(check(method, "/api/chats/c1", { origin: "https://evil.example" }), method).toBe("forbidden");
    }
    expect(check("POST", "/documents", { origin: "https://evil.example" })).toBe("forbidden");
  });

  it("leaves GET, HEAD and OPTIONS alone", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(check(method, "/api/chats", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }), method).toBe("ok");
    }
  });
});

describe("body types", () => {
  it("refuses the bodies a cross-site form or no-cors fetch can send without a preflight", () => {
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect(check("POST", "/api/chat", { ...json, "content-type": type }), type).toBe("unsupported_media_type");
      expect(check("POST", "/api/documents/d1/shares", { ...json, "content-type": type }), type).toBe("unsupported_media_type");
    }
  });

  it("refuses a POST that names no body type at all, even an empty one", () => {
    expect(check("POST", "/api/chat", sameOrigin)).toBe("unsupported_media_type");
  });

  it("takes the upload as multipart/form-data only", () => {
    const upload = { ...sameOrigin, "content-length": "1000" };
    expect(check("POST", "/api/documents", { ...upload, "content-type": "multipart/form-data; boundary=----x" })).toBe("ok");
    expect(check("POST", "/api/documents/", { ...upload, "content-type": "multipart/form-data; boundary=----x" })).toBe("ok");
    expect(check("POST", "/api/documents", { ...upload, "content-type": "application/json" })).toBe("unsupported_media_type");
    expect(check("POST", "/api/documents", { ...upload, "content-type": "text/plain" })).toBe("unsupported_media_type");
    // Only the upload route reads multipart.
    expect(check("POST", "/api/documents/d1/shares", { ...upload, "content-type": "multipart/form-data; boundary=x" })).toBe("unsupported_media_type");
  });

  it("takes a rename (PATCH) as JSON only, even without a body", () => {
    expect(check("PATCH", "/api/chats/c1", json)).toBe("ok");
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect(check("PATCH", "/api/chats/c1", { ...json, "content-type": type }), type).toBe("unsupported_media_type");
    }
    expect(check("PATCH", "/api/chats/c1", sameOrigin)).toBe("unsupported_media_type");
  });

  it("needs no body type on a DELETE without a body, and JSON on one with a body", () => {
    expect(check("DELETE", "/api/chats/c1", sameOrigin)).toBe("ok");
    expect(check("DELETE", "/api/connections/acc_1", { ...sameOrigin, "content-length": "0" })).toBe("ok");
    expect(check("DELETE", "/api/documents/d1/shares", { ...sameOrigin, "content-length": "20", "content-type": "text/plain" })).toBe("unsupported_media_type");
    expect(check("DELETE", "/api/documents/d1/shares", { ...sameOrigin, "transfer-encoding": "chunked" })).toBe("unsupported_media_type");
  });

  it("checks the origin before the body type", () => {
    expect(check("POST", "/api/chat", { origin: "https://evil.example", "content-type": "text/plain" })).toBe("forbidden");
  });
});

describe("SDK routes", () => {
  it("mounts only login, logout, callback and connect, and only for GET", () => {
    for (const path of ["/auth/login", "/auth/logout", "/auth/callback", "/auth/connect", "/auth/login/"]) {
      expect(check("GET", path), path).toBe("ok");
    }
    expect(check("POST", "/auth/logout", sameOrigin)).toBe("not_found");
  });

  it("answers 404 for every other SDK route, whatever the method", () => {
    const unused = [
      ["GET", "/auth/profile"],
      ["GET", "/auth/profile/"],
      ["GET", "/auth/access-token"],
      ["GET", "/auth/mfa/authenticators"],
      ["DELETE", "/auth/mfa/authenticators"],
      ["POST", "/auth/mfa/challenge"],
      ["POST", "/auth/passwordless/start"],
      ["POST", "/auth/passwordless/otp/token"],
      ["POST", "/auth/passkey/register"],
      ["POST", "/auth/federated-domain"],
      ["POST", "/auth/backchannel-logout"],
      ["GET", "/auth/anything-new-in-a-later-sdk"],
      ["GET", "/auth"],
      ["GET", "/me/v1/connected-accounts/accounts"],
      ["DELETE", "/me/v1/connected-accounts/accounts/acc_1"],
      ["GET", "/me"],
      ["GET", "/my-org/members"],
    ] as const;
    for (const [method, path] of unused) expect(check(method, path, json), `${method} ${path}`).toBe("not_found");
  });

  it("leaves the app's own paths that merely start alike alone", () => {
    expect(check("GET", "/authors")).toBe("ok");
    expect(check("GET", "/media")).toBe("ok");
    expect(check("GET", "/")).toBe("ok");
  });
});
