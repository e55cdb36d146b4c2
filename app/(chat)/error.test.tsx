// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import PageError from "./error";

afterEach(cleanup);

it("says the page failed and renders it again on “Try again”", () => {
  const retry = vi.fn();
  render(<PageError error={new Error("database unreachable")} retry={retry} />);
  expect(screen.getByRole("heading", { name: "Something went wrong" })).toBeTruthy();
  // The cause stays in the server's log; the page does not show internals.
  expect(document.body.textContent).not.toContain("database unreachable");
  fireEvent.click(screen.getByRole("button", { name: "Try again" }));
  expect(retry).toHaveBeenCalledTimes(1);
});
