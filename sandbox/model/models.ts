/** The model ids the sandbox advertises; any other id is accepted too and echoed back. */
export const SANDBOX_CHAT_MODEL = "delegate-sandbox";
/** Obeys instructions it finds in tool results: the attacker's best case, for testing defences (gullible-planner.ts). */
export const SANDBOX_GULLIBLE_MODEL = "delegate-sandbox-gullible";
export const SANDBOX_EMBEDDING_MODEL = "delegate-sandbox-embedding";

const MODEL_IDS = [SANDBOX_CHAT_MODEL, SANDBOX_GULLIBLE_MODEL, SANDBOX_EMBEDDING_MODEL];

// A fixed date rather than start-up time, so `GET /v1/models` is the same on every run.
const CREATED = Math.floor(Date.UTC(2026, 0, 1) / 1000);

function model(id: string) {
  return { id, object: "model", created: CREATED, owned_by: "delegate-sandbox" };
}

export function listModels() {
  return { object: "list", data: MODEL_IDS.map(model) };
}

export function findModel(id: string) {
  return MODEL_IDS.includes(id) ? model(id) : undefined;
}
