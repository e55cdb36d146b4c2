import "server-only";
import { createOpenAI } from "@ai-sdk/openai";
import { getConfig } from "@/lib/config";
import { fetchWithIdleTimeout } from "@/lib/http/idle-timeout";

/**
 * How long the model may send nothing (before its answer starts, or between two pieces of it) before the answer is
 * given up on, and the chat says so (lib/chat/stream-errors.ts), keeping what arrived. Reasoning models think before
 * they answer, so it is generous; without it a stalled stream would hold the turn until the user pressed Stop.
 */
const MODEL_IDLE_TIMEOUT_MS = 60_000;

/** Any OpenAI-compatible server works through Chat Completions: OpenAI itself, vLLM, Ollama, or the sandbox model. */
function provider() {
  const config = getConfig();
  return createOpenAI({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, fetch: fetchWithIdleTimeout(MODEL_IDLE_TIMEOUT_MS) });
}

export function chatModel() {
  return provider().chat(getConfig().OPENAI_MODEL);
}

export function embeddingModel() {
  return provider().embedding(getConfig().OPENAI_EMBEDDING_MODEL);
}
