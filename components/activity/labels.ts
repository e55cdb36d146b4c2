/** Names for the decision kinds the authorizers record; an unknown kind is shown by its evidence key. */
const decisionLabels: Record<string, string> = {
  fga: "Permission check (FGA)",
  tokenVault: "Token Vault exchange",
  approval: "In-chat approval",
  ciba: "Authenticator approval (CIBA)",
};

export const decisionLabel = (kind: string) => decisionLabels[kind] ?? kind;
