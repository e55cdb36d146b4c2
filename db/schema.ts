import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** A conversation. `userId` is the Auth0 `sub` of its owner: the only principal that may read or write it. */
export const chats = pgTable(
  "chats",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id").notNull(),
    title: text("title").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("chats_user_updated_idx").on(table.userId, table.updatedAt)],
);

/** One AI SDK UIMessage, stored as its parts so that a reload renders exactly what was streamed. */
export const messages = pgTable(
  "messages",
  {
    id: text("id").primaryKey(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["user", "assistant"] }).notNull(),
    parts: jsonb("parts").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("messages_chat_created_idx").on(table.chatId, table.createdAt)],
);

/**
 * Provider access tokens from the Token Vault exchange, cached until shortly before they expire so that
 * serverless instances and restarts share them. The token is encrypted (lib/auth/encryption.ts).
 */
export const connectionTokens = pgTable(
  "connection_tokens",
  {
    userId: text("user_id").notNull(),
    connection: text("connection").notNull(),
    encryptedToken: text("encrypted_token").notNull(),
    scopes: text("scopes").array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.connection] })],
);

/**
 * A tool call that stopped to ask the user for something (connect an account, approve an action). The call's
 * name and input live in the chat's message parts; this row makes resuming it a claim that succeeds once.
 */
export const toolInterrupts = pgTable(
  "tool_interrupts",
  {
    toolCallId: text("tool_call_id").primaryKey(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    status: text("status", { enum: ["pending", "running", "resolved", "abandoned"] }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("tool_interrupts_chat_idx").on(table.chatId)],
);

/**
 * A CIBA request started for one tool call (its id is the key, so every purchase needs its own approval).
 * Polling state lives here, not in a held-open HTTP request.
 */
export const asyncAuthorizations = pgTable("async_authorizations", {
  toolCallId: text("tool_call_id").primaryKey(),
  userId: text("user_id").notNull(),
  authReqId: text("auth_req_id").notNull(),
  /** Exactly what the user was asked to approve; on approval this, not a recomputation, is carried out. */
  authorizedInput: jsonb("authorized_input").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  intervalSeconds: integer("interval_seconds").notNull(),
  nextPollAt: timestamp("next_poll_at", { withTimezone: true }).notNull(),
  status: text("status", { enum: ["pending", "approved", "denied", "expired", "cancelled", "failed"] }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type ChatRow = typeof chats.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
