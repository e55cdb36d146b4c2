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

describe("Slack conversations.list", () => {
  it("lists alice's public channels with her membership", async () => {
    const body = await conversations({ exclude_archived: "true" }, await token("auth0|alice"));
    expect(body).toMatchObject({ ok: true, response_metadata: { next_cursor: "" } });
    expect(names(body)).toEqual(["general", "design-review", "engineering"]);
    const member = Object.fromEntries((body.channels as Channel[]).map((channel) => [channel.name, channel.is_member]));
    expect(member).toEqual({ general: true, "design-review": true, engineering: false });
    expect(body.channels[1]).toMatchObject({ id: "C07DESIGNRV", is_channel: true, is_private: false, num_members: 2 });
  });

  it("includes archived channels unless asked not to", async () => {
    expect(names(await conversations({}, await token("auth0|alice")))).toContain("launch-2023");
  });

  it("shows private channels only to their members, and only with groups:read", async () => {
    expect(names(await conversations({ types: "private_channel" }, await token("auth0|alice")))).toEqual(["release-crew"]);
    expect(names(await conversations({ types: "private_channel" }, await token("auth0|bob")))).toEqual(["finance"]);
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
    const second = await post({ limit: "2", types: "public_channel,private_channel", cursor: first.response_metadata.next_cursor });
    expect(names(second)).toEqual(["engineering", "release-crew"]);
    expect((await post({ limit: "5000" })).error).toBe("invalid_limit");
    expect((await post({ types: "everything" })).error).toBe("invalid_types");
  });

  it("gives someone outside the workspace no channels, and unknown methods unknown_method", async () => {
    expect(await conversations({}, await token("auth0|dave"))).toMatchObject({ ok: true, channels: [] });
    const response = await fetch(`${sandbox.apis.baseUrls.slack}/chat.unknownThing`);
    expect(await response.json()).toEqual({ ok: false, error: "unknown_method", req_method: "chat.unknownThing" });
  });
});
