import remend, { isWithinCodeBlock, type RemendHandler } from "remend";

/**
 * A table's header row streams in before its delimiter row, and until the delimiter is whole GFM reads the header
 * as a paragraph of pipes: the reply would show "| Product | Qua" as text, then jump into a table. Completing
 * the delimiter row from the header's cells shows the table from its first row on.
 */
const tableHeaderWithoutDelimiter: RemendHandler = {
  name: "table-header-without-delimiter",
  handle(text) {
    const lines = text.split("\n");
    const last = lines.length - 1;
    const partialDelimiter = /^\s*\|?[\s:|-]*$/.test(lines[last]!) && last > 0 && looksLikeHeader(lines[last - 1]!);
    const headerIndex = partialDelimiter ? last - 1 : last;
    const header = lines[headerIndex]!;
    if (!looksLikeHeader(header) || (headerIndex > 0 && lines[headerIndex - 1]!.trim() !== "")) return text;
    const offset = lines.slice(0, headerIndex).join("\n").length;
    if (isWithinCodeBlock(text, offset + 1)) return text;
    const cells = cellsOf(header).length;
    if (partialDelimiter && isDelimiterRow(lines[last]!, cells)) return text;
    return [...lines.slice(0, headerIndex + 1), `|${" --- |".repeat(cells)}`].join("\n");
  },
};

function cellsOf(row: string): string[] {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|");
}

/** A whole delimiter row (alignment colons and all) is left as written. */
function isDelimiterRow(row: string, cells: number): boolean {
  const delimiters = cellsOf(row);
  return delimiters.length === cells && delimiters.every((cell) => /^\s*:?-+:?\s*$/.test(cell));
}

/** A row that opens with a pipe and has at least one more: how the sandbox and real models write a table header. */
function looksLikeHeader(line: string): boolean {
  return /^\s*\|.*\|/.test(line) && !/^\s*\|?[\s:|-]*$/.test(line);
}

/**
 * Markdown as it should look while it is still arriving: unclosed emphasis, code and links are closed (Streamdown's
 * `remend`), a half link shows only its text (no placeholder address to follow), and a table header shows as a
 * table. Well-formed Markdown passes through unchanged.
 */
export function completeStreamingMarkdown(markdown: string): string {
  return remend(markdown, { linkMode: "text-only", katex: false, handlers: [tableHeaderWithoutDelimiter] });
}
