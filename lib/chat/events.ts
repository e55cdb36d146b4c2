/** Fired in the browser whenever the user's list of chats may have changed (a chat created, renamed, deleted). */
export const CHATS_CHANGED_EVENT = "delegate:chats-changed";

export function announceChatsChanged() {
  window.dispatchEvent(new Event(CHATS_CHANGED_EVENT));
}
