import { sql } from "drizzle-orm";
import { bigint, bit, boolean, check, customType, foreignKey, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, vector } from "drizzle-orm/pg-core";

/** Where a conversation is held: the web chat, the terminal client, or an MCP client's tool calls. */
export const CHAT_ORIGINS = ["web", "terminal", "mcp"] as const;

/**
 * A conversation. `userId` is the Auth0 `sub` of its owner: the only principal that may read or write it. An MCP
 * client's calls are kept in one "chat" per client without messages, so their approvals and audit events have a
 * conversation to belong to; the sidebar does not list it.
 */
export const chats = pgTable(
  "chats",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id").notNull(),
    title: text("title").notNull(),
    origin: text("origin", { enum: CHAT_ORIGINS }).notNull().default("web"),
    /** For an MCP client's conversation, the client's OAuth client id: the approval page names who is asking. */
    clientId: text("client_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("chats_user_updated_idx").on(table.userId, table.updatedAt)],
);

/**
 * One AI SDK UIMessage, stored as its parts so that a reload renders exactly what was streamed. Message ids come
 * from the browser, so they are unique only within their chat: the key is (chat, id), and no id another user
 * chooses can reach this chat's rows.
 */
export const messages = pgTable(
  "messages",
  {
    id: text("id").notNull(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["user", "assistant"] }).notNull(),
    parts: jsonb("parts").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.chatId, table.id] }), index("messages_chat_created_idx").on(table.chatId, table.createdAt)],
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
    /** Tool-call ids come from the model, unique only within a chat (some servers number them call_0, call_1…). */
    toolCallId: text("tool_call_id").notNull(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    status: text("status", { enum: ["pending", "running", "resolved", "abandoned"] }).notNull(),
    /** When an in-chat approval request stops being answerable; null for interrupts that do not expire here. */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /**
     * The input an approval request asked outside a chat's messages (an MCP client's call, approved in the browser):
     * what the approval page shows. A chat's requests keep theirs in the message parts, so this is null for them.
     */
    input: jsonb("input"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.chatId, table.toolCallId] })],
);

/**
 * A CIBA request started for one tool call of one chat (the key, so every purchase needs its own approval).
 * Polling state lives here, not in a held-open HTTP request.
 */
export const asyncAuthorizations = pgTable(
  "async_authorizations",
  {
  chatId: uuid("chat_id")
    .notNull()
    .references(() => chats.id, { onDelete: "cascade" }),
  toolCallId: text("tool_call_id").notNull(),
  userId: text("user_id").notNull(),
  authReqId: text("auth_req_id").notNull(),
  /** Exactly what the user was asked to approve; on approval this, not a recomputation, is carried out. */
  authorizedInput: jsonb("authorized_input").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  intervalSeconds: integer("interval_seconds").notNull(),
  nextPollAt: timestamp("next_poll_at", { withTimezone: true }).notNull(),
  status: text("status", { enum: ["pending", "approved", "denied", "expired", "cancelled", "failed"] }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.chatId, table.toolCallId] }), index("async_authorizations_user_idx").on(table.userId, table.createdAt)],
);

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/** The embedding width: OpenAI text-embedding-3-small and the sandbox model both produce 1536 dimensions. */
export const EMBEDDING_DIMENSIONS = 1536;

/**
 * An uploaded document. Who may see, share or delete it is not stored here: OpenFGA decides (lib/fga). The
 * owner is kept for display only.
 */
