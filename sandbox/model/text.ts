/** Word-level text normalisation shared by the planner and the embedder. */

export interface Word {
  /** As written, for quoting parts of the message back. */
  raw: string;
  start: number;
  end: number;
  /** Lower-case with contractions and possessives removed ("What's" → "what", "user's" → "user"). */
  lower: string;
  stem: string;
}

// Question words are deliberately absent: "who"/"what"/"when" are often the only clue to the right tool.
const STOPWORDS = new Set(
  (
    "a an the and or but if then else of at by for with about against between into through during before after " +
    "above below to from up down in out on off over under again further once all any both each few more " +
    "most other some such no nor not only own same so than too very can will just should now i me my mine myself we us " +
    "our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself they " +
    "them their theirs themselves this that these those am is are was were be been being have has had having do does " +
    "did doing would could might must shall may please pls kindly thank thanks also e g eg ie etc via anyone anybody " +
    "everyone everybody someone somebody anything everything something"
  ).split(" "),
);

export function isStopword(lower: string): boolean {
  return STOPWORDS.has(lower);
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

export function words(text: string): Word[] {
  return Array.from(text.matchAll(WORD), (match) => {
    const raw = match[0];
    const lower = raw.toLowerCase().replace(/(?:n['’]t|['’](?:s|re|ll|ve|d|m))$/, "");
    return { raw, start: match.index, end: match.index + raw.length, lower, stem: stem(lower) };
  });
}

/** Splits identifiers such as `get_user_profile`, `listRepos` or `slack-channels` into words. */
export function identifierWords(identifier: string): Word[] {
  return words(identifier.replace(/([a-z\d])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").replace(/[_\-.]/g, " "));
}

/**
 * A deliberately small suffix stripper: enough to make "events"/"event", "repositories"/"repository",
 * "finding"/"find" and "schedule"/"scheduling" meet, without a stemming library's surprises.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ["ing", "ed"]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** OpenAI's rule of thumb (~4 characters per token) is close enough for usage numbers nobody bills. */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
