/** Fired in the browser whenever the user's list of chats may have changed (a chat created, renamed, deleted). */
export const CHATS_CHANGED_EVENT = "delegate:chats-changed";

export function announceChatsChanged() {
  window.dispatchEvent(new Event(CHATS_CHANGED_EVENT));
}

/**
 * Fired in the browser when the person asks for a new chat. The new-chat page listens: the client router may keep
 * that page mounted (a chat begun there has only replaced the URL), and the page must then start over with a fresh id.
 */
export const NEW_CHAT_EVENT = "delegate:new-chat";

export function announceNewChat() {
  window.dispatchEvent(new Event(NEW_CHAT_EVENT));
}
