import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILD_ID, staleBuildReason } from "./build";

// A checkout in a temporary folder, every file dated explicitly: the build is judged by dates, never by the clock.
let root: string;
const DAY = new Date("2026-03-14T09:30:00Z");
const at = (minutes: number) => new Date(DAY.getTime() + minutes * 60_000);

async function put(file: string, when: Date, text = "export {};\n") {
  const absolute = path.join(root, file);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, text);
  await utimes(absolute, when, when);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "delegate-build-check-"));
  await put("app/(chat)/api/chat/route.ts", at(0));
  await put("lib/ai/tools/get-user-profile.ts", at(0));
  await put("public/screenshots/Chat — «dark» (375 px).png", at(0), "png");
  await put("package.json", at(0), "{}");
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("staleBuildReason", () => {
  it("asks for a build when there is none (a fresh checkout)", () => {
    expect(staleBuildReason(root)).toBe(`no production build (${BUILD_ID})`);
  });

  it("keeps a build made after every source", async () => {
    await put(BUILD_ID, at(5), "b1d-(main)");
    expect(staleBuildReason(root)).toBeNull();
  });

  it("names the newest source changed since the build, in app code, static files or configuration", async () => {
    await put(BUILD_ID, at(5), "b1d-(main)");
    await put("lib/ai/tools/get-user-profile.ts", at(6));
    expect(staleBuildReason(root)).toBe(`${path.join("lib", "ai", "tools", "get-user-profile.ts")} changed since the last build`);
    await put("public/screenshots/Chat — «dark» (375 px).png", at(7), "png");
    expect(staleBuildReason(root)).toBe(`${path.join("public", "screenshots", "Chat — «dark» (375 px).png")} changed since the last build`);
    await put(".env.local", at(8), "NEXT_PUBLIC_SUPPORT_EMAIL=help+delegate@example.com\n");
    expect(staleBuildReason(root)).toBe(".env.local changed since the last build");
  });

  it("ignores what the build does not read: tests, the benchmark, end-to-end specs", async () => {
    await put(BUILD_ID, at(5), "b1d-(main)");
    await put("lib/ai/tools/pipeline.test.ts", at(9));
    await put("app/(chat)/api/chat/route.test.ts", at(9));
    await put("bench/chat-turn.ts", at(9));
    await put("e2e/chat.spec.ts", at(9));
    expect(staleBuildReason(root)).toBeNull();
  });
});
