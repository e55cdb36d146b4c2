"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import type { ApiErrorBody } from "@/lib/errors";
import { fileTooLargeMessage, formatBytes, MAX_DOCUMENT_BYTES, UPLOAD_LIMITS_TEXT } from "@/lib/rag/limits";

type Upload = { name: string; percent: number; phase: "uploading" | "processing" } | null;

/** XMLHttpRequest, not fetch: only it reports upload progress. The server enforces every limit stated here. */
export function UploadDocument({ usedBytes, quotaBytes }: { usedBytes: number; quotaBytes: number }) {
  const router = useRouter();
  const inputId = useId();
  const [upload, setUpload] = useState<Upload>(null);
  const [message, setMessage] = useState<{ kind: "error" | "done"; text: string } | null>(null);

  function send(file: File) {
    setMessage(null);
    if (file.size > MAX_DOCUMENT_BYTES) {
      setMessage({ kind: "error", text: fileTooLargeMessage(file.name) });
      return;
    }
    const form = new FormData();
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", "/api/documents");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) setUpload({ name: file.name, percent: Math.round((event.loaded / event.total) * 100), phase: "uploading" });
    };
    request.upload.onload = () => setUpload({ name: file.name, percent: 100, phase: "processing" });
    request.onload = () => {
      setUpload(null);
      if (request.status === 201) {
        setMessage({ kind: "done", text: `${file.name} uploaded.` });
        router.refresh();
      } else {
        const body = (() => {
          try {
            return JSON.parse(request.responseText) as ApiErrorBody;
          } catch {
            return null;
          }
        })();
        setMessage({ kind: "error", text: body?.error.message ?? `Upload failed (HTTP ${request.status}).` });
      }
    };
    request.onerror = () => {
      setUpload(null);
      setMessage({ kind: "error", text: "The upload was interrupted. Try again." });
    };
    setUpload({ name: file.name, percent: 0, phase: "uploading" });
    request.send(form);
  }

  return (
    <div className="mt-6 rounded-lg border border-dashed border-zinc-300 bg-white p-4">
      <label htmlFor={inputId} className="block font-medium">
        Upload document
      </label>
      <p className="text-sm text-zinc-600">{UPLOAD_LIMITS_TEXT}</p>
      <p className="text-sm text-zinc-600">
        You are using {formatBytes(usedBytes)} of your {formatBytes(quotaBytes)} storage.
      </p>
      <input
        id={inputId}
        type="file"
        accept=".txt,.md,.markdown,.pdf,text/plain,text/markdown,application/pdf"
        disabled={upload !== null}
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = "";
          if (file) send(file);
        }}
        className="mt-2 max-w-full text-sm"
      />
      {upload && (
        <div className="mt-2">
          <progress
            aria-label={`Uploading ${upload.name}`}
            value={upload.phase === "processing" ? undefined : upload.percent}
            max={100}
            className="w-full"
          />
          <p role="status" className="text-sm text-zinc-600">
            {upload.phase === "uploading" ? `Uploading ${upload.name}… ${upload.percent}%` : `Reading and indexing ${upload.name}…`}
          </p>
        </div>
      )}
      {message && (
        <p role={message.kind === "error" ? "alert" : "status"} className={`mt-2 text-sm ${message.kind === "error" ? "text-red-700" : "text-green-800"}`}>
          {message.text}
        </p>
      )}
    </div>
  );
}
