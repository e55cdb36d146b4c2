import express, { Router } from "express";
import { calendarRoutes } from "./calendar/routes";
import type { GoogleContext } from "./context";
import { googleErrorHandler, notFound } from "./errors";
import { gmailRoutes } from "./gmail/routes";

/** googleapis.com under one prefix: Calendar v3 and Gmail v1, with Google's error shapes. */
export function googleRouter(context: GoogleContext): Router {
  const router = Router();
  // Drafts carry a whole message, base64url encoded, so allow more than the 100 kB default.
  router.use(express.json({ limit: "25mb" }));
  router.use(calendarRoutes(context));
  router.use(gmailRoutes(context));
  router.use(() => {
    throw notFound();
  });
  router.use(googleErrorHandler);
  return router;
}