export const documents = pgTable(
  "documents",
  {
    id: uuid("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    mimeType: text("mime_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    content: bytea("content").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Null once the document is stored. While an upload's chunks are written, in several transactions
     * (db/queries/documents.ts), when its server last wrote some: a document whose server died mid-upload stops counting
     * against its owner's quota a few minutes later, and the next upload removes it.
     */
    storingHeartbeat: timestamp("storing_heartbeat", { withTimezone: true }),
  },
  (table) => [index("documents_storing_idx").on(table.storingHeartbeat).where(sql`${table.storingHeartbeat} is not null`)],
);

/**
 * A passage of a document (lib/rag/chunk.ts): `content` is the document's extracted text from `startOffset` to
 * `endOffset`, counted in UTF-16 code units as JavaScript strings index it, so an answer can say where a passage
 * comes from. The offsets are null only for chunks stored before migration 0005, whose text was re-joined and
 * matches no span of the document; re-uploading such a document gives its chunks offsets.
 */
export const documentChunks = pgTable(
  "document_chunks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    content: text("content").notNull(),
    startOffset: integer("start_offset"),
    endOffset: integer("end_offset"),
    embedding: vector("embedding", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
    /**
     * Whether the row is in the HNSW indexes (this one's, and its signs' in chunkSigns). A chunk is stored with
     * `false`, which skips pgvector's costly insertion into the graphs (most of an upload's time), and is searchable
     * at once: rankings add an exact scan of the rows not yet indexed. A background pass then sets it (lib/rag/
     * chunk-indexing.ts), and migration 0019's triggers write the chunk's signs.
     */
    indexed: boolean("indexed").notNull().default(false),
  },
  (table) => [
    index("document_chunks_document_idx").on(table.documentId),
    index("document_chunks_embedding_idx").using("hnsw", table.embedding.op("vector_cosine_ops")).where(sql`${table.indexed}`),
    // The rows the exact scan and the indexing pass look for: few, and none once indexing has caught up.
    index("document_chunks_unindexed_idx").on(table.documentId).where(sql`not ${table.indexed}`),
    check(
      "document_chunks_offsets_check",
      sql`(${table.startOffset} is null) = (${table.endOffset} is null) and (${table.startOffset} is null or (0 <= ${table.startOffset} and ${table.startOffset} < ${table.endOffset}))`,
    ),
  ],
);

/**
 * Each chunk in the HNSW index (`indexed`), reduced to its embedding's signs (192 bytes rather than 6 KB) beside its
 * document, with an HNSW index of its own: the scan for a listing's chunks (db/queries/documents.ts,
 * nearestListedChunks) reads on past hundreds of other documents' chunks, and for each it must learn the document.
 * Here that is a row of some 250 bytes, 30 to a page, where a chunk's own row fills a page with its embedding. The
 * candidates it yields are then ranked by their full embeddings. Written and removed with `indexed` by migration
 * 0019's triggers, whoever sets it, and removed with the chunk.
 */
export const chunkSigns = pgTable(
  "chunk_signs",
  {
    chunkId: uuid("chunk_id")
      .primaryKey()
      .references(() => documentChunks.id, { onDelete: "cascade" }),
    documentId: uuid("document_id").notNull(),
    signs: bit("signs", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
  },
  (table) => [index("chunk_signs_signs_idx").using("hnsw", table.signs.op("bit_hamming_ops")), index("chunk_signs_document_idx").on(table.documentId)],
);

/**
 * An FGA userset that documents are shared with as a whole: a group's members (`group:finance#member`) or everyone
 * (`user:*`). Once its documents have many chunks, their signs get an HNSW graph of their own (lib/rag/audiences.ts):
 * a reader of most of them scans that graph, in which nearly every chunk is theirs, rather than the graph of all
 * chunks, where one in seven may be (npm run bench:rag). Which documents it has is FGA's answer when it was listed,
 * kept only to choose candidates: a listing still decides what a search may return.
 */
export const audiences = pgTable("audiences", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  /** FGA's name for the userset, as a tuple's user: `group:finance#member`, `user:*`. */
  subject: text("subject").notNull().unique(),
  /** When FGA last listed its documents. */
  listedAt: timestamp("listed_at", { withTimezone: true }).notNull(),
  /** Whether its graph (the partial index `audience_chunk_signs_<id>_idx`) is built: listings take it up only then. */
  graphReady: boolean("graph_ready").notNull().default(false),
  /** When an instance began building its graph: no other builds it meanwhile, unless this is long past (it failed). */
  buildClaimedAt: timestamp("build_claimed_at", { withTimezone: true }),
});

/**
 * The documents FGA listed for an audience with a graph. Only ever added to while the audience stands (a document
 * leaves with its deletion): a listing that counts a document as in an audience's graph (viewableListingDocuments
 * `covered`) finds it there as long as the listing is used. One unshared from the group since stays, and the
 * listing's filter keeps it from anyone who may no longer read it.
 */
export const audienceDocuments = pgTable(
  "audience_documents",
  {
    audienceId: integer("audience_id")
      .notNull()
      .references(() => audiences.id, { onDelete: "cascade" }),
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.audienceId, table.documentId] }), index("audience_documents_document_idx").on(table.documentId)],
);

/**
 * The signs of each audience document's chunks, a copy per audience, each audience's rows with an HNSW index of its
 * own (partial, made when its graph is built; none is declared here). Kept by migration 0020's triggers as chunks
 * gain and lose signs and as documents join an audience.
 */
