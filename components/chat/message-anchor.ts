/**
 * The element id of a chat message. The Activity page links each chat turn to `/chat/<chat>#message-<id>`, where
 * the id is the turn's user message (the audit trail's turn id), and the chat opens at that message.
 */
export const messageElementId = (messageId: string) => `message-${messageId}`;
