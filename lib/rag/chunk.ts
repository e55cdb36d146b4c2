/**
 * Splits text into overlapping chunks along paragraph and sentence boundaries, so each chunk reads on its own
 * and a sentence cut at one chunk's end is whole in the next one.
 */
export function chunkText(text: string, { size = 1_000, overlap = 200 } = {}): string[] {
  const sentences = text
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    // A sentence ends at . ! or ? followed by white space, so "4.2", "bob@example.com" and URLs stay whole.
    .flatMap((paragraph) => paragraph.replace(/\s+/g, " ").trim().split(/(?<=[.!?]["')\]]*) /))
    .map((sentence) => sentence.trim())
    .filter(Boolean)
    .flatMap((sentence) => splitLong(sentence, size));

  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const sentence of sentences) {
    if (length + sentence.length > size && current.length > 0) {
      chunks.push(current.join(" "));
      // Carry the last sentences (up to `overlap` characters) into the next chunk.
      const carried: string[] = [];
      let carriedLength = 0;
      for (let i = current.length - 1; i >= 0 && carriedLength + current[i]!.length <= overlap; i--) {
        carried.unshift(current[i]!);
        carriedLength += current[i]!.length + 1;
      }
      current = carried;
      length = carriedLength;
    }
    current.push(sentence);
    length += sentence.length + 1;
  }
  if (current.length > 0) chunks.push(current.join(" "));
  return chunks;
}

function splitLong(sentence: string, size: number): string[] {
  if (sentence.length <= size) return [sentence];
  const parts: string[] = [];
  for (let i = 0; i < sentence.length; i += size) parts.push(sentence.slice(i, i + size));
  return parts;
}