export const audienceChunkSigns = pgTable(
  "audience_chunk_signs",
  {
    audienceId: integer("audience_id").notNull(),
    chunkId: uuid("chunk_id")
      .notNull()
      .references(() => chunkSigns.chunkId, { onDelete: "cascade" }),
    documentId: uuid("document_id").notNull(),
    signs: bit("signs", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
  },
  (table) => [
    // Keyed by chunk first, and indexed by document, for the cascades from chunkSigns and audienceDocuments.
    primaryKey({ columns: [table.chunkId, table.audienceId] }),
    index("audience_chunk_signs_document_idx").on(table.documentId, table.audienceId),
    foreignKey({ name: "audience_chunk_signs_document_fk", columns: [table.audienceId, table.documentId], foreignColumns: [audienceDocuments.audienceId, audienceDocuments.documentId] }).onDelete("cascade"),
  ],
);

/**
 * Moves on whenever Delegate changes who may view a document (an upload's owner, a share, an unshare, a deletion),
 * after FGA has the change. Retrieval reuses a user's list of viewable documents only while this has not moved since
 * the list was asked for (lib/rag/viewable-listings.ts), so a change made on one server instance reaches every other
 * one at its next search. A sequence, not a row: moving it takes no lock and holds no transaction.
 */
export const permissionRevision = pgSequence("permission_revision");

/**
 * The documents FGA listed as viewable by a user, kept for their next searches (lib/rag/viewable-listings.ts). Stored
 * here rather than in a server's memory so that a search filters the HNSW scan by them inside the database, and so
 * every server instance reuses them. A listing only narrows what is ranked, never authorizes. A user's newest listing
 * (highest id) is the one reused; older ones are swept, with their documents, a minute after they were stored.
 */
export const viewableListings = pgTable(
  "viewable_listings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id").notNull(),
    /** The permission revision read before FGA was asked. */
    revision: bigint("revision", { mode: "bigint" }).notNull(),
    /** When FGA was asked: how old the listing is, for reuse. */
    listedAt: timestamp("listed_at", { withTimezone: true }).notNull(),
    /**
     * When it was stored, for the sweep: a listing FGA took long to answer is already old when stored, and sweeping by
     * listed_at could take it from under the search that is about to rank by it.
     */
    storedAt: timestamp("stored_at", { withTimezone: true }).notNull().defaultNow(),
    documentCount: integer("document_count").notNull(),
    /**
     * The audiences whose graphs a search of the listing scans, its documents in them marked `covered` (lib/rag/
     * audiences.ts); null until that is decided.
     */
    audienceIds: integer("audience_ids").array(),
    /** How many chunks in the index its uncovered documents had then, counted up to one past retrieval's EXACT_LIMIT. */
    uncoveredChunks: integer("uncovered_chunks"),
  },
  (table) => [index("viewable_listings_user_idx").on(table.userId, table.id), index("viewable_listings_stored_idx").on(table.storedAt)],
);

export const viewableListingDocuments = pgTable(
  "viewable_listing_documents",
  {
    listingId: bigint("listing_id", { mode: "number" })
      .notNull()
      .references(() => viewableListings.id, { onDelete: "cascade" }),
    documentId: uuid("document_id").notNull(),
    /** In one of the listing's audiences' graphs, so found there rather than among the rest. */
    covered: boolean("covered").notNull().default(false),
  },
  (table) => [
    primaryKey({ columns: [table.listingId, table.documentId] }),
    index("viewable_listing_documents_uncovered_idx").on(table.listingId, table.documentId).where(sql`not ${table.covered}`),
  ],
);

/**
 * Per-user counters for rate limits, one row per (user, action, fixed window). Kept in Postgres so that a limit
 * holds across every server instance; an increment is one atomic upsert.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    userId: text("user_id").notNull(),
    action: text("action").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.action, table.windowStart] })],
);

/**
 * People the app has seen, by Auth0 `sub`: the signed-in user at upload, and people a document is shared with
 * (resolved by verified email). Used only to show names and emails instead of raw ids; never for authorization.
 */
