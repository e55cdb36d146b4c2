import express, { type Request, type Response, type Router } from "express";
import { runBatchCheck, runCheck } from "./check-command";
import { FgaError, validationError } from "./errors";
import { splitObject } from "./identifiers";
import { listObjects } from "./list-objects";
import { listUsers, renderUser } from "./list-users";
import type { AuthorizationModelJSON } from "./model";
import type { ModelIndex } from "./model-index";
import { validateModel } from "./model-validation";
import type { ModelCache } from "./models";
import { parseReadChangesRequest, readChangesResponse } from "./read-changes";
import type { FgaStorage } from "./storage";
import { StoreReads } from "./tuple-reader";
import { isUlid } from "./ulid";
import {
  batchCheckBody,
  checkBody,
  createStoreBody,
  listObjectsBody,
  listUsersBody,
  pageSize,
  parseBody,
  readBody,
  streamedListObjectsBody,
  writeBody,
  writeModelBody,
} from "./wire";
import { validateWrite } from "./write-command";

/** OpenFGA's HTTP API, the parts `@openfga/sdk`'s OpenFgaClient uses. One handler per endpoint. */

const STORE_NAME = /^[a-zA-Z0-9\s.\-/^_&@]{3,64}$/;

export function fgaApi({ storage, models }: { storage: FgaStorage; models: ModelCache }): Router {
  const router = express.Router();
  router.use(express.json({ limit: "1mb" }));
  const knownStores = new Set<string>();

  /** The store named in the path, or 404 `store_id_not_found`. */
  async function requireStore(req: Request): Promise<string> {
    const storeId = String(req.params.storeId);
    if (knownStores.has(storeId)) return storeId;
    if (!isUlid(storeId)) throw validationError(`invalid store_id '${storeId}': it must be a ULID`);
    if (!(await storage.getStore(storeId))) throw new FgaError("store_id_not_found", "Store ID not found");
    knownStores.add(storeId);
    return storeId;
  }

  const query = (req: Request, name: string): string => {
    const value = req.query[name];
    return typeof value === "string" ? value : "";
  };

  // --- stores ---------------------------------------------------------------------------------

  router.post("/stores", async (req, res) => {
    const { name } = parseBody(createStoreBody, req.body);
    if (!STORE_NAME.test(name)) throw validationError("invalid store name: 3 to 64 letters, digits, spaces or . - / ^ _ & @");
    const store = await storage.createStore(name);
    knownStores.add(store.id);
    res.status(201).json(store);
  });

  router.get("/stores", async (req, res) => {
    const page = await storage.listStores(pageSize(req.query.page_size), query(req, "continuation_token"), query(req, "name") || undefined);
    res.json({ stores: page.items, continuation_token: page.continuationToken });
  });

  router.get("/stores/:storeId", async (req, res) => {
    const storeId = String(req.params.storeId);
    const store = isUlid(storeId) ? await storage.getStore(storeId) : undefined;
    if (!store) throw new FgaError("store_id_not_found", "Store ID not found");
    res.json(store);
  });

  router.delete("/stores/:storeId", async (req, res) => {
    const storeId = await requireStore(req);
    await storage.deleteStore(storeId);
    knownStores.delete(storeId);
    models.forgetStore(storeId);
    res.status(204).end();
  });

  // --- authorization models ---------------------------------------------------------------------

  router.post("/stores/:storeId/authorization-models", async (req, res) => {
    const storeId = await requireStore(req);
    const body = parseBody(writeModelBody, req.body);
    const model = {
      schema_version: body.schema_version || "1.1",
      type_definitions: body.type_definitions as AuthorizationModelJSON["type_definitions"],
      ...(body.conditions && Object.keys(body.conditions).length > 0 ? { conditions: body.conditions } : {}),
    };
    validateModel({ id: "", ...model });
    const id = await storage.writeModel(storeId, model);
    models.written(storeId, id);
    res.status(201).json({ authorization_model_id: id });
  });

  router.get("/stores/:storeId/authorization-models", async (req, res) => {
    const storeId = await requireStore(req);
    const page = await storage.listModels(storeId, pageSize(req.query.page_size), query(req, "continuation_token"));
    res.json({ authorization_models: page.items, continuation_token: page.continuationToken });
  });

  router.get("/stores/:storeId/authorization-models/:modelId", async (req, res) => {
    const storeId = await requireStore(req);
    const model = await models.resolve(storeId, String(req.params.modelId));
    res.json({ authorization_model: model.json });
  });

  // --- tuples -------------------------------------------------------------------------------------

  router.post("/stores/:storeId/write", async (req, res) => {
    const storeId = await requireStore(req);
    const body = parseBody(writeBody, req.body);
    const write = await validateWrite(
      {
        writes: body.writes?.tuple_keys ?? [],
        deletes: body.deletes?.tuple_keys ?? [],
        onDuplicate: body.writes?.on_duplicate,
        onMissing: body.deletes?.on_missing,
      },
      () => models.resolve(storeId, body.authorization_model_id),
    );
    await storage.writeTuples(storeId, write.deletes, write.writes, { onDuplicate: write.onDuplicate, onMissing: write.onMissing });
    res.json({});
  });

  router.post("/stores/:storeId/read", async (req, res) => {
    const storeId = await requireStore(req);
    const body = parseBody(readBody, req.body);
    const key = body.tuple_key;
    const filter: { objectType?: string; objectId?: string; relation?: string; user?: string } = {};
    if (key && (key.object || key.relation || key.user)) {
      const { type, id } = splitObject(key.object ?? "");
      if (!type || (!id && !key.user)) {
        throw validationError(
          "the 'tuple_key' field was provided but the object type field is required and both the object id and user cannot be empty",
        );
      }
      Object.assign(filter, { objectType: type, objectId: id || undefined, relation: key.relation || undefined, user: key.user || undefined });
    }
    const page = await storage.readTuples(storeId, filter, pageSize(body.page_size), body.continuation_token ?? "");
    res.json({ tuples: page.items, continuation_token: page.continuationToken });
  });

  // Every request OpenFGA would refuse is refused before the store is looked up (see read-changes.ts).
  router.get("/stores/:storeId/changes", async (req, res) => {
    const request = parseReadChangesRequest(String(req.params.storeId), req.query);
    const storeId = await requireStore(req);
    const changes = await storage.readChanges(storeId, { objectType: request.type, after: request.after }, request.pageSize);
    res.json(readChangesResponse(request, changes));
  });

  // --- queries ------------------------------------------------------------------------------------

  /** The model and a fresh batched reader for one request. */
  async function prepare(req: Request, modelId: string | null | undefined): Promise<{ model: ModelIndex; store: StoreReads }> {
    const storeId = await requireStore(req);
    const model = await models.resolve(storeId, modelId);
    return { model, store: new StoreReads(storage.backend(storeId), model) };
  }

  router.post("/stores/:storeId/check", async (req, res) => {
    const body = parseBody(checkBody, req.body);
    const { model, store } = await prepare(req, body.authorization_model_id);
    const allowed = await runCheck(model, store, { tuple: body.tuple_key, contextualTuples: body.contextual_tuples });
    res.json({ allowed, resolution: "" });
  });

  router.post("/stores/:storeId/batch-check", async (req, res) => {
    const body = parseBody(batchCheckBody, req.body);
    const { model, store } = await prepare(req, body.authorization_model_id);
    const results = await runBatchCheck(
      model,
      store,
      body.checks.map((check) => ({ tuple: check.tuple_key, contextualTuples: check.contextual_tuples, correlationId: check.correlation_id })),
    );
    const result: Record<string, unknown> = {};
    for (const [id, outcome] of results) {
      result[id] =
        "error" in outcome
          ? {
              error: {
                ...(outcome.error.numericCode >= 4000 ? { internal_error: outcome.error.code } : { input_error: outcome.error.code }),
                message: outcome.error.message,
              },
            }
          : { allowed: outcome.allowed };
    }
    res.json({ result });
  });

  router.post("/stores/:storeId/list-objects", async (req, res) => {
    const body = parseBody(listObjectsBody, req.body);
    const { model, store } = await prepare(req, body.authorization_model_id);
    const objects = await listObjects(model, store, { type: body.type, relation: body.relation, user: body.user, contextualTuples: body.contextual_tuples });
    res.json({ objects });
  });

  // Newline-delimited JSON, one `{"result":{"object":…}}` per object, without the 1000-result cap.
  router.post("/stores/:storeId/streamed-list-objects", async (req, res) => {
    const body = parseBody(streamedListObjectsBody, req.body);
    const { model, store } = await prepare(req, body.authorization_model_id);
    const input = { type: body.type, relation: body.relation, user: body.user, contextualTuples: body.contextual_tuples };
    // The lines of one turn of the event loop go out as one chunk: a write per object cost more than finding it.
    let lines: string[] = [];
    const flush = () => {
      if (lines.length === 0) return;
      if (!res.headersSent) res.status(200).type("application/x-ndjson");
      res.write(lines.join(""));
      lines = [];
    };
    const write = (line: unknown) => {
      if (lines.length === 0) setImmediate(flush);
      lines.push(`${JSON.stringify(line)}\n`);
    };
    try {
      await listObjects(model, store, input, { maxResults: 0, onObject: (object) => write({ result: { object } }) });
    } catch (error) {
      if (!res.headersSent && lines.length === 0) throw error;
      const e = error instanceof FgaError ? error : new FgaError("internal_error", "Internal Server Error");
      write({ error: { code: e.numericCode, message: e.message } });
    }
    flush();
    if (!res.headersSent) res.status(200).type("application/x-ndjson");
    res.end();
  });

  router.post("/stores/:storeId/list-users", async (req, res) => {
    const body = parseBody(listUsersBody, req.body);
    const { model, store } = await prepare(req, body.authorization_model_id);
    const users = await listUsers(model, store, {
      object: body.object,
      relation: body.relation,
      userFilters: body.user_filters.map((f) => ({ type: f.type, relation: f.relation ?? undefined })),
      contextualTuples: body.contextual_tuples,
    });
    res.json({ users: users.map(renderUser) });
  });

  router.use((req: Request, _res: Response) => {
    throw new FgaError("undefined_endpoint", `No such endpoint in the sandbox FGA service: ${req.method} ${req.path}`);
  });
  return router;
}
