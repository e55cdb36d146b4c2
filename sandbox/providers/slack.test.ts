import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProviders, type TestProviders } from "./test-support";

let sandbox: TestProviders;

beforeAll(async () => {
  sandbox = await startTestProviders({ now: new Date("2025-03-10T16:00:00Z"), timeZone: "America/New_York" });
});

afterAll(async () => {
  await sandbox?.close();
});

interface Channel {
  id: string;
  name: string;
  is_private: boolean;
  is_member: boolean;
  is_archived: boolean;
  topic: { value: string };
  num_members: number;
}

const token = (sub: string, scopes = ["channels:read", "groups:read"]) => sandbox.issuer.mint({ sub, aud: "sign-in-with-slack", scopes });

async function conversations(params: Record<string, string>, bearer: string) {
  const response = await fetch(`${sandbox.apis.baseUrls.slack}/conversations.list?${new URLSearchParams(params)}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  expect(response.status).toBe(200);
  return response.json();
}

const names = (body: { channels: Channel[] }) => body.channels.map((channel) => channel.name);

/** Every page, following next_cursor to the end as Slack's clients must. */
async function allPages(params: Record<string, string>, bearer: string) {
  const pages: { channels: Channel[]; response_metadata: { next_cursor: string } }[] = [];
  let cursor = "";
  do {
    const page = await conversations({ ...params, ...(cursor ? { cursor } : {}) }, bearer);
    expect(page.ok).toBe(true);
    pages.push(page);
    cursor = page.response_metadata.next_cursor;
  } while (cursor && pages.length < 20);
  return { pages, channels: pages.flatMap((page) => page.channels) };
}

describe("Slack conversations.list", () => {
  it("lists alice's public channels with her membership, non-ASCII names included", async () => {
    const body = await allPages({ exclude_archived: "true" }, await token("auth0|alice"));
    expect(names(body)).toEqual(["general", "design-review", "engineering", "random", "東京オフィス", "équipe-paris"]);
    const member = Object.fromEntries(body.channels.map((channel) => [channel.name, channel.is_member]));
    expect(member).toMatchObject({ general: true, "design-review": true, engineering: false, "東京オフィス": false, "équipe-paris": true });
    expect(body.channels[1]).toMatchObject({ id: "C07DESIGNRV", is_channel: true, is_private: false, num_members: 2 });
  });

  it("returns fewer than `limit` before the end — even none — with a next_cursor to follow", async () => {
    const { pages } = await allPages({ exclude_archived: "true", limit: "200" }, await token("auth0|alice"));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]!.channels.length).toBeLessThan(200);
    expect(pages[0]!.response_metadata.next_cursor).not.toBe("");
    // The window over release-crew (private, not his) and launch-2023 (archived) holds nothing for bob.
    const onlyPublic = await allPages({ exclude_archived: "true", limit: "2" }, await token("auth0|bob"));
    expect(onlyPublic.pages.map((page) => page.channels.length)).toContain(0);
    expect(onlyPublic.pages.at(-1)!.response_metadata.next_cursor).toBe("");
  });

  it("includes archived channels unless asked not to", async () => {
    expect(names(await allPages({}, await token("auth0|alice")))).toContain("launch-2023");
  });

  it("shows private channels only to their members, and only with groups:read", async () => {
    expect(names(await allPages({ types: "private_channel" }, await token("auth0|alice")))).toEqual(["release-crew"]);
    expect(names(await allPages({ types: "private_channel" }, await token("auth0|bob")))).toEqual(["finance"]);
    const withoutGroups = await conversations({ types: "public_channel,private_channel" }, await token("auth0|bob", ["channels:read"]));
    expect(withoutGroups).toEqual({ ok: false, error: "missing_scope", needed: "groups:read", provided: "channels:read" });
  });

  it("accepts a form-encoded POST with the token in the body, and pages with cursors", async () => {
    const bearer = await token("auth0|carol");
    const post = (fields: Record<string, string>) =>
      fetch(`${sandbox.apis.baseUrls.slack}/conversations.list`, { method: "POST", body: new URLSearchParams({ token: bearer, ...fields }) }).then(
        (response) => response.json(),
      );
    const first = await post({ limit: "2", types: "public_channel,private_channel" });
    expect(first.ok).toBe(true);
    expect(names(first)).toEqual(["general", "design-review"]);
    // The second window is engineering and finance; carol is not in the private finance channel.
    const second = await post({ limit: "2", types: "public_channel,private_channel", cursor: first.response_metadata.next_cursor });
    expect(names(second)).toEqual(["engineering"]);
    expect((await post({ cursor: "bm90LWEtY3Vyc29y" })).error).toBe("invalid_cursor");
    expect((await post({ limit: "5000" })).error).toBe("invalid_limit");
    expect((await post({ types: "everything" })).error).toBe("invalid_types");
  });

  it("gives someone outside the workspace no channels, and unknown methods unknown_method", async () => {
    expect(await conversations({}, await token("auth0|dave"))).toMatchObject({ ok: true, channels: [] });
    const response = await fetch(`${sandbox.apis.baseUrls.slack}/chat.unknownThing`);
    expect(await response.json()).toEqual({ ok: false, error: "unknown_method", req_method: "chat.unknownThing" });
  });
});