export const people = pgTable("people", {
  sub: text("sub").primaryKey(),
  name: text("name").notNull(),
  email: text("email"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type ChatRow = typeof chats.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

/**
 * The audit trail: one row per audited action (document actions, sign-in/out; tool calls and authorization
 * decisions once the tool pipeline writes them). Append-only and tamper-evident: each user's events form a hash
 * chain (`sequence` 1, 2, …; `prevHash` is the previous event's `hash`; `hash` is the SHA-256 of the event's
 * canonical JSON, db/audit-chain.ts). Migration 0006 adds the trigger that refuses UPDATE and DELETE except
 * retention pruning. No token or secret is ever stored: `evidence` holds decisions and ids, `inputDigest` a digest.
 * Chat, turn and tool-call ids are plain columns, not foreign keys: the record outlives a deleted chat.
 */
export const AUDIT_OUTCOMES = ["started", "done", "error", "cancelled", "denied", "interrupted"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * The values the Activity page filters on inside an event's evidence, each one SQL expression that the indexes of
 * migration 0009 are built on and the queries (db/queries/audit.ts) use as they are, so the planner matches them.
 * `tool`: the tool a pipeline event is about. `decisionKind`: who decided, the authorizer of a tool call's decision
 * (e.g. `token-vault`), or `fga` for a document action's or a retrieval's FGA evidence.
 */
export const auditEvidence = {
  tool: sql`(evidence ->> 'tool')`,
  decisionKind: sql`(coalesce(evidence ->> 'authorizer', case when jsonb_typeof(evidence -> 'fga') = 'object' then 'fga' end))`,
};

export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id").notNull(),
    sequence: integer("sequence").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, precision: 3 }).notNull(),
    /** The application (Auth0 client id) that acted; with `modelId`, the agent. */
    agentId: text("agent_id").notNull(),
    modelId: text("model_id"),
    chatId: uuid("chat_id"),
    turnId: text("turn_id"),
    toolCallId: text("tool_call_id"),
    action: text("action").notNull(),
    evidence: jsonb("evidence").notNull(),
    /** SHA-256 (hex) of the canonical JSON of the action's input. */
    inputDigest: text("input_digest"),
    summary: text("summary").notNull(),
    outcome: text("outcome", { enum: AUDIT_OUTCOMES }).notNull(),
    durationMs: integer("duration_ms"),
    prevHash: text("prev_hash"),
    hash: text("hash").notNull(),
  },
  (table) => [
    uniqueIndex("audit_events_user_sequence_idx").on(table.userId, table.sequence),
    index("audit_events_user_occurred_idx").on(table.userId, table.occurredAt),
    // A filtered page reads its events in order from these; the facets skip from one value to the next.
    index("audit_events_user_action_idx").on(table.userId, table.action, table.occurredAt),
    index("audit_events_user_tool_idx").on(table.userId, auditEvidence.tool, table.occurredAt),
    index("audit_events_user_decision_idx").on(table.userId, auditEvidence.decisionKind, table.occurredAt),
    // The in-chat approval reads the recorded answer for one call (findToolDecision).
    index("audit_events_user_tool_call_idx").on(table.userId, table.chatId, table.toolCallId),
  ],
);

/**
 * Each user's chain ends: the row writers lock (SELECT … FOR UPDATE) so concurrent events never fork the chain.
 * `headSequence`/`headHash` name the newest event, so removing events from the end is detected too. Retention
 * pruning deletes a prefix and moves the anchor: `anchorSequence` is the first kept sequence and `anchorHash` the
 * hash of the last pruned event, which the first kept event's `prevHash` must equal. Both only ever move forward.
 */
export const auditChains = pgTable("audit_chains", {
  userId: text("user_id").primaryKey(),
  headSequence: integer("head_sequence").notNull(),
  headHash: text("head_hash"),
  anchorSequence: integer("anchor_sequence").notNull(),
  anchorHash: text("anchor_hash"),
});

export type AuditEventRow = typeof auditEvents.$inferSelect;

/**
 * One streamed reply, kept while it runs and briefly after, so that a reload — reaching this instance or another —
 * can replay what was sent and follow the rest. Also how an explicit Stop reaches the instance that generates: the
 * browser's own request no longer ends the turn.
 */
export const chatStreams = pgTable(
  "chat_streams",
  {
    id: uuid("id").primaryKey(),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set by the user's Stop; the generating instance checks it every moment and ends the turn. */
    stopRequestedAt: timestamp("stop_requested_at", { withTimezone: true }),
    /** Set once the reply is stored and its last chunk written. */
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [index("chat_streams_chat_started_idx").on(table.chatId, table.startedAt), index("chat_streams_started_idx").on(table.startedAt)],
);

/** The UI message chunks of one stream, in the order they were sent (`sequence` from 0). */
export const chatStreamChunks = pgTable(
  "chat_stream_chunks",
  {
    streamId: uuid("stream_id")
      .notNull()
      .references(() => chatStreams.id, { onDelete: "cascade" }),
    sequence: integer("sequence").notNull(),
    chunk: jsonb("chunk").notNull(),
  },
  (table) => [primaryKey({ columns: [table.streamId, table.sequence] })],
);
