// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import ActivityLoading from "./activity/loading";
import ConnectionsLoading from "./connections/loading";
import DocumentsLoading from "./documents/loading";
import PermissionsLoading from "./permissions/loading";

afterEach(cleanup);

it.each([
  ["Documents", DocumentsLoading],
  ["Connections", ConnectionsLoading],
  ["Activity", ActivityLoading],
  ["Agent permissions", PermissionsLoading],
])("%s shows its heading and says it is loading while its data arrives", (title, Loading) => {
  render(<Loading />);
  expect(screen.getByRole("heading", { level: 1, name: title })).toBeTruthy();
  expect(screen.getByRole("status").textContent).toBe(`Loading ${title.toLowerCase()}…`);
  expect(screen.getByRole("main").getAttribute("aria-busy")).toBe("true");
});

