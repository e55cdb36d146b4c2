import { FgaError, validationError } from "./errors";
import { ModelIndex } from "./model-index";
import type { FgaStorage } from "./storage";
import { isUlid } from "./ulid";

const MAX_CACHED_MODELS = 200;

/**
 * Finds the model a request runs against — the one it names, or the store's latest — and keeps parsed
 * models in memory: a model never changes once written, so its index is built once per process.
 * The latest model id per store is remembered too and replaced when this service writes a new one
 * (the service owns its tables; nothing else writes models behind its back).
 */
export class ModelCache {
  private readonly byId = new Map<string, ModelIndex>();
  private readonly latest = new Map<string, string>();

  constructor(private readonly storage: FgaStorage) {}

  async resolve(storeId: string, modelId: string | null | undefined): Promise<ModelIndex> {
    if (modelId) {
      if (!isUlid(modelId)) throw validationError(`invalid authorization_model_id '${modelId}': it must be a ULID`);
      return this.load(storeId, modelId);
    }
    let latestId = this.latest.get(storeId);
    if (!latestId) {
      latestId = await this.storage.latestModelId(storeId);
      if (!latestId) throw new FgaError("latest_authorization_model_not_found", `No authorization models found for store '${storeId}'`);
      this.latest.set(storeId, latestId);
    }
    return this.load(storeId, latestId);
  }

  /** Called after this service wrote a model. */
  written(storeId: string, modelId: string): void {
    this.latest.set(storeId, modelId);
  }

  forgetStore(storeId: string): void {
    this.latest.delete(storeId);
    for (const [key] of this.byId) if (key.startsWith(`${storeId}/`)) this.byId.delete(key);
  }

  private async load(storeId: string, modelId: string): Promise<ModelIndex> {
    const key = `${storeId}/${modelId}`;
    const cached = this.byId.get(key);
    if (cached) {
      // Refresh its place in the insertion order: the oldest entry is the one evicted.
      this.byId.delete(key);
      this.byId.set(key, cached);
      return cached;
    }
    const json = await this.storage.readModel(storeId, modelId);
    if (!json) throw new FgaError("authorization_model_not_found", `Authorization Model '${modelId}' not found`);
    const index = new ModelIndex(json);
    this.byId.set(key, index);
    if (this.byId.size > MAX_CACHED_MODELS) this.byId.delete(this.byId.keys().next().value as string);
    return index;
  }
}
