// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { disconnectConsequence, DisconnectButton } from "./disconnect-button";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  refresh.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const PERMISSIONS = ["See the events on your calendars", "Read your email", "Create email drafts"];

function renderButton() {
  render(
    <>
      <h2 id="connection-google-oauth2" tabIndex={-1}>
        Google
      </h2>
      <DisconnectButton accountId="cac_ä/1" label="Google" permissions={PERMISSIONS} headingId="connection-google-oauth2" />
    </>,
  );
  return screen.getByRole("button", { name: "Disconnect Google" });
}

describe("disconnectConsequence", () => {
  it("says what the assistant will no longer be able to do, from the permissions granted", () => {
    expect(disconnectConsequence("Google", PERMISSIONS)).toBe(
      "Once you disconnect, the assistant can no longer see the events on your calendars, read your email, or create email drafts. You can connect Google again at any time.",
    );
    expect(disconnectConsequence("Slack", [])).toBe(
      "Once you disconnect, the assistant can no longer use your Slack account. You can connect Slack again at any time.",
    );
  });
});

describe("DisconnectButton", () => {
  it("asks first; Cancel sends nothing", async () => {
    fireEvent.click(renderButton());
    const confirm = screen.getByRole("alertdialog", { name: "Disconnect Google?" });
    expect(confirm.textContent).toContain("the assistant can no longer see the events on your calendars");
    fireEvent.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("once confirmed, disconnects the account and moves focus to the connection's heading", async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    fireEvent.click(renderButton());
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Disconnect Google" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(fetchMock.mock.calls.map(([url, init]) => `${init?.method} ${String(url)}`)).toEqual(["DELETE /api/connections/cac_%C3%A4%2F1"]);
    expect(refresh).toHaveBeenCalled();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Google" })));
  });

  it("shows the server's refusal and leaves focus on Disconnect", async () => {
    fetchMock.mockResolvedValue(
      Response.json({ error: { code: "unavailable", message: "The identity service is not answering. Try again." } }, { status: 503 }),
    );
    const trigger = renderButton();
    fireEvent.click(trigger);
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Disconnect Google" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("The identity service is not answering. Try again."));
    await waitFor(() => expect(document.activeElement).toBe(trigger));
    expect(refresh).not.toHaveBeenCalled();
  });
});
