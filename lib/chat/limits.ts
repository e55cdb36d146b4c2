export const MAX_MESSAGE_LENGTH = 8_000;
/** The title a chat gets from its first message; a name the user gives it may be a little longer. */
export const MAX_TITLE_LENGTH = 80;
export const MAX_CHAT_NAME_LENGTH = 100;

/** The browser sends one text part per message; a few more leave room for other clients, thousands are an attack. */
export const MAX_MESSAGE_PARTS = 20;

/**
 * The largest chat request body. A message at the length limit is at most 48 KB of JSON (8,000 characters that
 * each need a six-byte `\u` escape), so this refuses only bodies no legitimate message can produce.
 */
export const MAX_CHAT_REQUEST_BYTES = 64 * 1024;

