import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid, vector } from "drizzle-orm/pg-core";

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

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/** The embedding width: OpenAI text-embedding-3-small and the sandbox model both produce 1536 dimensions. */
export const EMBEDDING_DIMENSIONS = 1536;

/**
 * An uploaded document. Who may see, share or delete it is not stored here: OpenFGA decides (lib/fga). The
 * owner is kept for display only.
 */
export const documents = pgTable("documents", {
  id: uuid("id").primaryKey(),
  ownerId: text("owner_id").notNull(),
  name: text("name").notNull(),
  mimeType: text("mime_type").notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  content: bytea("content").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const documentChunks = pgTable(
  "document_chunks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    content: text("content").notNull(),
    embedding: vector("embedding", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
  },
  (table) => [
    index("document_chunks_document_idx").on(table.documentId),
    index("document_chunks_embedding_idx").using("hnsw", table.embedding.op("vector_cosine_ops")),
  ],
);

export type ChatRow = typeof chats.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
