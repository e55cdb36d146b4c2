"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { ApiError } from "@/lib/errors";

/** What to tell the person after a change: the server's answer, or why it did not happen. */
export interface Outcome {
  tone: "error" | "success";
  text: string;
}

/**
 * Runs a change against the API, then refreshes the server-rendered page so it shows the new state. `run` resolves
 * to whether the change happened; the outcome holds the answer to show (a change may answer nothing) or the error.
 * A change asked for while another runs is ignored: controls stay enabled (a disabled button would drop the
 * keyboard focus), so a double click must not send twice.
 */
export function useServerChange() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const running = useRef(false);

  async function run(change: () => Promise<string | null>): Promise<boolean> {
    if (running.current) return false;
    running.current = true;
    setOutcome(null);
    setBusy(true);
    try {
      const answer = await change();
      if (answer) setOutcome({ tone: "success", text: answer });
      router.refresh();
      return true;
    } catch (error) {
      setOutcome({ tone: "error", text: describeFailure(error) });
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }

  return { busy, outcome, run };
}

function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  // fetch rejects with a TypeError only when no answer came back at all.
  if (error instanceof TypeError) return "Delegate could not be reached. Check your connection and try again.";
  return "Something went wrong. Try again.";
}
