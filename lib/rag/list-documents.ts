import "server-only";
import { getDocumentsByIds } from "@/db/queries/documents";
import { getPeople, type Person } from "@/db/queries/people";
import { listPermittedDocuments, listSharesOfEach, listViewableDocuments, subjectRef, type ShareSubject } from "@/lib/fga/documents";
import type { DocumentView, ShareView } from "./document-view";

/**
 * The documents the user may view, newest first, with their owners and (for those the user may share) their shares.
 * Two streamed lists from FGA, whatever the number of documents, then a read of each shareable one's viewers.
 */
export async function listDocuments(userSub: string): Promise<DocumentView[]> {
  const [viewable, shareable] = await Promise.all([listViewableDocuments(userSub), listPermittedDocuments(userSub, "can_share")]);
  const rows = await getDocumentsByIds(viewable);
  const mayShare = new Set(shareable);
  const shares = await listSharesOfEach(rows.flatMap((row) => (mayShare.has(row.id) ? [row.id] : [])));
  const subs = [...rows.map((row) => row.ownerId), ...[...shares.values()].flat().flatMap((s) => (s.type === "user" ? [s.sub] : []))];
  const people = await getPeople(subs);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    sizeBytes: row.sizeBytes,
    createdAt: row.createdAt.toISOString(),
    owner: shares.has(row.id) ? null : personLabel(people.get(row.ownerId)),
    shares: (shares.get(row.id) ?? []).map((subject) => shareView(subject, people)),
  }));
}

function shareView(subject: ShareSubject, people: Map<string, Person>): ShareView {
  const reference = subject.type === "user" ? subjectRef(subject) : subject.type === "group" ? `group:${subject.name}` : "everyone";
  if (subject.type === "everyone") return { kind: "everyone", label: "Everyone signed in", reference };
  if (subject.type === "group") return { kind: "group", label: `Group ${subject.name}`, reference };
  return { kind: "person", label: personLabel(people.get(subject.sub)), reference };
}

/** "Name (email)"; someone the app has no record of is not shown by id. */
function personLabel(person: Person | undefined): string {
  if (!person) return "Someone (no longer known)";
  if (!person.email || person.email === person.name) return person.email ?? person.name;
  return `${person.name} (${person.email})`;
}
