"use client";

import "highlight.js/styles/github-dark.css";
import { useEffect, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";

type CopyState = "idle" | "copied" | "failed";
const copyLabels: Record<CopyState, string> = { idle: "Copy code", copied: "Copied", failed: "Could not copy" };

/**
 * A fenced code block: its language, the highlighted code (rehype-highlight's classes, styled by highlight.js's
 * stylesheet — no inline styles, which the nonce-only style-src would refuse) and a button that copies the code as
 * written. The code scrolls sideways inside its own focusable box (the <pre>, not highlight.js's <code>), never the page.
 */
export function CodeBlock({ language, code, children }: { language: string | null; code: string; children: ReactNode }) {
  const [copyState, setCopyState] = useState<CopyState>("idle");
  useEffect(() => {
    if (copyState === "idle") return;
    const timer = window.setTimeout(() => setCopyState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [copyState]);
  const copy = () =>
    navigator.clipboard.writeText(code).then(
      () => setCopyState("copied"),
      () => setCopyState("failed"),
    );
  return (
    // GitHub's dark colours, fixed: the code sits on the same dark panel in both themes, so its text colours must not
    // follow the theme's palette (which inverts zinc).
    <div role="group" aria-label={language ? `Code (${language})` : "Code"} className="not-prose my-3 overflow-hidden rounded-lg bg-[#0d1117] text-sm text-[#e6edf3]">
      <div className="flex items-center justify-between gap-2 border-b border-[#30363d] px-3 py-1 text-xs text-[#c9d1d9]">
        <span>{language ?? "code"}</span>
        <Button variant="ghost" size="sm" onClick={copy} className="h-7 px-2 text-xs text-[#e6edf3] hover:bg-[#30363d] hover:text-white focus-visible:outline-[#c9d1d9]">
          {copyLabels[copyState]}
        </Button>
      </div>
      <pre tabIndex={0} className="overflow-x-auto p-3 font-mono leading-relaxed [&>code]:overflow-visible! [&>code]:bg-transparent! [&>code]:p-0!">
        {children}
      </pre>
    </div>
  );
}
