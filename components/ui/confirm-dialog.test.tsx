// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Button } from "./button";
import { ConfirmDialog } from "./confirm-dialog";

afterEach(cleanup);

function renderDialog(onConfirm: () => void | Promise<void>, focusAfterConfirm?: () => HTMLElement | null) {
  render(
    <ConfirmDialog
      focusAfterConfirm={focusAfterConfirm}
      trigger={<Button>Delete chat “Trip to Lisbon”</Button>}
      title="Delete this chat?"
      description="“Trip to Lisbon” and its messages will be deleted."
      confirmLabel="Delete chat"
      onConfirm={onConfirm}
    />,
  );
  return screen.getByRole("button", { name: "Delete chat “Trip to Lisbon”" });
}

describe("ConfirmDialog", () => {
  it("asks first, with Cancel focused, and runs the action only once confirmed", async () => {
    const onConfirm = vi.fn();
    const trigger = renderDialog(onConfirm);
    fireEvent.click(trigger);
    const dialog = screen.getByRole("alertdialog", { name: "Delete this chat?" });
    expect(dialog.textContent).toContain("“Trip to Lisbon” and its messages will be deleted.");
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Cancel" })));
    expect(onConfirm).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole("button", { name: "Delete chat" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it("Esc and Cancel close it without running the action, and focus returns to the trigger", async () => {
    const onConfirm = vi.fn();
    const trigger = renderDialog(onConfirm);
    fireEvent.click(trigger);
    fireEvent.keyDown(screen.getByRole("alertdialog"), { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(trigger));

    fireEvent.click(trigger);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("stays open with its buttons disabled until a slow action settles", async () => {
    let finish!: () => void;
    const onConfirm = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    fireEvent.click(renderDialog(onConfirm));
    fireEvent.click(screen.getByRole("button", { name: "Delete chat" }));
    expect(screen.getByRole("alertdialog")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Delete chat" }).hasAttribute("disabled")).toBe(true);
    // Esc does not dismiss it mid-way: the outcome would go unseen.
    fireEvent.keyDown(screen.getByRole("alertdialog"), { key: "Escape" });
    expect(screen.getByRole("alertdialog")).toBeTruthy();
    await act(async () => finish());
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it("after the action, focus goes where focusAfterConfirm says (the trigger may be on its way out); after Cancel, to the trigger", async () => {
    const heading = document.createElement("h2");
    heading.tabIndex = -1;
    document.body.append(heading);
    try {
      const trigger = renderDialog(() => {}, () => heading);
      fireEvent.click(trigger);
      fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
      await waitFor(() => expect(document.activeElement).toBe(trigger));

      fireEvent.click(trigger);
      fireEvent.click(screen.getByRole("button", { name: "Delete chat" }));
      await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
      await waitFor(() => expect(document.activeElement).toBe(heading));
    } finally {
      heading.remove();
    }
  });
});
