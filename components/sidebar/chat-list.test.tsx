// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatList } from "./chat-list";

// The sidebar's chat list against a stand-in for /api/chats that answers as the real routes do.
vi.mock("next/navigation", () => ({ usePathname: () => "/", useRouter: () => ({ push: vi.fn() }) }));
vi.mock("next/link", () => ({ default: ({ href, ...props }: { href: string }) => <a href={href} {...props} /> }));

const UNTIDY = "Trip to Zürich (Q3) — 1,250.50 € budget";

let chats: { id: string; title: string }[];
let requests: { method: string; url: string; body?: unknown }[];

beforeEach(() => {
  // Radix positions the menu with these, which jsdom does not have.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  chats = [
    { id: "c1", title: "Who am I?" },
    { id: "c2", title: "Buy 2 Acme Widgets" },
    { id: "c3", title: "Vacation days (2026)" },
  ];
  requests = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    requests.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    if (method === "GET") return Response.json({ chats });
    const id = url.split("/").at(-1);
    if (method === "DELETE") {
      chats = chats.filter((chat) => chat.id !== id);
      return new Response(null, { status: 204 });
    }
    const title = String((JSON.parse(String(init.body)) as { title: string }).title).trim();
    if (!title) return Response.json({ error: { code: "bad_request", message: "Enter a name for the chat." } }, { status: 400 });
    chats = chats.map((chat) => (chat.id === id ? { ...chat, title } : chat));
    return Response.json({ id, title });
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function openMenu(title: string) {
  const trigger = await screen.findByRole("button", { name: `Options for chat “${title}”` });
  fireEvent.keyDown(trigger, { key: "Enter" });
  return { trigger, menu: await screen.findByRole("menu") };
}

describe("a chat's menu", () => {
  it("renames: the name prefilled, the server's refusal shown with the text kept, Enter saves, focus back on the menu", async () => {
    render(<ChatList />);
    const { trigger, menu } = await openMenu("Buy 2 Acme Widgets");
    fireEvent.click(within(menu).getByRole("menuitem", { name: "Rename" }));
    const dialog = await screen.findByRole("dialog", { name: "Rename chat" });
    const field = within(dialog).getByLabelText("Chat name");
    expect(field).toHaveProperty("value", "Buy 2 Acme Widgets");

    fireEvent.change(field, { target: { value: "   " } });
    fireEvent.submit(field);
    expect((await within(dialog).findByRole("alert")).textContent).toBe("Enter a name for the chat.");
    expect(field).toHaveProperty("value", "   ");
    expect(field.getAttribute("aria-invalid")).toBe("true");

    fireEvent.change(field, { target: { value: `  ${UNTIDY}` } });
    fireEvent.submit(field);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(requests.filter((request) => request.method === "PATCH").map((request) => [request.url, request.body])).toEqual([
      ["/api/chats/c2", { title: "   " }],
      ["/api/chats/c2", { title: `  ${UNTIDY}` }],
    ]);
    expect(screen.getByRole("link", { name: UNTIDY })).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(trigger));
    expect(trigger.getAttribute("aria-label")).toBe(`Options for chat “${UNTIDY}”`);
  });

  it("Cancel leaves the name as it was", async () => {
    render(<ChatList />);
    const { trigger, menu } = await openMenu("Who am I?");
    fireEvent.click(within(menu).getByRole("menuitem", { name: "Rename" }));
    const dialog = await screen.findByRole("dialog", { name: "Rename chat" });
    fireEvent.change(within(dialog).getByLabelText("Chat name"), { target: { value: "Something else" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(requests.some((request) => request.method === "PATCH")).toBe(false);
    expect(screen.getByRole("link", { name: "Who am I?" })).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(trigger));
  });

  it("deletes only once confirmed, then focus moves to the chat that took its place", async () => {
    render(<ChatList />);
    const first = await openMenu("Buy 2 Acme Widgets");
    fireEvent.click(within(first.menu).getByRole("menuitem", { name: "Delete" }));
    fireEvent.keyDown(await screen.findByRole("alertdialog", { name: "Delete this chat?" }), { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(first.trigger));
    expect(requests.some((request) => request.method === "DELETE")).toBe(false);

    const { menu } = await openMenu("Buy 2 Acme Widgets");
    fireEvent.click(within(menu).getByRole("menuitem", { name: "Delete" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Delete this chat?" });
    expect(confirm.textContent).toContain("“Buy 2 Acme Widgets” and its messages will be deleted.");

    await act(async () => fireEvent.click(within(confirm).getByRole("button", { name: "Delete chat" })));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(requests.filter((request) => request.method === "DELETE").map((request) => request.url)).toEqual(["/api/chats/c2"]);
    expect(screen.queryByRole("link", { name: "Buy 2 Acme Widgets" })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("link", { name: "Vacation days (2026)" })));
  });
});
