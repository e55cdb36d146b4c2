import type { ServerResponse } from "node:http";
import { DEFAULT_DIMENSIONS, embedText, toBase64 } from "./embedding-vector";
import { HttpError, sendJson } from "./http";
import { approximateTokens } from "./text";

// text-embedding-3-large's size; the sandbox has no reason to allow more.
const MAX_DIMENSIONS = 3072;
/**
 * OpenAI API reference, "Create embeddings", `input`: at most 2048 inputs, each within the model's 8192 tokens, and
 * "a maximum of 300,000 tokens summed across all inputs in a single request". The sandbox has no tokenizer, so it
 * counts UTF-8 bytes, which no byte-level BPE token count exceeds: it refuses everything OpenAI would, and more.
 */
const MAX_INPUTS = 2048;
const MAX_INPUT_TOKENS = 8192;
const MAX_REQUEST_TOKENS = 300_000;
const tokenUpperBound = (text: string) => Buffer.byteLength(text, "utf8");

function checkLimits(inputs: string[]): void {
  if (inputs.length > MAX_INPUTS) {
    throw new HttpError(400, `Invalid 'input': array too long. Expected an array with maximum length ${MAX_INPUTS}, but got an array with length ${inputs.length} instead.`, undefined, "input", "array_above_max_length");
  }
  let total = 0;
  for (const text of inputs) {
    const tokens = tokenUpperBound(text);
    if (tokens > MAX_INPUT_TOKENS) {
      throw new HttpError(400, `This model's maximum context length is ${MAX_INPUT_TOKENS} tokens, however you requested ${tokens} tokens (${tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`);
    }
    total += tokens;
  }
  // The real answer's shape: type and code max_tokens_per_request, no param.
  if (total > MAX_REQUEST_TOKENS) throw new HttpError(400, `Requested ${total} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`, "max_tokens_per_request", null, "max_tokens_per_request");
}

/**
 * OpenAI's floats carry float32 precision ("-0.0069292835"), not the seventeen digits JavaScript writes for a double:
 * rounded alike, an answer is as long, and as costly to read and to store, as the real one.
 */
const asSent = (value: number) => Math.round(value * 1e9) / 1e9;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseInputs(input: unknown): string[] {
  const inputs = typeof input === "string" ? [input] : input;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new HttpError(400, "'input' must be a non-empty string or a non-empty array of strings.", undefined, "input", "invalid_type");
  }
  return inputs.map((value, i) => {
    // Pre-tokenised (number[]) input exists in OpenAI's API, but no text is left to embed here.
    if (typeof value !== "string") {
      throw new HttpError(400, `Invalid 'input[${i}]': the sandbox model only embeds strings.`, undefined, `input[${i}]`, "invalid_type");
    }
    if (value.length === 0) throw new HttpError(400, `Invalid 'input[${i}]': empty string.`, undefined, `input[${i}]`, "invalid_value");
    return value;
  });
}

/** Serves one `POST /v1/embeddings`; resolves to what the request log line should say about it. */
export function handleEmbeddings(body: unknown, res: ServerResponse): string {
  if (!isRecord(body)) throw new HttpError(400, "Invalid type for request body: expected an object.");
  if (typeof body.model !== "string" || !body.model) throw new HttpError(400, "you must provide a model parameter");
  const inputs = parseInputs(body.input);
  checkLimits(inputs);
  const dimensions = body.dimensions ?? DEFAULT_DIMENSIONS;
  if (typeof dimensions !== "number" || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new HttpError(400, `Invalid 'dimensions': expected an integer from 1 to ${MAX_DIMENSIONS}.`, undefined, "dimensions", "invalid_value");
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    throw new HttpError(400, "Invalid 'encoding_format': expected 'float' or 'base64'.", undefined, "encoding_format", "invalid_value");
  }
  const tokens = inputs.reduce((sum, text) => sum + approximateTokens(text), 0);
  sendJson(res, 200, {
    object: "list",
    data: inputs.map((text, index) => {
      const vector = embedText(text, dimensions);
      return { object: "embedding", index, embedding: format === "base64" ? toBase64(vector) : vector.map(asSent) };
    }),
    model: body.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
  return `model=${body.model} inputs=${inputs.length} dimensions=${dimensions} encoding=${format}`;
}
