"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ApiError, fetchOrThrow } from "@/lib/errors";
import { documentLabel, type DocumentView, type ShareAnswer } from "@/lib/rag/document-view";
import { formatBytes } from "@/lib/rag/limits";

/** Runs a change, refreshes the list, and reports the server's answer (or its error) next to the document. */
type Act = (change: () => Promise<string | null>) => Promise<boolean>;

export function DocumentList({ documents, canPublish }: { documents: DocumentView[]; canPublish: boolean }) {
  if (documents.length === 0) return <p className="mt-6 text-zinc-600">No documents yet.</p>;
  return (
    <ul className="mt-6 space-y-3">
      {documents.map((document) => (
        <DocumentItem key={document.id} document={document} canPublish={canPublish} />
      ))}
    </ul>
  );
}

function DocumentItem({ document, canPublish }: { document: DocumentView; canPublish: boolean }) {
  const router = useRouter();
  const [sharing, setSharing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: "error" | "done"; text: string } | null>(null);
  const label = documentLabel(document);
  const isPublic = document.shares.some((share) => share.kind === "everyone");

  const act: Act = async (change) => {
    setOutcome(null);
    setBusy(true);
    try {
      const answer = await change();
      if (answer) setOutcome({ kind: "done", text: answer });
      router.refresh();
      return true;
    } catch (e) {
      setOutcome({ kind: "error", text: e instanceof ApiError ? e.message : "Something went wrong. Try again." });
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <li aria-label={label} className="rounded-lg border border-zinc-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <h2 className="font-medium break-words">{document.name}</h2>
          <p className="text-sm break-words text-zinc-600">
            {document.owner ? `Shared with you by ${document.owner}` : "Yours"} · {formatBytes(document.sizeBytes)}
            {isPublic ? " · Public" : ""}
          </p>
        </div>
        <div className="flex flex-wrap gap-2 text-sm">
          <a href={`/api/documents/${document.id}`} className="rounded-md border border-zinc-300 px-3 py-1.5" aria-label={`Download ${label}`}>
            Download
          </a>
          {/* Sharing and deleting are the owner's; the server checks again either way. */}
          {document.owner === null && (
            <>
              <button type="button" onClick={() => setSharing((open) => !open)} className="rounded-md border border-zinc-300 px-3 py-1.5" aria-expanded={sharing}>
                Share
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(async () => (await fetchOrThrow(`/api/documents/${document.id}`, { method: "DELETE" }), null))}
                className="rounded-md border border-red-300 px-3 py-1.5 text-red-800 disabled:opacity-60"
              >
                Delete
              </button>
            </>
          )}
        </div>
      </div>
      {sharing && <ShareDialog document={document} canPublish={canPublish} busy={busy} act={act} />}
      {outcome && (
        <p role={outcome.kind === "error" ? "alert" : "status"} className={`mt-2 text-sm ${outcome.kind === "error" ? "text-red-700" : "text-green-800"}`}>
          {outcome.text}
        </p>
      )}
    </li>
  );
}

function ShareDialog({ document, canPublish, busy, act }: { document: DocumentView; canPublish: boolean; busy: boolean; act: Act }) {
  const inputId = useId();
  const publishNoteId = useId();
  const [target, setTarget] = useState("");
  const call = async (method: "POST" | "DELETE", who: string) => {
    const response = await fetchOrThrow(`/api/documents/${document.id}/shares`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ with: who }),
    });
    return method === "POST" ? ((await response.json()) as ShareAnswer).message : null;
  };
  const isPublic = document.shares.some((share) => share.kind === "everyone");
  return (
    <div role="group" aria-label={`Share ${documentLabel(document)}`} className="mt-3 border-t border-zinc-200 pt-3">
      <form
        className="flex flex-wrap gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          const who = target.trim();
          if (who) void act(() => call("POST", who)).then((done) => done && setTarget(""));
        }}
      >
        <label htmlFor={inputId} className="sr-only">
          Share with
        </label>
        <input
          id={inputId}
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          placeholder={canPublish ? "Email, group:finance, or everyone" : "Email address"}
          className="min-w-0 flex-1 rounded-md border border-zinc-300 px-3 py-1.5 text-sm"
        />
        <button type="submit" disabled={busy} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60">
          {busy ? "Sharing…" : "Share"}
        </button>
      </form>
      {isPublic ? (
        <button type="button" disabled={busy} onClick={() => void act(() => call("DELETE", "everyone"))} className="mt-2 text-sm text-indigo-700 underline">
          Make private
        </button>
      ) : (
        <button
          type="button"
          disabled={busy || !canPublish}
          aria-describedby={canPublish ? undefined : publishNoteId}
          onClick={() => void act(() => call("POST", "everyone"))}
          className="mt-2 text-sm text-indigo-700 underline disabled:cursor-not-allowed disabled:text-zinc-400 disabled:no-underline"
        >
          Make public to everyone signed in
        </button>
      )}
      {!canPublish && (
        <p id={publishNoteId} className="mt-1 text-sm text-zinc-600">
          Your email address is not verified, so you can share with people by email but not with everyone or a group. Verify your
          email, then sign in again.
        </p>
      )}
      {document.shares.length > 0 && (
        <ul className="mt-2 space-y-1 text-sm" aria-label="Shared with">
          {document.shares.map((share) => (
            <li key={share.reference} className="flex items-center justify-between gap-2">
              <span className="min-w-0 break-words">{share.label}</span>
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(() => call("DELETE", share.reference))}
                className="text-red-700 underline"
                aria-label={`Unshare with ${share.label}`}
              >
                Unshare
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
