import express, { Router } from "express";
import type { ProviderTokenVerifier } from "../../identity/provider-tokens";
import { noteForLog } from "../../http";
import { requireSlackToken } from "./auth";
import { conversationsList } from "./conversations";

/** slack.com/api under one prefix: Web API methods by name, over GET or form-encoded POST. */
export function slackRouter(verify: ProviderTokenVerifier): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false }));
  router.all("/conversations.list", requireSlackToken(verify), conversationsList);
  router.use((req, res) => {
    res.status(404).json({ ok: false, error: "unknown_method", req_method: req.path.replace(/^\//, "") });
  });
  router.use(((error: unknown, _req, res, _next) => {
    noteForLog(res, `error: ${error instanceof Error ? error.message : String(error)}`);
    res.status(500).json({ ok: false, error: "internal_error" });
  }) satisfies express.ErrorRequestHandler);
  return router;
}
