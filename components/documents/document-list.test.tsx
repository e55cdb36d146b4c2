// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DocumentView } from "@/lib/rag/document-view";
import { DocumentList } from "./document-list";

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

const view = (id: string, name: string, extra: Partial<DocumentView> = {}): DocumentView => ({
  id,
  name,
  sizeBytes: 1536,
  createdAt: "2026-03-01T09:00:00.000Z",
  owner: null,
  shares: [],
  ...extra,
});

const DOCUMENTS = [
  view("d1", "Zoë’s notes (2026).md", {
    shares: [
      { kind: "everyone", label: "Everyone signed in", reference: "everyone" },
      { kind: "person", label: "Bob Chen (bob@example.com)", reference: "user:opaque" },
    ],
  }),
  view("d2", "Q3 forecast.md", { owner: "Alice Martin (alice@example.com)" }),
];

function renderList() {
  render(
    <main>
      <h1 tabIndex={-1}>Documents</h1>
      <DocumentList documents={DOCUMENTS} canPublish />
    </main>,
  );
}

describe("DocumentList", () => {
  it("says whose each document is and whom it is shared with, by name; only the owner may share or delete", () => {
    renderList();
    const mine = screen.getByRole("listitem", { name: "Zoë’s notes (2026).md" });
    expect(mine.textContent).toContain("Yours · 1.5 KB · Public");
    expect(mine.textContent).toContain("Shared with Bob Chen (bob@example.com)");
    const theirs = screen.getByRole("listitem", { name: "Q3 forecast.md, shared by Alice Martin (alice@example.com)" });
    expect(theirs.textContent).toContain("Shared with you by Alice Martin (alice@example.com)");
    expect(within(theirs).getAllByRole("link").map((link) => link.getAttribute("aria-label"))).toEqual([
      "Download Q3 forecast.md, shared by Alice Martin (alice@example.com)",
    ]);
    expect(within(theirs).queryAllByRole("button")).toEqual([]);
  });

  it("deletes only once confirmed, then moves focus to the next document", async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    renderList();
    const remove = screen.getByRole("button", { name: "Delete Zoë’s notes (2026).md" });
    fireEvent.click(remove);
    let confirm = screen.getByRole("alertdialog", { name: "Delete this document?" });
    expect(confirm.textContent).toContain("“Zoë’s notes (2026).md” will be deleted, for you and for everyone it is shared with.");
    fireEvent.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(document.activeElement).toBe(remove));
    expect(fetchMock).not.toHaveBeenCalled();

    fireEvent.click(remove);
    confirm = screen.getByRole("alertdialog", { name: "Delete this document?" });
    fireEvent.click(within(confirm).getByRole("button", { name: "Delete document" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(fetchMock.mock.calls.map(([url, init]) => `${init?.method} ${String(url)}`)).toEqual(["DELETE /api/documents/d1"]);
    expect(refresh).toHaveBeenCalled();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Q3 forecast.md" })));
  });

  it("when deleting fails, says why next to the document and leaves focus on Delete", async () => {
    fetchMock.mockResolvedValue(Response.json({ error: { code: "forbidden", message: "Only the owner can delete it." } }, { status: 403 }));
    renderList();
    const item = screen.getByRole("listitem", { name: "Zoë’s notes (2026).md" });
    const remove = within(item).getByRole("button", { name: "Delete Zoë’s notes (2026).md" });
    fireEvent.click(remove);
    fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete document" }));
    await waitFor(() => expect(within(item).getByRole("alert").textContent).toBe("Only the owner can delete it."));
    await waitFor(() => expect(document.activeElement).toBe(remove));
  });
});
