import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { tamper } from "../lib/audit/test-support";
import { runNpmScript } from "../tests/npm-script";
import { databaseURL } from "../playwright.config";
import { ask, newChat, signIn } from "./helpers";

/**
 * `npm run audit:verify`, run as an operator would against the very database the app under test writes to, finds
 * an event the app wrote for a real chat question and that was then altered behind the append-only triggers' back.
 * The event is restored afterwards, so the trail verifies again for the specs that follow.
 */
const DAVE = "auth0|dave";

const verify = () => runNpmScript("audit:verify", [], { DATABASE_URL: databaseURL });

test("audit:verify names the event of dave's chat question that was altered in the database", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "dave@example.com");
  await newChat(page);
  await expect(await ask(page, "How many vacation days do we get? (Reisekosten-Frage, «dringend»)")).toContainText("25 days");
  const chatId = new URL(page.url()).pathname.split("/").at(-1)!;

  const sql = postgres(databaseURL, { max: 1, onnotice: () => {} });
  try {
    const [result] = await sql<{ id: string; outcome: string; summary: string }[]>`
      select id, outcome, summary from audit_events where user_id = ${DAVE} and chat_id = ${chatId} and action = 'tool.result'`;
    expect(result, `the app recorded no result for the question in chat ${chatId}`).toMatchObject({ outcome: "done" });
    const intact = await verify();
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);

    // As someone with database access might: the search now reads as refused, under another summary.
    await tamper(sql, (tx) => tx`update audit_events set outcome = 'denied', summary = 'Nothing was searched' where id = ${result!.id}`);
    try {
      const broken = await verify();
      expect(broken.code, broken.stdout + broken.stderr).toBe(1);
      const found = broken.stdout.split("\n").filter((line) => line.startsWith("BROKEN"));
      expect(found).toEqual([expect.stringContaining(`BROKEN user ${DAVE} at event ${result!.id}: stored hash`)]);
      expect(found[0]).toMatch(/the event was altered$/);
    } finally {
      await tamper(sql, (tx) => tx`update audit_events set outcome = ${result!.outcome}, summary = ${result!.summary} where id = ${result!.id}`);
    }
    const restored = await verify();
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
  } finally {
    await sql.end();
  }
});
