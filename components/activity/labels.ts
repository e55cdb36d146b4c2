/** Names for the decision kinds the authorizers record; an unknown kind is shown by its evidence key. */
const decisionLabels: Record<string, string> = {
  fga: "Permission check (FGA)",
  "tool-permission": "Tool permission (FGA)",
  "token-vault": "Token Vault exchange",
  "in-chat-approval": "In-chat approval",
  "async-approval": "Authenticator approval (CIBA)",
};

export const decisionLabel = (kind: string) => decisionLabels[kind] ?? kind;
