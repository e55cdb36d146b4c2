import { deleteDocument, getDocumentContent, getDocumentsByIds } from "@/db/queries/documents";
import { audited, quotedDocumentName } from "@/lib/audit/record";
import { apiError } from "@/lib/errors";
import { forgetDocument } from "@/lib/fga/documents";
import { authorizeDocument, documentDecision } from "@/lib/rag/permissions";

type Params = { params: Promise<{ id: string }> };

/** Download: anyone who can view the document. */
export async function GET(_request: Request, { params }: Params) {
  const { id } = await params;
  const gate = await authorizeDocument(id, "can_view", "document.download");
  if ("response" in gate) return gate.response;
  const document = await getDocumentContent(id);
  if (!document) return apiError("not_found", "Document not found.");
  const summary = `Downloaded ${quotedDocumentName(document.name)}`;
  return audited({ userId: gate.user.sub, action: "document.download", evidence: documentDecision(id, "can_view"), input: { documentId: id }, summary }, async () =>
    new Response(new Uint8Array(document.content), {
      headers: {
        "content-type": document.mimeType,
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(document.name)}`,
        "x-content-type-options": "nosniff",
      },
    }),
  );
}

/** Delete: the owner only. The rows go first, then every relationship of the document. */
export async function DELETE(_request: Request, { params }: Params) {
  const { id } = await params;
  const gate = await authorizeDocument(id, "can_delete", "document.delete");
  if ("response" in gate) return gate.response;
  const [document] = await getDocumentsByIds([id]);
  if (!document) return apiError("not_found", "Document not found.");
  const summary = `Deleted ${quotedDocumentName(document.name)}`;
  return audited({ userId: gate.user.sub, action: "document.delete", evidence: documentDecision(id, "can_delete"), input: { documentId: id }, summary }, async () => {
    await deleteDocument(id);
    await forgetDocument(id);
    return new Response(null, { status: 204 });
  });
}
