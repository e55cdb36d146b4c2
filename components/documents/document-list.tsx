"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ApiError, fetchOrThrow } from "@/lib/errors";
import type { ShareSubject } from "@/lib/fga/documents";

export interface DocumentView {
  id: string;
  name: string;
  sizeBytes: number;
  createdAt: string;
  owned: boolean;
  shares: { ref: string; subject: ShareSubject }[];
}

function describe(subject: ShareSubject): { label: string; input: string } {
  if (subject.type === "everyone") return { label: "Everyone signed in", input: "everyone" };
  if (subject.type === "group") return { label: `Group ${subject.name}`, input: `group:${subject.name}` };
  return { label: subject.sub, input: `user:${subject.sub}` };
}

export function DocumentList({ documents }: { documents: DocumentView[] }) {
  if (documents.length === 0) return <p className="mt-6 text-zinc-600">No documents yet.</p>;
  return (
    <ul className="mt-6 space-y-3">
      {documents.map((document) => (
        <DocumentItem key={document.id} document={document} />
      ))}
    </ul>
  );
}

function DocumentItem({ document }: { document: DocumentView }) {
  const router = useRouter();
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isPublic = document.shares.some((s) => s.subject.type === "everyone");

  async function act(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Something went wrong. Try again.");
    }
  }

  return (
    <li aria-label={document.name} className="rounded-lg border border-zinc-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 className="font-medium">{document.name}</h2>
          <p className="text-sm text-zinc-600">
            {document.owned ? "Yours" : "Shared with you"} · {(document.sizeBytes / 1024).toFixed(1)} KB
            {isPublic ? " · Public" : ""}
          </p>
        </div>
        <div className="flex gap-2 text-sm">
          <a href={`/api/documents/${document.id}`} className="rounded-md border border-zinc-300 px-3 py-1.5" aria-label={`Download ${document.name}`}>
            Download
          </a>
          {/* Sharing and deleting are the owner's; the server checks again either way. */}
          {document.owned && (
            <>
              <button type="button" onClick={() => setSharing((open) => !open)} className="rounded-md border border-zinc-300 px-3 py-1.5" aria-expanded={sharing}>
                Share
              </button>
              <button
                type="button"
                onClick={() => void act(() => fetchOrThrow(`/api/documents/${document.id}`, { method: "DELETE" }))}
                className="rounded-md border border-red-300 px-3 py-1.5 text-red-800"
              >
                Delete
              </button>
            </>
          )}
        </div>
      </div>
      {sharing && <ShareDialog document={document} onChange={act} />}
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </li>
  );
}

function ShareDialog({ document, onChange }: { document: DocumentView; onChange: (action: () => Promise<unknown>) => Promise<void> }) {
  const inputId = useId();
  const [target, setTarget] = useState("");
  const call = (method: "POST" | "DELETE", who: string) =>
    fetchOrThrow(`/api/documents/${document.id}/shares`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ with: who }),
    });
  const isPublic = document.shares.some((s) => s.subject.type === "everyone");
  return (
    <div role="group" aria-label={`Share ${document.name}`} className="mt-3 border-t border-zinc-200 pt-3">
      <form
        className="flex gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (target.trim()) void onChange(() => call("POST", target.trim())).then(() => setTarget(""));
        }}
      >
        <label htmlFor={inputId} className="sr-only">
          Share with
        </label>
        <input
          id={inputId}
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          placeholder="Email, group:finance, or everyone"
          className="flex-1 rounded-md border border-zinc-300 px-3 py-1.5 text-sm"
        />
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white">
          Share
        </button>
      </form>
      <button
        type="button"
        onClick={() => void onChange(() => call(isPublic ? "DELETE" : "POST", "everyone"))}
        className="mt-2 text-sm text-indigo-700 underline"
      >
        {isPublic ? "Make private" : "Make public to everyone signed in"}
      </button>
      {document.shares.length > 0 && (
        <ul className="mt-2 space-y-1 text-sm" aria-label="Shared with">
          {document.shares.map(({ ref, subject }) => {
            const { label, input } = describe(subject);
            return (
              <li key={ref} className="flex items-center justify-between">
                <span>{label}</span>
                <button type="button" onClick={() => void onChange(() => call("DELETE", input))} className="text-red-700 underline" aria-label={`Unshare with ${label}`}>
                  Unshare
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
