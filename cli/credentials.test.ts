import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configDir } from "./config-dir";
import { CredentialStore, type Credential } from "./credentials";
import { CliError } from "./errors";
import { Session } from "./session";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "delegate-cli-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const now = Date.parse("2030-01-01T12:00:00Z");
const credential = (overrides: Partial<Credential> = {}): Credential => ({
  issuer: "http://localhost:4100/",
  clientId: "delegate-cli",
  audience: "http://localhost:3000/api",
  accessToken: "access-1",
  refreshToken: "refresh-1",
  expiresAt: now + 3_600_000,
  user: { sub: "auth0|zoe", email: "zoë.o'brien@example.com", name: "Zoë O'Brien (Ops)" },
  ...overrides,
});
const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe("the credential store", () => {
  it("keeps tokens in a file only the user can read, in a folder only the user can open, keyed by app", async () => {
    // A folder made earlier with a wider mode is narrowed too.
    const dir = path.join(root, "delegate");
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const store = new CredentialStore(dir);
    await store.set("http://localhost:3000", credential());
    await store.set("https://delegate.example.com", credential({ accessToken: "access-deployed" }));

    expect(await mode(store.file)).toBe(0o600);
    expect(await mode(dir)).toBe(0o700);
    expect((await store.get("http://localhost:3000"))?.accessToken).toBe("access-1");
    expect((await store.get("https://delegate.example.com"))?.accessToken).toBe("access-deployed");
    expect(await store.get("http://localhost:3001")).toBeUndefined();
  });

  it("stays 0600 when the file is rewritten, and deleting one app keeps the others", async () => {
    const store = new CredentialStore(path.join(root, "delegate"));
    await store.set("http://localhost:3000", credential());
    await store.set("https://delegate.example.com", credential());
    await chmod(store.file, 0o644);
    expect(await store.delete("http://localhost:3000")).toBe(true);
    expect(await mode(store.file)).toBe(0o600);
    expect(await store.get("http://localhost:3000")).toBeUndefined();
    expect(await store.get("https://delegate.example.com")).toBeDefined();
    expect(await store.delete("http://localhost:3000")).toBe(false);
  });

  it("writes no token through a link: neither a linked folder nor a file planted under a name it might use", async () => {
    const elsewhere = path.join(root, "attacker");
    await mkdir(elsewhere);
    const linked = path.join(root, "linked");
    await symlink(elsewhere, linked);
    await expect(new CredentialStore(linked).set("http://localhost:3000", credential())).rejects.toThrow(/not a folder of your own/);
    expect(await readdir(elsewhere)).toEqual([]);

    // A planted credentials.json.<pid>.tmp link (the old, predictable name) receives nothing.
    const dir = path.join(root, "delegate");
    await mkdir(dir, { mode: 0o700 });
    const trap = path.join(elsewhere, "stolen");
    await symlink(trap, path.join(dir, `credentials.json.${process.pid}.tmp`));
    await new CredentialStore(dir).set("http://localhost:3000", credential());
    await expect(readFile(trap, "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("refuses a file it did not write with a clear error instead of a stack trace", async () => {
    const store = new CredentialStore(path.join(root, "delegate"));
    await mkdir(store.dir, { recursive: true });
    await writeFile(store.file, "{ not json");
    await expect(store.get("http://localhost:3000")).rejects.toThrow(CliError);
    await expect(store.get("http://localhost:3000")).rejects.toThrow(/is not a credentials file this CLI wrote/);
  });
});

describe("where the store lives", () => {
  it("follows XDG_CONFIG_HOME, else ~/.config, and %APPDATA% on Windows", () => {
    expect(configDir({ XDG_CONFIG_HOME: "/home/zoë/.cfg" }, "linux")).toBe("/home/zoë/.cfg/delegate");
    expect(configDir({ XDG_CONFIG_HOME: "relative/dir", HOME: "/home/x" }, "linux")).toMatch(/\.config\/delegate$/);
    expect(configDir({}, "darwin")).toMatch(/\.config\/delegate$/);
    expect(configDir({ APPDATA: "C:\\Users\\Zoë\\AppData\\Roaming" }, "win32")).toContain("AppData");
  });
});

describe("the session", () => {
  const origin = "http://localhost:3000";

  it("uses a fresh access token as it is", async () => {
    const store = new CredentialStore(path.join(root, "delegate"));
    await store.set(origin, credential());
    const renew = vi.fn();
    expect(await new Session(origin, store, renew, () => now).accessToken()).toBe("access-1");
    expect(renew).not.toHaveBeenCalled();
  });

  it("renews an expired access token with the refresh token and saves the new one, still 0600", async () => {
    const store = new CredentialStore(path.join(root, "delegate"));
    await store.set(origin, credential({ expiresAt: now - 1 }));
    const renew = vi.fn(async (old: Credential) => ({ ...old, accessToken: "access-2", refreshToken: "refresh-2", expiresAt: now + 3_600_000 }));
    const session = new Session(origin, store, renew, () => now);

    expect(await session.accessToken()).toBe("access-2");
    expect(renew).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: "refresh-1" }));
    expect(JSON.parse(await readFile(store.file, "utf8")).apps[origin]).toMatchObject({ accessToken: "access-2", refreshToken: "refresh-2" });
    expect(await mode(store.file)).toBe(0o600);
    // Renewed once: the next call uses the saved token.
    expect(await session.accessToken()).toBe("access-2");
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it("renews a token about to expire, and one the server refused (force)", async () => {
    const store = new CredentialStore(path.join(root, "delegate"));
    await store.set(origin, credential({ expiresAt: now + 30_000 }));
    const renew = vi.fn(async (old: Credential) => ({ ...old, accessToken: `${old.accessToken}+`, expiresAt: now + 3_600_000 }));
    const session = new Session(origin, store, renew, () => now);
    expect(await session.accessToken()).toBe("access-1+");
    expect(await session.accessToken({ force: true })).toBe("access-1++");
  });

  it("tells the user to log in when there is no sign-in for the app", async () => {
    const session = new Session("https://delegate.example.com", new CredentialStore(path.join(root, "delegate")), vi.fn(), () => now);
    await expect(session.accessToken()).rejects.toThrow("You are not signed in to https://delegate.example.com. Run `npm run cli -- login --url https://delegate.example.com` first.");
  });
});
