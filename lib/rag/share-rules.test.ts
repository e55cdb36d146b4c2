import { describe, expect, it } from "vitest";
import { shareRequest } from "./share-rules";
import { parseShareTarget } from "./sharing";

describe("shareRequest: what the share picker sends", () => {
  it("sends a person's trimmed email as it is, apostrophe and plus included", () => {
    expect(shareRequest("person", "  Zoe.O'Brien+docs@example.com ")).toEqual({ with: "Zoe.O'Brien+docs@example.com" });
  });

  it("names the character that makes an address unusable, and refuses what is not an address", () => {
    expect(shareRequest("person", "Zoë.O'Brien+docs@example.com")).toEqual({
      problem: "Enter an email address like name@example.com. Letters such as “ë” cannot be used in it.",
    });
    expect(shareRequest("person", "bob (at) example.com")).toEqual({ problem: "Enter an email address like name@example.com." });
    expect(shareRequest("person", "   ")).toEqual({ problem: "Enter the person’s email address." });
  });

  it("sends a group as group:<name>, also when the old syntax was typed", () => {
    expect(shareRequest("group", " finance ")).toEqual({ with: "group:finance" });
    expect(shareRequest("group", "Group:Team_EU-2")).toEqual({ with: "group:Team_EU-2" });
    expect(shareRequest("group", "")).toEqual({ problem: "Enter the group’s name." });
    expect(shareRequest("group", "Finanzen (Büro)")).toMatchObject({ problem: expect.stringContaining("only letters a–z, digits") });
    expect(shareRequest("group", "x".repeat(65))).toMatchObject({ problem: expect.stringContaining("at most 64") });
  });

  it("sends everyone for everyone signed in, whatever was typed in another field", () => {
    expect(shareRequest("everyone", "bob@example.com")).toEqual({ with: "everyone" });
  });

  it("sends only what the server parses, and an address it refuses the server refuses too", () => {
    const typed = ["Zoe.O'Brien+docs@example.com", "Zoë@example.com", "a@b", "finance", "Team_EU-2", "Finanzen (Büro)", "", "group:"];
    for (const audience of ["person", "group", "everyone"] as const) {
      for (const value of typed) {
        const request = shareRequest(audience, value);
        if ("with" in request) expect(parseShareTarget(request.with, { unsharing: false }), `${audience} ${value}`).not.toBeNull();
        else if (audience === "person") expect(parseShareTarget(value.trim(), { unsharing: false })).toBeNull();
      }
    }
  });
});
