import type postgres from "postgres";

/** The CIBA request the app stored for a tool call: which one it sent, where it stands, when it may poll next. */
export async function storedApproval(sql: postgres.Sql, chatId: string, toolCallId: string) {
  const [row] = await sql<{ auth_req_id: string; status: string; next_poll_at: Date }[]>`
    select auth_req_id, status, next_poll_at from async_authorizations where chat_id = ${chatId} and tool_call_id = ${toolCallId}`;
  if (!row) throw new Error(`no approval request stored for ${toolCallId} in chat ${chatId}`);
  return row;
}
