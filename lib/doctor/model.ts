import { createOpenAI } from "@ai-sdk/openai";
import { embed } from "ai";
import type { Config } from "@/lib/config";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { fail, pass, skipAfter, withTimeout, type CheckResult } from "./check";
import { request, TIMEOUT_MS, type HttpAnswer } from "./http";

/**
 * The OpenAI-compatible endpoint: it answers with this key, it offers the chat model, and the embedding model
 * produces vectors as wide as the database's column (db/schema.ts), which every stored chunk must match.
 */
export const MODEL_TITLE = "Model endpoint and chat model";
export const EMBEDDING_TITLE = "Embedding dimensions";

type ModelConfig = Pick<Config, "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_MODEL" | "OPENAI_EMBEDDING_MODEL">;

const OPENAI_API = "https://api.openai.com/v1";
const MAX_LISTED = 8;

export async function checkModel(config: ModelConfig): Promise<CheckResult[]> {
  const baseUrl = (config.OPENAI_BASE_URL ?? OPENAI_API).replace(/\/+$/, "");
  let answer: HttpAnswer;
  try {
    answer = await request(`${baseUrl}/models`, { headers: { authorization: `Bearer ${config.OPENAI_API_KEY}`, accept: "application/json" } });
  } catch (error) {
    const unreachable = fail(MODEL_TITLE, (error as Error).message, "Check OPENAI_BASE_URL (the API root, ending in /v1) and that the server is up.");
    return [unreachable, skipAfter(EMBEDDING_TITLE, unreachable)];
  }
  return [checkModelList(config, baseUrl, answer), await checkEmbeddings(config)];
}

function checkModelList(config: ModelConfig, baseUrl: string, answer: HttpAnswer): CheckResult {
  if (answer.status === 401 || answer.status === 403) {
    return fail(MODEL_TITLE, `the endpoint refused OPENAI_API_KEY (HTTP ${answer.status})`, "Set OPENAI_API_KEY to a valid key for this endpoint (https://platform.openai.com/api-keys for OpenAI).");
  }
  const models = Array.isArray(answer.body?.data) ? (answer.body.data as { id?: unknown }[]).map((model) => String(model.id)) : undefined;
  if (answer.status !== 200 || !models) {
    return fail(MODEL_TITLE, `GET /models answered HTTP ${answer.status} without a model list`, "OPENAI_BASE_URL must be the root of an OpenAI-compatible API, ending in /v1 (e.g. http://localhost:11434/v1 for Ollama).");
  }
  if (!models.includes(config.OPENAI_MODEL)) {
    const offered = models.slice(0, MAX_LISTED).join(", ") + (models.length > MAX_LISTED ? ", …" : "");
    return fail(MODEL_TITLE, `the endpoint does not offer OPENAI_MODEL "${config.OPENAI_MODEL}" (it offers: ${offered || "nothing"})`, "Set OPENAI_MODEL to one of the models the endpoint lists.");
  }
  return pass(MODEL_TITLE, `${config.OPENAI_MODEL} at ${new URL(baseUrl).host}`);
}

async function checkEmbeddings(config: ModelConfig): Promise<CheckResult> {
  const provider = createOpenAI({ apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL });
  let width: number;
  try {
    const { embedding } = await withTimeout(
      embed({ model: provider.embedding(config.OPENAI_EMBEDDING_MODEL), value: "How many vacation days do we get?", dimensions: EMBEDDING_DIMENSIONS, maxRetries: 0 }),
      TIMEOUT_MS,
      "The embedding endpoint",
    );
    width = embedding.length;
  } catch (error) {
    return fail(
      EMBEDDING_TITLE,
      `embedding one sentence with OPENAI_EMBEDDING_MODEL "${config.OPENAI_EMBEDDING_MODEL}" failed: ${(error as Error).message}`,
      "Set OPENAI_EMBEDDING_MODEL to an embedding model the endpoint offers (e.g. text-embedding-3-small).",
    );
  }
  if (width !== EMBEDDING_DIMENSIONS) {
    return fail(
      EMBEDDING_TITLE,
      `OPENAI_EMBEDDING_MODEL "${config.OPENAI_EMBEDDING_MODEL}" returns ${width} dimensions; the database stores ${EMBEDDING_DIMENSIONS} (db/schema.ts)`,
      `Use an embedding model that returns ${EMBEDDING_DIMENSIONS} dimensions, or honours the dimensions parameter (text-embedding-3-small, text-embedding-3-large).`,
    );
  }
  return pass(EMBEDDING_TITLE, `${config.OPENAI_EMBEDDING_MODEL}: ${width} dimensions, as db/schema.ts stores`);
}
