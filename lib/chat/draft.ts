/**
 * The unsent message survives a sign-in round trip (an expired session redirects away) in sessionStorage:
 * one draft per tab, cleared once the message is accepted.
 */
const KEY = "delegate:draft";

export function loadDraft(): string {
  return typeof window === "undefined" ? "" : (window.sessionStorage.getItem(KEY) ?? "");
}

export function saveDraft(text: string) {
  if (text) window.sessionStorage.setItem(KEY, text);
  else window.sessionStorage.removeItem(KEY);
}
