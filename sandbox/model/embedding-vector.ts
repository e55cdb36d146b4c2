import { isStopword, words } from "./text";

export const DEFAULT_DIMENSIONS = 1536;

// Word identity matters most, word order a little, spelling overlap ("forecast"/"forecasts") least.
const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.6;
const TRIGRAM_WEIGHT = 0.5;

/** 32-bit FNV-1a: tiny, stable across platforms and runs, and good enough to spread features over buckets. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic bag-of-features embedding ("hashing trick"): word unigrams, word bigrams and
 * character trigrams are hashed into `dimensions` buckets with a hashed sign, then L2-normalised.
 * Texts sharing words and phrasing get a high cosine similarity; unrelated ones land near 0.
 */
export function embedText(text: string, dimensions: number = DEFAULT_DIMENSIONS): number[] {
  const vector = new Float64Array(dimensions);
  const add = (feature: string, weight: number) => {
    const bucket = fnv1a(feature) % dimensions;
    // An independent hash for the sign keeps collisions from piling up in one direction.
    const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
    vector[bucket]! += sign * weight;
  };

  const all = words(text);
  const content = all.filter((w) => !isStopword(w.lower));
  const used = content.length > 0 ? content : all;
  used.forEach((w, i) => {
    add(`w:${w.stem}`, UNIGRAM_WEIGHT);
    const next = used[i + 1];
    if (next) add(`b:${w.stem} ${next.stem}`, BIGRAM_WEIGHT);
    const padded = `^${w.lower}$`;
    const trigrams = padded.length - 2;
    for (let j = 0; j < trigrams; j++) add(`c:${padded.slice(j, j + 3)}`, TRIGRAM_WEIGHT / Math.sqrt(trigrams));
  });
  // Punctuation-only input still needs a unit vector; derive it from the raw text.
  if (used.length === 0) add(`raw:${text}`, 1);

  const norm = Math.hypot(...vector);
  return Array.from(vector, (v) => v / norm);
}

/** OpenAI's `encoding_format: "base64"`: the vector as little-endian float32 bytes. */
export function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString("base64");
}
