import type postgres from "postgres";
import { untilPast, type chatClient } from "./test-client";

/** The CIBA request the app stored for a tool call: which one it sent, where it stands, when it may poll next. */
export async function storedApproval(sql: postgres.Sql, chatId: string, toolCallId: string) {
  const [row] = await sql<{ auth_req_id: string; status: string; next_poll_at: Date }[]>`
    select auth_req_id, status, next_poll_at from async_authorizations where chat_id = ${chatId} and tool_call_id = ${toolCallId}`;
  if (!row) throw new Error(`no approval request stored for ${toolCallId} in chat ${chatId}`);
  return row;
}

/** Checks again until the call stops waiting, each time once the app's next poll is due, as the prompt does. */
export async function checkUntilSettled(client: ReturnType<typeof chatClient>, sql: postgres.Sql, chatId: string, toolCallId: string) {
  for (let attempt = 0; attempt < 20; attempt++) {
    await untilPast((await storedApproval(sql, chatId, toolCallId)).next_poll_at);
    const answer = await client.resume(chatId, toolCallId);
    if (!answer.text.includes("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING")) return answer;
  }
  throw new Error("still pending after 20 checks");
}
