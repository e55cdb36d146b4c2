import { describe, expect, it } from "vitest";
import { signInAndConnectPath } from "@/lib/auth/connections";
import { countdown } from "./interrupts";
import { replaying, scriptedTerminal } from "./test-terminal";
import { runTurn } from "./turn";

const origin = "http://localhost:3000";
const chatId = "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

function turn(lines: string[] = []) {
  const { terminal, output } = scriptedTerminal(lines);
  return { context: { chatId, origin, timeZone: "Europe/Paris", terminal, described: new Set<string>() }, output };
}

describe("a turn in the terminal", () => {
  it("sends the question in a new message and prints the streamed answer as plain text, tools on their own lines", async () => {
    const { context, output } = turn();
    const api = replaying("who-am-i");
    expect(await runTurn("Who am I? (be brief — ça va)", context, api.post)).toEqual({ ok: true });

    expect(output.stdout).toBe("You are Zoë Ångström-O'Brien (Research), signed in as zoe.angstrom+delegate@example.com.\n");
    expect(output.stderr).toBe("• See your name and email\n");
    expect(api.requests).toEqual([
      { id: chatId, timeZone: "Europe/Paris", message: { id: expect.any(String), role: "user", parts: [{ type: "text", text: "Who am I? (be brief — ça va)" }] } },
    ]);
  });

  it("reports a reply that failed part-way and says the turn did not complete", async () => {
    const { context, output } = turn();
    expect(await runTurn("What changed?", context, replaying("model-failure").post)).toEqual({ ok: false });
    expect(output.stdout).toBe("Let me look\n");
    expect(output.stderr).toBe("✗ The connection to the model service was interrupted. Try again in a moment.\n");
  });

  it("prints the link to connect an account, waits for Enter, then resumes the call by id", async () => {
    const { context, output } = turn([""]);
    const api = replaying("calendar-connect", "calendar-resumed");
    expect(await runTurn("What is on my calendar on 1 January 2030?", context, api.post)).toEqual({ ok: true });

    const link = `${origin}${signInAndConnectPath({ connection: "google-oauth2", requiredScopes: ["https://www.googleapis.com/auth/calendar.events.readonly"] })}`;
    expect(output.stderr).toContain("Connect your Google account so Delegate can read your calendar.");
    expect(output.stderr).toContain("  - See the events on your calendars");
    expect(output.stderr).toContain(`  ${link}\n`);
    expect(output.prompts).toEqual(["Press Enter once connected (or type cancel): "]);
    expect(api.requests[1]).toEqual({ id: chatId, timeZone: "Europe/Paris", resume: { toolCallId: "call_cal_1" } });
    expect(output.stdout).toBe("At 09:30 you have “Café with Łukasz (déjà vu)”.\n");
  });

  it("cancels the call when the user types cancel at the connect prompt", async () => {
    const { context } = turn(["cancel"]);
    const api = replaying("calendar-connect", "calendar-resumed");
    await runTurn("What is on my calendar?", context, api.post);
    expect(api.requests[1]).toMatchObject({ resume: { toolCallId: "call_cal_1", cancel: true } });
  });

  it("leaves the call waiting in the chat when input ends at a prompt, and says where", async () => {
    const { context, output } = turn([]);
    const api = replaying("calendar-connect");
    expect(await runTurn("What is on my calendar?", context, api.post)).toEqual({ ok: false });
    expect(api.requests).toHaveLength(1);
    expect(output.stderr).toContain(`Not connected yet. It waits in the chat: ${origin}/chat/${chatId}`);
  });

  it("shows what a purchase approval is for once, counts down, and checks again every interval until it is decided", async () => {
    const { context, output } = turn();
    const api = replaying("purchase-pending", "purchase-still-pending", "purchase-approved");
    expect(await runTurn("Buy two of the Über Quiet headphones", context, api.post)).toEqual({ ok: true });

    expect(api.requests.slice(1)).toEqual([
      { id: chatId, timeZone: "Europe/Paris", resume: { toolCallId: "call_buy_1" } },
      { id: chatId, timeZone: "Europe/Paris", resume: { toolCallId: "call_buy_1" } },
    ]);
    // Every `interval` (2 s) from 12:00:00, the request expiring at 12:01:00.
    expect(output.waits).toEqual([
      { ms: 2000, status: "Waiting for your approval (Ctrl-C cancels) — 1:00 left" },
      { ms: 2000, status: "Waiting for your approval (Ctrl-C cancels) — 0:58 left" },
    ]);
    expect(output.stderr.match(/The notification reads/g)).toHaveLength(1);
    expect(output.stderr).toContain("The notification reads: “Buy 2 x Noise-cancelling headphones (Über Quiet) for 398.00 EUR”");
    expect(output.stderr).toContain("  Product: Noise-cancelling headphones (Über Quiet)\n  Total: 398.00 EUR\n");
    expect(output.stderr).not.toContain("sku-123");
    expect(output.stderr).toContain("Open the authenticator: http://localhost:4100/authenticator");
    expect(output.stdout).toBe("Done: order ord_42 is placed.\n");
  });

  it("asks y/n for an in-chat approval with the tool's title and its full input, and sends only the decision", async () => {
    const { context, output } = turn(["maybe", "y"]);
    const api = replaying("draft-approval", "draft-approved");
    expect(await runTurn("Draft a note to Renée about the budget", context, api.post)).toEqual({ ok: true });

    expect(output.stderr).toContain("Delegate asks for your approval: Write email drafts\n");
    expect(output.stderr).toContain("  To: Renée Dubois <renee.dubois@example.org>\n  Subject: Budget (Q3) — draft\n  Body: Hi Renée,\n    \n    Here are the numbers.\n    \n    Zoë\n");
    expect(output.stderr).toContain("Please answer y or n.");
    expect(api.requests[1]).toEqual({ id: chatId, timeZone: "Europe/Paris", approvals: [{ approvalId: "approval_draft_1", approved: true }] });
    expect(output.stdout).toBe("The draft to Renée is saved.\n");
  });

  it("sends a denial with its reason", async () => {
    const { context } = turn(["n"]);
    const api = replaying("draft-approval", "draft-approved");
    await runTurn("Draft a note to Renée", context, api.post);
    expect(api.requests[1]).toMatchObject({ approvals: [{ approvalId: "approval_draft_1", approved: false, reason: "The user denied it in the terminal." }] });
  });
});

describe("countdown", () => {
  it("shows minutes and seconds, rounding up, never below zero", () => {
    expect(countdown(125_000)).toBe("2:05");
    expect(countdown(59_001)).toBe("1:00");
    expect(countdown(-3_000)).toBe("0:00");
  });
});

describe("a reply cut off by the network", () => {
  it("prints what arrived and says the connection was lost, without a stack trace", async () => {
    const { context, output } = turn();
    let pulls = 0;
    const cut = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ > 0) return controller.error(new TypeError("terminated"));
        controller.enqueue(new TextEncoder().encode('data: {"type":"start","messageId":"m-1"}\n\ndata: {"type":"text-start","id":"t"}\n\ndata: {"type":"text-delta","id":"t","delta":"Half an ans"}\n\n'));
      },
    });
    expect(await runTurn("Tell me everything", context, async () => cut)).toEqual({ ok: false });
    expect(output.stdout).toBe("Half an ans\n");
    expect(output.stderr).toBe("✗ The connection to Delegate was lost before the answer ended (terminated). The chat has the rest.\n");
  });
});
