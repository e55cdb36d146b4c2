import { DocumentList, type DocumentView } from "@/components/documents/document-list";
import { UploadDocument } from "@/components/documents/upload-document";
import { getDocumentsByIds } from "@/db/queries/documents";
import { getAgentSession } from "@/lib/auth/session";
import { can, FgaUnavailableError, listShares, listViewableDocuments, subjectRef } from "@/lib/fga/documents";

export default async function DocumentsPage() {
  const session = await getAgentSession();
  if (!session) return null; // the layout shows the landing page
  const sub = session.user.sub;
  let documents: DocumentView[] | null = null;
  try {
    const rows = await getDocumentsByIds(await listViewableDocuments(sub));
    documents = await Promise.all(
      rows.map(async (row) => {
        const owned = await can(sub, "can_share", row.id);
        return {
          id: row.id,
          name: row.name,
          sizeBytes: row.sizeBytes,
          createdAt: row.createdAt.toISOString(),
          owned,
          shares: owned ? (await listShares(row.id)).map((subject) => ({ ref: subjectRef(subject), subject })) : [],
        };
      }),
    );
  } catch (error) {
    if (!(error instanceof FgaUnavailableError)) throw error;
  }

  return (
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-6 py-8">
      <h1 className="text-2xl font-semibold">Documents</h1>
      <p className="mt-1 text-zinc-600">
        Your documents and those shared with you. The assistant searches only what you may read.
      </p>
      <UploadDocument />
      {documents === null ? (
        <p role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          The permission service is not answering, so no documents can be shown. Try again in a moment.
        </p>
      ) : (
        <DocumentList documents={documents} />
      )}
    </main>
  );
}
