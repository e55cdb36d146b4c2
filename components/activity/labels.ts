import type { AuditAction } from "@/lib/audit/record";

/** Names for the decision kinds the authorizers record; an unknown kind is shown by its evidence key. */
const decisionLabels: Record<string, string> = {
  fga: "Permission check (FGA)",
  "tool-permission": "Tool permission (FGA)",
  "token-vault": "Token Vault exchange",
  "in-chat-approval": "In-chat approval",
  "async-approval": "Authenticator approval (CIBA)",
};

export const decisionLabel = (kind: string) => decisionLabels[kind] ?? kind;

/** Names for the actions the trail records, for the action filter; an action recorded by an older version keeps its name. */
const actionLabels: Record<AuditAction, string> = {
  "document.upload": "Document uploaded",
  "document.download": "Document downloaded",
  "document.share": "Document shared",
  "document.unshare": "Document unshared",
  "document.publish": "Document published",
  "document.delete": "Document deleted",
  "auth.sign_in": "Signed in",
  "auth.sign_out": "Signed out",
  "tool.call": "Tool call requested",
  "tool.authorization": "Tool call decision",
  "tool.result": "Tool call result",
  "account.connect": "Account connected",
  "account.disconnect": "Account disconnected",
  "activity.export": "Activity exported",
  "permission.change": "Tool switched on or off",
  "permission.change_default": "Tool default changed for everyone",
};

export const actionLabel = (action: string) => (Object.hasOwn(actionLabels, action) ? actionLabels[action as AuditAction] : action);
