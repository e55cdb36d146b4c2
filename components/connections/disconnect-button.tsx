"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiError, fetchOrThrow } from "@/lib/errors";

export function DisconnectButton({ accountId, label }: { accountId: string; label: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function disconnect() {
    setBusy(true);
    try {
      await fetchOrThrow(`/api/connections/${encodeURIComponent(accountId)}`, { method: "DELETE" });
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not disconnect.");
      setBusy(false);
    }
  }
  return (
    <div className="text-right">
      <button
        type="button"
        onClick={() => void disconnect()}
        disabled={busy}
        aria-label={`Disconnect ${label}`}
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-50 disabled:opacity-50"
      >
        Disconnect
      </button>
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
