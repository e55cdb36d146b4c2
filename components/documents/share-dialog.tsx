"use client";

import { useId, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { useServerChange } from "@/components/use-server-change";
import { fetchOrThrow } from "@/lib/errors";
import type { DocumentView, ShareAnswer, ShareView } from "@/lib/rag/document-view";
import { shareRequest, type ShareAudience } from "@/lib/rag/share-rules";

type Change = ReturnType<typeof useServerChange>;

/** `with` is what the share route takes: an email, `group:<name>`, `everyone`, or a share's reference. */
async function changeShare(documentId: string, method: "POST" | "DELETE", who: string): Promise<string | null> {
  const response = await fetchOrThrow(`/api/documents/${documentId}/shares`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ with: who }),
  });
  return method === "POST" ? ((await response.json()) as ShareAnswer).message : null;
}

/** The owner's "Share" button and its dialog: whom to add, and whom it is shared with now. */
export function ShareDialog({ document, canPublish }: { document: DocumentView; canPublish: boolean }) {
  const change = useServerChange();
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Share ${document.name}`}>
          Share
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[calc(100dvh-2rem)] overflow-y-auto">
        <DialogTitle className="break-words">Share {document.name}</DialogTitle>
        <DialogDescription>Whoever you share it with can read and download it, and the assistant uses it to answer them.</DialogDescription>
        <SharePicker document={document} canPublish={canPublish} change={change} />
        {change.outcome && <Alert tone={change.outcome.tone}>{change.outcome.text}</Alert>}
        <CurrentShares document={document} change={change} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="secondary">Done</Button>
          </DialogClose>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

const audiences: { value: ShareAudience; label: string }[] = [
  { value: "person", label: "A person" },
  { value: "group", label: "A group" },
  { value: "everyone", label: "Everyone signed in" },
];

const fields = {
  person: { label: "Email address", hint: null },
  group: { label: "Group name", hint: "Letters, digits, hyphens and underscores, like finance or team-eu." },
};

function SharePicker({ document, canPublish, change }: { document: DocumentView; canPublish: boolean; change: Change }) {
  const id = useId();
  const [audience, setAudience] = useState<ShareAudience>("person");
  // One value per kind of field, so switching between them loses nothing typed.
  const [typed, setTyped] = useState({ person: "", group: "" });
  const [problem, setProblem] = useState<string | null>(null);
  const fieldRef = useRef<HTMLInputElement>(null);
  const everyoneRef = useRef<HTMLButtonElement>(null);
  const published = useRef(false);
  const isPublic = document.shares.some((share) => share.kind === "everyone");
  const ids = { legend: `${id}-legend`, note: `${id}-note`, field: `${id}-field`, hint: `${id}-hint`, problem: `${id}-problem` };

  async function share(event: React.FormEvent) {
    event.preventDefault();
    if (audience === "everyone") return;
    const request = shareRequest(audience, typed[audience]);
    if ("problem" in request) {
      setProblem(request.problem);
      fieldRef.current?.focus();
      return;
    }
    if (await change.run(() => changeShare(document.id, "POST", request.with))) setTyped((values) => ({ ...values, [audience]: "" }));
  }

  return (
    <form noValidate onSubmit={(event) => void share(event)} className="grid gap-4">
      <div className="grid gap-2">
        <p id={ids.legend} className="text-sm font-medium">
          Share with
        </p>
        <RadioGroup
          aria-labelledby={ids.legend}
          value={audience}
          onValueChange={(value) => {
            setAudience(value as ShareAudience);
            setProblem(null);
          }}
        >
          {audiences.map(({ value, label }) => {
            // Publishing reaches people the owner does not name, so the server allows it only to verified emails.
            const locked = value !== "person" && !canPublish;
            return (
              <div key={value} className="flex items-center gap-2">
                <RadioGroupItem
                  id={`${id}-${value}`}
                  value={value}
                  disabled={locked}
                  aria-describedby={locked ? ids.note : undefined}
                  ref={value === "everyone" ? everyoneRef : undefined}
                />
                <Label htmlFor={`${id}-${value}`} className={locked ? "cursor-not-allowed font-normal text-zinc-600" : "cursor-pointer font-normal"}>
                  {label}
                </Label>
              </div>
            );
          })}
        </RadioGroup>
        {!canPublish && (
          <p id={ids.note} className="text-sm text-zinc-600">
            Your email address is not verified, so you can share with people by email but not with a group or everyone signed in.
            Verify your email, then sign in again.
          </p>
        )}
      </div>

      {audience === "everyone" ? (
        isPublic ? (
          <p className="text-sm text-zinc-700">Everyone signed in can already read it. To stop that, unshare “Everyone signed in” below.</p>
        ) : (
          <div className="grid gap-2">
            <p className="text-sm text-zinc-700">Anyone who signs in to Delegate will be able to find and read it.</p>
            <ConfirmDialog
              trigger={<Button className="justify-self-start">Make public</Button>}
              title="Make this document public?"
              description={`Everyone who signs in to Delegate will be able to read and download “${document.name}”, and the assistant will use it to answer them. You can make it private again here.`}
              confirmLabel="Make public"
              onConfirm={async () => {
                published.current = await change.run(() => changeShare(document.id, "POST", "everyone"));
              }}
              // The button gives way to "already public"; the choice it came from stays.
              focusAfterConfirm={() => (published.current ? everyoneRef.current : null)}
            />
          </div>
        )
      ) : (
        <div className="grid gap-1.5">
          <Label htmlFor={ids.field}>{fields[audience].label}</Label>
          <div className="flex flex-wrap gap-2">
            <Input
              ref={fieldRef}
              id={ids.field}
              inputMode={audience === "person" ? "email" : "text"}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              value={typed[audience]}
              onChange={(event) => {
                const value = event.target.value;
                setTyped((values) => ({ ...values, [audience]: value }));
                setProblem(null);
              }}
              aria-invalid={problem ? true : undefined}
              aria-describedby={[fields[audience].hint && ids.hint, problem && ids.problem].filter(Boolean).join(" ") || undefined}
              className="min-w-0 flex-1 basis-48"
            />
            <Button type="submit" aria-busy={change.busy}>
              {change.busy ? "Sharing…" : "Share"}
            </Button>
          </div>
          {fields[audience].hint && (
            <p id={ids.hint} className="text-sm text-zinc-600">
              {fields[audience].hint}
            </p>
          )}
          {problem && (
            <p id={ids.problem} role="alert" className="text-sm text-red-700">
              {problem}
            </p>
          )}
        </div>
      )}
    </form>
  );
}

function CurrentShares({ document, change }: { document: DocumentView; change: Change }) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);

  async function unshare(share: ShareView, row: HTMLElement | null) {
    // The row leaves once the page refreshes: focus moves on to the next row's button, or to the heading.
    const next = (row?.nextElementSibling ?? row?.previousElementSibling)?.querySelector("button") ?? headingRef.current;
    if (await change.run(async () => (await changeShare(document.id, "DELETE", share.reference), `No longer shared with ${share.label}.`)))
      next?.focus();
  }

  return (
    <section aria-labelledby={headingId} className="border-t border-zinc-200 pt-3">
      <h3 id={headingId} ref={headingRef} tabIndex={-1} className="text-sm font-medium">
        Shared with
      </h3>
      {document.shares.length === 0 ? (
        <p className="mt-1 text-sm text-zinc-600">No one else yet: only you can read it.</p>
      ) : (
        <ul aria-labelledby={headingId} className="mt-1 divide-y divide-zinc-200">
          {document.shares.map((share) => (
            <li key={share.reference} className="flex items-center justify-between gap-2 py-1">
              <span className="min-w-0 text-sm break-words">{share.label}</span>
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Unshare with ${share.label}`}
                onClick={(event) => void unshare(share, event.currentTarget.closest("li"))}
              >
                Unshare
              </Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
