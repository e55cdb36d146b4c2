/**
 * A document as the Documents page shows it, built on the server (lib/rag/list-documents.ts) and rendered by
 * the client. People appear by name and email only: Auth0 ids never reach the page's text.
 */
export interface DocumentView {
  id: string;
  name: string;
  sizeBytes: number;
  createdAt: string;
  /** Whose it is: null when it is the viewer's own, otherwise the owner's name and email. */
  owner: string | null;
  /** Whom it is shared with; only for the owner. */
  shares: ShareView[];
}

export interface ShareView {
  kind: "everyone" | "group" | "person";
  label: string;
  /** What to send as `with` to withdraw this share: an opaque reference, not for display. */
  reference: string;
}

/** The answer to a share request. */
export interface ShareAnswer {
  message: string;
}

/** What tells a document apart from others of the same name: its name and, if it is not yours, its owner. */
export const documentLabel = (document: Pick<DocumentView, "name" | "owner">) =>
  document.owner ? `${document.name}, shared by ${document.owner}` : document.name;
