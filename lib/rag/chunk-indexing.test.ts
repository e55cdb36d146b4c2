import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const indexChunks = vi.hoisted(() => vi.fn<(limit: number) => Promise<number>>());
vi.mock("@/db/queries/documents", () => ({ indexChunks }));
const logged = vi.hoisted(() => vi.fn());
vi.mock("@/lib/log", () => ({ logError: logged }));

const { indexLeftoverChunks, indexPendingChunks } = await import("./chunk-indexing");

/** indexChunks answers with these counts, one call each, then 0. */
function answers(...counts: number[]) {
  indexChunks.mockImplementation(async () => counts.shift() ?? 0);
}

beforeEach(() => indexChunks.mockReset());
afterEach(() => vi.useRealTimers());

describe("indexPendingChunks: the background pass that adds uploaded chunks to the HNSW index", () => {
  it("adds rows a statement at a time until none is left", async () => {
    answers(10, 10, 3, 0);
    await indexPendingChunks();
    expect(indexChunks.mock.calls).toEqual([[10], [10], [10], [10]]);
  });

  it("is one pass per instance: a call while it runs joins it, and makes it look again once it has found none", async () => {
    let finishFirst!: (n: number) => void;
    indexChunks.mockImplementationOnce(() => new Promise((resolve) => (finishFirst = resolve))).mockResolvedValue(0);
    const first = indexPendingChunks();
    // An upload stored after the pass's statement began: its rows may not be in what the statement found.
    const second = indexPendingChunks();
    expect(second).toBe(first);
    finishFirst(0);
    await first;
    // The pass's own statement, then one more look for the rows stored meanwhile.
    expect(indexChunks).toHaveBeenCalledTimes(2);
    answers(0);
    await indexPendingChunks();
    expect(indexChunks).toHaveBeenCalledTimes(3);
  });

  it("logs a failure and ends the pass; the next call starts a new one", async () => {
    indexChunks.mockResolvedValueOnce(10).mockRejectedValueOnce(new Error("connection closed"));
    await expect(indexPendingChunks()).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalledWith("documents", "adding chunks to the search index failed", expect.any(Error));
    answers(4, 0);
    await indexPendingChunks();
    expect(indexChunks).toHaveBeenCalledTimes(4);
  });
});

describe("indexLeftoverChunks: what a pass cut short left, picked up by rankings", () => {
  it("starts a pass at most once a minute per instance", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    answers(0);
    indexLeftoverChunks();
    indexLeftoverChunks();
    await vi.waitFor(() => expect(indexChunks).toHaveBeenCalledTimes(1));
    vi.advanceTimersByTime(59_000);
    indexLeftoverChunks();
    vi.advanceTimersByTime(1_001);
    answers(0);
    indexLeftoverChunks();
    await vi.waitFor(() => expect(indexChunks).toHaveBeenCalledTimes(2));
  });
});
