export const MAX_MESSAGE_LENGTH = 8_000;
export const MAX_TITLE_LENGTH = 80;

/** The browser sends one text part per message; a few more leave room for other clients, thousands are an attack. */
export const MAX_MESSAGE_PARTS = 20;

/**
 * The largest chat request body. A message at the length limit is at most 48 KB of JSON (8,000 characters that
 * each need a six-byte `\u` escape), so this refuses only bodies no legitimate message can produce.
 */
export const MAX_CHAT_REQUEST_BYTES = 64 * 1024;

/**
 * The most tokens one model step may generate: a long answer fits, a runaway one is cut off. Reasoning models
 * (gpt-5-mini, the default) count their hidden reasoning in this cap (`max_completion_tokens`), hence 8k, not 4k.
 */
export const MAX_REPLY_TOKENS = 8_192;
