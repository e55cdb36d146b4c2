"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { useServerChange } from "@/components/use-server-change";
import { fetchOrThrow } from "@/lib/errors";

/** The body of `PUT /api/permissions/<tool>` (app/(chat)/api/permissions/[tool]/route.ts). */
export type PermissionChange = { for: "me"; choice: "on" | "off" | "default" } | { for: "everyone"; on: boolean };

export async function changePermission(tool: string, change: PermissionChange) {
  await fetchOrThrow(`/api/permissions/${encodeURIComponent(tool)}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(change),
  });
}

/**
 * A switch that saves itself: it shows the new position while saving, goes back and says why if the server refuses,
 * and refreshes the page's state from the server once saved.
 */
export function SavingSwitch({ label, checked, save }: { label: string; checked: boolean; save: (on: boolean) => Promise<void> }) {
  const { outcome, run } = useServerChange();
  const [pending, setPending] = useState<boolean | null>(null);
  async function change(on: boolean) {
    setPending(on);
    await run(async () => (await save(on), null));
    setPending(null);
  }
  const shown = pending ?? checked;
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex items-center gap-2">
        <span aria-hidden="true" className="w-7 text-right text-sm text-zinc-600">
          {shown ? "On" : "Off"}
        </span>
        <Switch aria-label={label} checked={shown} disabled={pending !== null} onCheckedChange={(on) => void change(on)} />
      </div>
      {outcome?.tone === "error" && (
        <p role="alert" className="max-w-xs text-right text-sm text-red-700">
          {outcome.text}
        </p>
      )}
    </div>
  );
}

/**
 * The user's own switch. Moving it to where the default already is clears their choice rather than pinning it, so they
 * follow the administrators' later changes unless they chose otherwise.
 */
export function MyToolSwitch({ tool, title, usable, onByDefault }: { tool: string; title: string; usable: boolean; onByDefault: boolean }) {
  return <SavingSwitch label={title} checked={usable} save={(on) => changePermission(tool, { for: "me", choice: on === onByDefault ? "default" : on ? "on" : "off" })} />;
}

export function DefaultToolSwitch({ tool, title, onByDefault }: { tool: string; title: string; onByDefault: boolean }) {
  return <SavingSwitch label={`${title} for everyone`} checked={onByDefault} save={(on) => changePermission(tool, { for: "everyone", on })} />;
}

export function UseDefaultButton({ tool, title }: { tool: string; title: string }) {
  const { outcome, run } = useServerChange();
  return (
    <>
      <Button
        variant="link"
        size="inline"
        onClick={() => void run(async () => (await changePermission(tool, { for: "me", choice: "default" }), null))}
        aria-label={`Use the default for ${title}`}
      >
        Use the default
      </Button>
      {outcome?.tone === "error" && (
        <span role="alert" className="ml-2 text-red-700">
          {outcome.text}
        </span>
      )}
    </>
  );
}
