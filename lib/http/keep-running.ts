import { after } from "next/server";

/**
 * Lets the platform wait for `task` after the response has closed (on Vercel, up to the route's maxDuration). Outside
 * a request (route tests, scripts) there is nothing to extend: the process runs on, and the task with it.
 */
export function keepRunning(task: Promise<void>) {
  try {
    after(task);
  } catch {
    // `after` throws only when called outside a request scope.
  }
}
