"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useSyncExternalStore } from "react";
import { Alert } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { Outcome } from "@/components/use-server-change";
import type { ApiErrorBody } from "@/lib/errors";
import { fileTooLargeMessage, formatBytes, MAX_DOCUMENT_BYTES, UPLOAD_LIMITS_TEXT } from "@/lib/rag/limits";

type Upload = { name: string; percent: number; phase: "uploading" | "processing" } | null;

const noSubscription = () => () => {};

/** XMLHttpRequest, not fetch: only it reports upload progress. The server enforces every limit stated here. */
export function UploadDocument({ usedBytes, quotaBytes }: { usedBytes: number; quotaBytes: number }) {
  const router = useRouter();
  const inputId = useId();
  const [upload, setUpload] = useState<Upload>(null);
  const [message, setMessage] = useState<Outcome | null>(null);
  // Before hydration the field has no change handler, so a file chosen then would be dropped without a word.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);

  function send(file: File) {
    setMessage(null);
    if (file.size > MAX_DOCUMENT_BYTES) {
      setMessage({ tone: "error", text: fileTooLargeMessage(file.name) });
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
        setMessage({ tone: "success", text: `${file.name} uploaded.` });
        router.refresh();
      } else {
        const body = (() => {
          try {
            return JSON.parse(request.responseText) as ApiErrorBody;
          } catch {
            return null;
          }
        })();
        setMessage({ tone: "error", text: body?.error.message ?? `Upload failed (HTTP ${request.status}).` });
      }
    };
    request.onerror = () => {
      setUpload(null);
      setMessage({ tone: "error", text: "The upload was interrupted. Try again." });
    };
    setUpload({ name: file.name, percent: 0, phase: "uploading" });
    request.send(form);
  }

  return (
    <Card className="mt-6 border-dashed">
      <CardHeader>
        <Label htmlFor={inputId} className="text-base font-semibold">
          Upload document
        </Label>
        <CardDescription>{UPLOAD_LIMITS_TEXT}</CardDescription>
        <CardDescription>
          You are using {formatBytes(usedBytes)} of your {formatBytes(quotaBytes)} storage.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-2 pb-4">
        <Input
          id={inputId}
          type="file"
          accept=".txt,.md,.markdown,.pdf,text/plain,text/markdown,application/pdf"
          disabled={!hydrated || upload !== null}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            if (file) send(file);
          }}
          className="h-auto cursor-pointer py-1.5 text-zinc-700 file:mr-3 file:cursor-pointer file:rounded-md file:border-0 file:bg-zinc-100 file:px-3 file:py-1 file:text-sm file:font-medium file:text-zinc-900"
        />
        {upload && (
          <div>
            <progress
              aria-label={`Uploading ${upload.name}`}
              value={upload.phase === "processing" ? undefined : upload.percent}
              max={100}
              className="h-2 w-full accent-indigo-600"
            />
            <p role="status" className="text-sm break-words text-zinc-600">
              {upload.phase === "uploading" ? `Uploading ${upload.name}… ${upload.percent}%` : `Reading and indexing ${upload.name}…`}
            </p>
          </div>
        )}
        {message && <Alert tone={message.tone}>{message.text}</Alert>}
      </CardContent>
    </Card>
  );
}
