import { EMBEDDING_DIMENSIONS } from "@/db/schema";

/**
 * Seeded embeddings shaped like real ones, for retrieval tests and `npm run bench:rag`. Embeddings of text lie
 * near a low-dimensional subspace of their 1536 dimensions, and texts on one topic, or from one document, cluster:
 * here a document is a point near its topic's centre in a LATENT_DIMENSIONS-dimensional space, a chunk a point near
 * its document, and the embedding a fixed random projection of that point to 1536 dimensions, plus a little noise
 * in all of them, normalised. (Independent random 1536-dimensional vectors, the other easy choice, have no
 * neighbours to speak of: every approximate index does badly on them, and no real corpus looks like them.)
 */
const LATENT_DIMENSIONS = 48;
const TOPIC_SPREAD = 1;
const DOCUMENT_SPREAD = 0.6;
const CHUNK_SPREAD = 0.4;
const NOISE = 0.02;

export type Embedding = Float32Array;

export class SyntheticEmbeddings {
  private state: number;
  private readonly projection: Float32Array[];
  private readonly topics: Float32Array[];

  constructor(seed: number, topics: number) {
    this.state = seed;
    this.projection = Array.from({ length: LATENT_DIMENSIONS }, () =>
      Float32Array.from({ length: EMBEDDING_DIMENSIONS }, () => this.gaussian() / Math.sqrt(EMBEDDING_DIMENSIONS)),
    );
    this.topics = Array.from({ length: topics }, () => this.near(null, TOPIC_SPREAD));
  }

  /** Uniform in [0, 1): mulberry32, a small generator with no short cycles at these sizes. */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  integer(below: number): number {
    return Math.floor(this.random() * below);
  }

  /** A new document's place: near a random topic. Its chunks and the questions about it are drawn from it. */
  document(): Float32Array {
    return this.near(this.topics[this.integer(this.topics.length)]!, DOCUMENT_SPREAD);
  }

  /** A chunk of the document, or a question about it: as close to it as its chunks are. */
  chunk(document: Float32Array): Embedding {
    return this.embed(this.near(document, CHUNK_SPREAD));
  }

  private gaussian(): number {
    return Math.sqrt(-2 * Math.log(this.random() + 1e-12)) * Math.cos(2 * Math.PI * this.random());
  }

  private near(centre: Float32Array | null, spread: number): Float32Array {
    return Float32Array.from({ length: LATENT_DIMENSIONS }, (_, i) => (centre ? centre[i]! : 0) + spread * this.gaussian());
  }

  private embed(latent: Float32Array): Embedding {
    // Uniform noise of the same variance: no transcendental per dimension, which makes a corpus quick to generate.
    const vector = Float32Array.from({ length: EMBEDDING_DIMENSIONS }, () => NOISE * Math.sqrt(3) * (2 * this.random() - 1));
    latent.forEach((weight, l) => {
      const axis = this.projection[l]!;
      for (let i = 0; i < vector.length; i++) vector[i]! += weight * axis[i]!;
    });
    let norm = 0;
    for (const x of vector) norm += x * x;
    norm = Math.sqrt(norm);
    return vector.map((x) => x / norm);
  }
}

/** Cosine distance as pgvector's `<=>` computes it, for unit vectors. */
export function cosineDistance(a: Embedding, b: Embedding | number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}

/** A vector as pgvector's text form, exactly: every float32 written out in full. */
export const vectorText = (vector: Embedding | number[]) => `[${Array.from(vector).join(",")}]`;
