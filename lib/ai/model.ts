import "server-only";
import { createOpenAI } from "@ai-sdk/openai";
import { getConfig } from "@/lib/config";

/** Any OpenAI-compatible server works through Chat Completions: OpenAI itself, vLLM, Ollama, or the sandbox model. */
function provider() {
  const config = getConfig();
  return createOpenAI({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL });
}

export function chatModel() {
  return provider().chat(getConfig().OPENAI_MODEL);
}

export function embeddingModel() {
  return provider().embedding(getConfig().OPENAI_EMBEDDING_MODEL);
}
