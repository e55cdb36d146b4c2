import { DocumentList } from "@/components/documents/document-list";
import { UploadDocument } from "@/components/documents/upload-document";
import { Alert } from "@/components/ui/alert";
import { storageUsedBy } from "@/db/queries/documents";
import { getAgentSession } from "@/lib/auth/session";
import { FgaUnavailableError } from "@/lib/fga/documents";
import type { DocumentView } from "@/lib/rag/document-view";
import { storageQuotaBytes } from "@/lib/rag/ingest";
import { listDocuments } from "@/lib/rag/list-documents";

export default async function DocumentsPage() {
  const session = await getAgentSession();
  if (!session) return null; // the layout shows the landing page
  const { user } = session;
  let documents: DocumentView[] | null = null;
  try {
    documents = await listDocuments(user.sub);
  } catch (error) {
    if (!(error instanceof FgaUnavailableError)) throw error;
  }

  return (
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-4 py-8 sm:px-6">
      {/* Focus lands here when the last document is deleted. */}
      <h1 tabIndex={-1} className="text-2xl font-semibold">
        Documents
      </h1>
      <p className="mt-1 text-zinc-600">Your documents and those shared with you. The assistant searches only what you may read.</p>
      <UploadDocument usedBytes={await storageUsedBy(user.sub)} quotaBytes={storageQuotaBytes()} />
      {documents === null ? (
        <Alert className="mt-4">The permission service is not answering, so no documents can be shown. Try again in a moment.</Alert>
      ) : (
        <DocumentList documents={documents} canPublish={user.emailVerified === true} />
      )}
    </main>
  );
}
