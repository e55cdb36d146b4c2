/**
 * Text from the server (the model's answer, tool inputs and outputs, a document's words) shown in a terminal. A
 * control character in it would be obeyed, not shown: ESC sequences move the cursor and rewrite lines (a "To:" line
 * above an approval's y/n), clear the screen or hide a link's target (OSC 8), and bidirectional overrides reorder
 * what is read. Each is written as a visible escape instead, so what the terminal shows is what was sent.
 */
// C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export const safeText = (text: string): string =>
  text.replace(UNSAFE, (character) => {
    const code = character.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });

/** Whether `text` holds anything safeText would rewrite, so an approval can say its value is not shown as sent. */
export const hasUnsafeText = (text: string): boolean => new RegExp(UNSAFE.source).test(text);
