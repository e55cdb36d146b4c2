/**
 * The CIBA `binding_message`: the line the user reads on their phone to know which request they approve. Auth0
 * ("User Authentication with CIBA") accepts at most 64 characters of alphanumerics, whitespace and `+-_.,:#`,
 * and refuses the whole request otherwise. "Alphanumerics" is read as ASCII letters and digits — the docs name no
 * Unicode classes, so the stricter reading is the safe one — and whitespace as the plain space, since a tab or
 * newline has no place in a notification's one line.
 */

export const BINDING_MESSAGE_MAX_LENGTH = 64;
const BINDING_MESSAGE = /^[A-Za-z0-9 +\-_.,:#]+$/;
const DISALLOWED = /[^A-Za-z0-9 +\-_.,:#]+/g;
/** Marks a shortened name; made of allowed characters. */
const SHORTENED = "...";

export function isValidBindingMessage(message: string): boolean {
  return message.length <= BINDING_MESSAGE_MAX_LENGTH && BINDING_MESSAGE.test(message);
}

/**
 * `text` in allowed characters only: accents dropped (é → e), compatibility forms unfolded (ﬁ → fi, full-width
 * digits → digits), apostrophes removed within words, and every other run of disallowed characters — brackets,
 * quotes, emoji, other scripts, tabs — replaced by one space.
 */
export function toBindingMessageText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/['’`]/g, "")
    .replace(DISALLOWED, " ")
    .replace(/ {2,}/g, " ")
    .trim();
}

/** Cuts `text` to at most `room` characters at a word boundary (a space or hyphen), marking the cut. */
function shorten(text: string, room: number): string {
  if (text.length <= room) return text;
  // One character more than fits, so a boundary right after the last kept word is found.
  const keep = text.slice(0, Math.max(0, room - SHORTENED.length + 1));
  const atWord = Math.max(keep.lastIndexOf(" "), keep.lastIndexOf("-"));
  const cut = (atWord > 0 ? keep.slice(0, atWord) : keep.slice(0, -1)).replace(/[ +\-_.,:#]+$/, "");
  return cut ? `${cut}${SHORTENED}` : "";
}

/**
 * A valid binding message from `template`, whose own text (the action, numbers, currency) is kept whole, around
 * `name`, which is cleaned and — if the message would be too long — shortened at a word boundary. The first of
 * `name`s that still says something once cleaned is used (e.g. a product's name, then its id). Throws when the
 * template alone breaks the rule: that is a fault in the caller, not in the data.
 */
export function bindingMessage(template: (name: string) => string, ...names: string[]): string {
  const fixed = toBindingMessageText(template(""));
  const room = BINDING_MESSAGE_MAX_LENGTH - fixed.length - 1;
  const name = names.map(toBindingMessageText).find((candidate) => candidate !== "") ?? "";
  const message = toBindingMessageText(template(shorten(name, room)));
  if (!isValidBindingMessage(message)) {
    throw new Error(`No binding message fits Auth0's rules for "${fixed}"`);
  }
  return message;
}
