// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentView } from "@/lib/rag/document-view";
import { ShareDialog } from "./share-dialog";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

const fetchMock = vi.fn<typeof fetch>();
beforeEach(() => {
  fetchMock.mockReset();
  refresh.mockReset();
  vi.stubGlobal("fetch", fetchMock);
  // Radix measures a radio's size; jsdom lays nothing out.
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const NAME = "Budget (draft) – Ärger.md";
const documentView = (shares: DocumentView["shares"] = []): DocumentView => ({
  id: "doc-1",
  name: NAME,
  sizeBytes: 2048,
  createdAt: "2026-03-01T09:00:00.000Z",
  owner: null,
  shares,
});

const answer = (status: number, body: unknown) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
/** The `with` of each request the dialog sent. */
const sent = () => fetchMock.mock.calls.map(([, init]) => `${init?.method} ${JSON.parse(String(init?.body)).with}`);

function open(canPublish = true, shares: DocumentView["shares"] = []) {
  render(<ShareDialog document={documentView(shares)} canPublish={canPublish} />);
  fireEvent.click(screen.getByRole("button", { name: `Share ${NAME}` }));
  return screen.getByRole("dialog", { name: `Share ${NAME}` });
}

describe("the share picker", () => {
  it("offers a person, a group or everyone signed in, a person first", () => {
    const dialog = open();
    const choices = within(dialog).getByRole("radiogroup", { name: "Share with" });
    expect(within(choices).getAllByRole("radio").map((radio) => (radio as HTMLButtonElement).labels[0]?.textContent)).toEqual(["A person", "A group", "Everyone signed in"]);
    expect(within(choices).getByRole("radio", { name: "A person" }).getAttribute("aria-checked")).toBe("true");
    expect(within(choices).getByRole("radio", { name: "A group" }).hasAttribute("disabled")).toBe(false);
    expect(within(dialog).getByRole("textbox", { name: "Email address" })).toBeTruthy();
  });

  it("points at a bad address before sending anything, and keeps what was typed", async () => {
    const dialog = open();
    const email = within(dialog).getByRole("textbox", { name: "Email address" });
    fireEvent.change(email, { target: { value: "Zoë.O'Brien+docs@example.com" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Share" }));
    expect(within(dialog).getByRole("alert").textContent).toBe("Enter an email address like name@example.com. Letters such as “ë” cannot be used in it.");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(email.getAttribute("aria-describedby")).toBe(within(dialog).getByRole("alert").id);
    expect((email as HTMLInputElement).value).toBe("Zoë.O'Brien+docs@example.com");
    expect(document.activeElement).toBe(email);
    expect(fetchMock).not.toHaveBeenCalled();
    // Typing again clears the complaint.
    fireEvent.change(email, { target: { value: "Zoe.O'Brien+docs@example.com" } });
    expect(within(dialog).queryByRole("alert")).toBeNull();
  });

  it("shares with a person by the trimmed address, says what the server answered, and empties the field", async () => {
    fetchMock.mockResolvedValue(answer(200, { message: "If a verified account uses that address, it now has access." }));
    const dialog = open();
    const email = within(dialog).getByRole("textbox", { name: "Email address" });
    fireEvent.change(email, { target: { value: " Zoe.O'Brien+docs@example.com " } });
    fireEvent.submit(email);
    await waitFor(() => expect(within(dialog).getByRole("status").textContent).toBe("If a verified account uses that address, it now has access."));
    expect(sent()).toEqual(["POST Zoe.O'Brien+docs@example.com"]);
    expect((email as HTMLInputElement).value).toBe("");
    expect(refresh).toHaveBeenCalled();
  });

  it("shares with a group as group:<name>; an empty name is refused first", async () => {
    fetchMock.mockResolvedValue(answer(200, { message: "Members of group finance can now read it." }));
    const dialog = open();
    fireEvent.click(within(dialog).getByRole("radio", { name: "A group" }));
    const group = within(dialog).getByRole("textbox", { name: "Group name" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Share" }));
    expect(within(dialog).getByRole("alert").textContent).toBe("Enter the group’s name.");
    fireEvent.change(group, { target: { value: "finance" } });
    fireEvent.submit(group);
    await waitFor(() => expect(within(dialog).getByRole("status").textContent).toBe("Members of group finance can now read it."));
    expect(sent()).toEqual(["POST group:finance"]);
  });

  it("shows the server's refusal in the dialog and keeps the typed value", async () => {
    fetchMock.mockResolvedValue(
      answer(503, { error: { code: "unavailable", message: "A service needed for sharing is not answering, so nothing changed. Try again." } }),
    );
    const dialog = open();
    const email = within(dialog).getByRole("textbox", { name: "Email address" });
    fireEvent.change(email, { target: { value: "bob@example.com" } });
    fireEvent.submit(email);
    await waitFor(() => expect(within(dialog).getByRole("alert").textContent).toContain("nothing changed"));
    expect((email as HTMLInputElement).value).toBe("bob@example.com");
    expect(refresh).not.toHaveBeenCalled();
  });

  it("keeps what was typed for a person while a group is picked, and back", () => {
    const dialog = open();
    fireEvent.change(within(dialog).getByRole("textbox", { name: "Email address" }), { target: { value: "carol@example.com" } });
    fireEvent.click(within(dialog).getByRole("radio", { name: "A group" }));
    fireEvent.change(within(dialog).getByRole("textbox", { name: "Group name" }), { target: { value: "team-eu" } });
    fireEvent.click(within(dialog).getByRole("radio", { name: "A person" }));
    expect((within(dialog).getByRole("textbox", { name: "Email address" }) as HTMLInputElement).value).toBe("carol@example.com");
  });

  it("makes it public only once confirmed, saying who will be able to read it", async () => {
    fetchMock.mockResolvedValue(answer(200, { message: "Everyone signed in can now read it." }));
    const dialog = open();
    fireEvent.click(within(dialog).getByRole("radio", { name: "Everyone signed in" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Make public" }));
    let confirm = screen.getByRole("alertdialog", { name: "Make this document public?" });
    expect(confirm.textContent).toContain(`Everyone who signs in to Delegate will be able to read and download “${NAME}”`);
    fireEvent.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(fetchMock).not.toHaveBeenCalled();

    fireEvent.click(within(dialog).getByRole("button", { name: "Make public" }));
    confirm = screen.getByRole("alertdialog", { name: "Make this document public?" });
    fireEvent.click(within(confirm).getByRole("button", { name: "Make public" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(sent()).toEqual(["POST everyone"]);
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole("radio", { name: "Everyone signed in" })));
  });

  it("with an unverified email, a group and everyone cannot be picked, and the dialog says why", () => {
    const dialog = open(false);
    for (const name of ["A group", "Everyone signed in"]) {
      const radio = within(dialog).getByRole("radio", { name });
      expect(radio.hasAttribute("disabled")).toBe(true);
      expect(document.getElementById(radio.getAttribute("aria-describedby")!)?.textContent).toMatch(/^Your email address is not verified/);
    }
    expect(within(dialog).getByRole("radio", { name: "A person" }).hasAttribute("disabled")).toBe(false);
  });

  it("lists whom it is shared with by name and unshares by the opaque reference", async () => {
    fetchMock.mockResolvedValue(answer(204, null));
    const dialog = open(true, [
      { kind: "everyone", label: "Everyone signed in", reference: "everyone" },
      { kind: "person", label: "Zoë O’Brien (zoe@example.com)", reference: "user:opaque-1" },
    ]);
    const list = within(dialog).getByRole("list", { name: "Shared with" });
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Everyone signed inUnshare",
      "Zoë O’Brien (zoe@example.com)Unshare",
    ]);
    fireEvent.click(within(list).getByRole("button", { name: "Unshare with Everyone signed in" }));
    await waitFor(() => expect(within(dialog).getByRole("status").textContent).toBe("No longer shared with Everyone signed in."));
    expect(sent()).toEqual(["DELETE everyone"]);
    // Its row leaves with the refresh; the keyboard goes on to the next one.
    expect(document.activeElement).toBe(within(list).getByRole("button", { name: "Unshare with Zoë O’Brien (zoe@example.com)" }));
  });
});
