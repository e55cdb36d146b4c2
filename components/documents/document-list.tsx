"use client";

import { useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useServerChange } from "@/components/use-server-change";
import { fetchOrThrow } from "@/lib/errors";
import { documentLabel, type DocumentView } from "@/lib/rag/document-view";
import { formatBytes } from "@/lib/rag/limits";
import { ShareDialog } from "./share-dialog";

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
  const { outcome, run } = useServerChange();
  const item = useRef<HTMLLIElement>(null);
  const deleted = useRef(false);
  const label = documentLabel(document);
  const isPublic = document.shares.some((share) => share.kind === "everyone");
  const others = document.shares.filter((share) => share.kind !== "everyone");

  return (
    <li ref={item} aria-label={label}>
      <Card>
        <CardHeader className="flex-row flex-wrap items-start justify-between gap-x-4 gap-y-3 pb-4">
          <div className="min-w-0">
            {/* Focus lands here when the document above this one is deleted. */}
            <CardTitle as="h2" tabIndex={-1} className="break-words">
              {document.name}
            </CardTitle>
            <CardDescription className="break-words">
              {document.owner ? `Shared with you by ${document.owner}` : "Yours"} · {formatBytes(document.sizeBytes)}
              {isPublic && " · Public"}
            </CardDescription>
            {others.length > 0 && (
              <CardDescription className="break-words">Shared with {others.map((share) => share.label).join(", ")}</CardDescription>
            )}
          </div>
          <div className="flex flex-wrap gap-2">
            <Button asChild variant="secondary" size="sm">
              <a href={`/api/documents/${document.id}`} aria-label={`Download ${label}`}>
                Download
              </a>
            </Button>
            {/* Sharing and deleting are the owner's; the server checks again either way. */}
            {document.owner === null && (
              <>
                <ShareDialog document={document} canPublish={canPublish} />
                <ConfirmDialog
                  trigger={
                    <Button variant="secondary" size="sm" aria-label={`Delete ${label}`}>
                      Delete
                    </Button>
                  }
                  title="Delete this document?"
                  description={`“${document.name}” will be deleted, for you and for everyone it is shared with. This cannot be undone.`}
                  confirmLabel="Delete document"
                  onConfirm={async () => {
                    deleted.current = await run(async () => (await fetchOrThrow(`/api/documents/${document.id}`, { method: "DELETE" }), null));
                  }}
                  focusAfterConfirm={() => (deleted.current ? headingAfterRemoving(item.current) : null)}
                />
              </>
            )}
          </div>
        </CardHeader>
        {outcome && (
          <CardContent className="pt-0">
            <Alert tone={outcome.tone}>{outcome.text}</Alert>
          </CardContent>
        )}
      </Card>
    </li>
  );
}

/** Where a keyboard user continues once `item` leaves the list: the next document, else the previous, else the page. */
function headingAfterRemoving(item: HTMLElement | null): HTMLElement | null {
  const neighbour = item?.nextElementSibling ?? item?.previousElementSibling;
  return neighbour?.querySelector<HTMLElement>("h2") ?? item?.ownerDocument.querySelector<HTMLElement>("main h1") ?? null;
}
