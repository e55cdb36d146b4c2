import "server-only";
import type { UIMessage } from "ai";
import { and, asc, desc, eq, gt, ne } from "drizzle-orm";
import { getDb, prepared } from "../client";
import { CHAT_ORIGINS, chats, messages, type ChatRow } from "../schema";
import { storable } from "../storable";

// Every query that reads or changes a chat takes the owner's `sub`, so a forgotten check cannot leak a chat.

export async function getChat({ id, userId }: { id: string; userId: string }): Promise<ChatRow | null> {
  const [row] = await prepared(getDb().select().from(chats).where(and(eq(chats.id, id), eq(chats.userId, userId))));
  return row ?? null;
}

/**
 * The user's chat with this id, and whether the id is taken by another user's chat (which a new chat may not take),
 * in one round trip. Nothing of another user's chat leaves this function.
 */
export async function findChatFor({ id, userId }: { id: string; userId: string }): Promise<{ chat: ChatRow | null; takenByAnother: boolean }> {
  const [row] = await prepared(getDb().select().from(chats).where(eq(chats.id, id)));
  if (!row) return { chat: null, takenByAnother: false };
  // An MCP client's conversation holds its calls' approvals and no messages: no chat turn may run in it.
  return row.userId === userId && row.origin !== "mcp" ? { chat: row, takenByAnother: false } : { chat: null, takenByAnother: true };
}

/**
 * A chat, with the user's message that starts it in the same statement: if the database goes away part-way, there is
 * neither, never a chat without its message. One statement rather than a transaction: when a transaction's connection
 * dies, postgres.js 3.4.9 throws an uncaught TypeError as it sends the ROLLBACK on the closed socket
 * (https://github.com/porsager/postgres/issues/1208).
 */
export async function createChat({
  id,
  userId,
  title,
  firstMessage,
  origin = "web",
}: {
  id: string;
  userId: string;
  title: string;
  firstMessage?: Pick<UIMessage, "id" | "parts">;
  origin?: ChatOrigin;
}) {
  if (!firstMessage) return void (await getDb().insert(chats).values({ id, userId, title, origin }));
  // Through postgres.js itself, which prepares it (one round trip; drizzle's execute takes two). JSON goes as text:
  // as jsonb, postgres.js would encode it by its own jsonb serializer, which drizzle happens to replace.
  await getDb().$client`
    with chat as (insert into chats (id, user_id, title, origin) values (${id}, ${userId}, ${title}, ${origin}) returning id)
    insert into messages (id, chat_id, role, parts, created_at)
    select ${firstMessage.id}, chat.id, 'user', ${JSON.stringify(storable(firstMessage.parts))}::text::jsonb, ${new Date().toISOString()}::timestamptz from chat`;
}

export type ChatOrigin = (typeof CHAT_ORIGINS)[number];

/**
 * The conversation an MCP client's calls belong to, created on first use under the id the caller derived (a keyed
 * digest of owner and client, so no one can guess another user's and take it first). True only when the row is this
 * owner's MCP conversation: an id someone else holds is never used.
 */
export async function ensureMcpChat({ id, userId, clientId, title }: { id: string; userId: string; clientId: string; title: string }): Promise<boolean> {
  await getDb().insert(chats).values({ id, userId, title, origin: "mcp", clientId }).onConflictDoNothing({ target: chats.id });
  const [row] = await getDb().select({ id: chats.id }).from(chats).where(and(eq(chats.id, id), eq(chats.userId, userId), eq(chats.origin, "mcp")));
  return row !== undefined;
}

export async function listChats({ userId }: { userId: string }) {
  return getDb()
    .select({ id: chats.id, title: chats.title, updatedAt: chats.updatedAt, origin: chats.origin })
    .from(chats)
    .where(and(eq(chats.userId, userId), ne(chats.origin, "mcp")))
    .orderBy(desc(chats.updatedAt))
    .limit(100);
}

/**
 * Gives the chat the name its owner chose. Nothing else writes a title after createChat, so the name stays: later
 * turns, retries and edits never touch it.
 */
export async function renameChat({ id, userId, title }: { id: string; userId: string; title: string }): Promise<boolean> {
  const renamed = await getDb()
    .update(chats)
    .set({ title })
    .where(and(eq(chats.id, id), eq(chats.userId, userId)))
    .returning({ id: chats.id });
  return renamed.length > 0;
}

export async function deleteChat({ id, userId }: { id: string; userId: string }): Promise<boolean> {
  const deleted = await getDb()
    .delete(chats)
    .where(and(eq(chats.id, id), eq(chats.userId, userId)))
    .returning({ id: chats.id });
  return deleted.length > 0;
}

/**
 * The chat's messages, typed as the caller's message type: the parts are stored exactly as the app wrote them
 * (lib/ai/types.ts's ChatMessage), and the database layer does not know the agent's tools.
 */
export async function getMessages<Message extends UIMessage = UIMessage>({ chatId }: { chatId: string }): Promise<Message[]> {
  const rows = await getDb().select().from(messages).where(eq(messages.chatId, chatId)).orderBy(asc(messages.createdAt));
  return rows.map((row) => ({ id: row.id, role: row.role, parts: row.parts }) as Message);
}

/**
 * Inserts a message, or replaces its parts when a continuation extends the same assistant message. The key is
 * (chat, id): an id that exists in another chat is a different row, never that chat's message.
 */
export async function saveMessage({
  chatId,
  message,
}: {
  chatId: string;
  message: Pick<UIMessage, "id" | "role" | "parts">;
}) {
  if (message.role === "system") throw new Error("System messages are never stored");
  const now = new Date().toISOString();
  // One statement, prepared by postgres.js: the end of every reply waits for it. JSON as text, as in createChat.
  await getDb().$client`
    with saved as (
      insert into messages (id, chat_id, role, parts, created_at)
      values (${message.id}, ${chatId}, ${message.role}, ${JSON.stringify(storable(message.parts))}::text::jsonb, ${now}::timestamptz)
      on conflict (chat_id, id) do update set parts = excluded.parts
    )
    update chats set updated_at = ${now}::timestamptz where id = ${chatId}`;
}

/**
 * Takes the chat back to one of its user messages, for a retry or an edit: every message after it is deleted, and
 * with `parts` the message itself is rewritten. Returns false when the chat has no such user message.
 */
export async function rewindChat({
  chatId,
  messageId,
  parts,
}: {
  chatId: string;
  messageId: string;
  parts?: UIMessage["parts"];
}): Promise<boolean> {
  const db = getDb();
  const [anchor] = await db
    .select({ createdAt: messages.createdAt })
    .from(messages)
    .where(and(eq(messages.chatId, chatId), eq(messages.id, messageId), eq(messages.role, "user")));
  if (!anchor) return false;
  await db.delete(messages).where(and(eq(messages.chatId, chatId), gt(messages.createdAt, anchor.createdAt)));
  if (parts) await db.update(messages).set({ parts }).where(and(eq(messages.chatId, chatId), eq(messages.id, messageId)));
  await db.update(chats).set({ updatedAt: new Date() }).where(eq(chats.id, chatId));
  return true;
}
