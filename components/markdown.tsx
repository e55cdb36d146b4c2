import type { CSSProperties } from "react";
import ReactMarkdown, { type Components, type ExtraProps } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { CodeBlock } from "./code-block";
import { completeStreamingMarkdown } from "./streaming-markdown";

/**
 * Model output is untrusted: text from a shared document, an email or a repository can tell the model what to
 * write. react-markdown renders no raw HTML, and its default urlTransform blanks javascript:, data: and other
 * unsafe URLs. On top of that, nothing in a reply makes the browser fetch anything by itself: images are shown
 * as their alt text and address, never loaded (an image URL is how injected text would smuggle data out, and
 * even a same-origin one would be a GET with the user's cookies). Links open in a new tab without a referrer
 * and show where they go when their text says something else.
 *
 * The same text renders while it streams: half-written Markdown is completed first (streaming-markdown.ts), and
 * code is highlighted by highlight.js grammars bundled in JavaScript (no WebAssembly, nothing fetched at run time).
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose prose-zinc max-w-none break-words prose-p:my-2 prose-ul:my-2 prose-code:before:content-none prose-code:after:content-none">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeHighlight]} components={components}>
        {completeStreamingMarkdown(children)}
      </ReactMarkdown>
    </div>
  );
}

type HastElement = NonNullable<ExtraProps["node"]>;
type HastNode = HastElement | HastElement["children"][number];

/** What a reader sees of a node: its text, with images as their alt text. */
function visibleText(node: HastNode | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value;
  if (node.type !== "element") return "";
  if (node.tagName === "img") return String(node.properties.alt ?? "");
  return node.children.map(visibleText).join("");
}

function childElements(node: HastElement | undefined, tagName: string): HastElement[] {
  return (node?.children ?? []).filter((child): child is HastElement => child.type === "element" && child.tagName === tagName);
}

/** "https://example.com/" and "example.com" name the same place; a link whose text is its address needs no repeat. */
function comparable(address: string): string {
  return address.trim().toLowerCase().replace(/^(https?:\/\/|mailto:)/, "").replace(/\/$/, "");
}

/** The fence's language as Markdown's `language-…` class names it. */
function codeLanguage(code: HastElement | undefined): string | null {
  const classes = code?.properties.className;
  const name = Array.isArray(classes) ? classes.map(String).find((c) => c.startsWith("language-")) : undefined;
  return name ? name.slice("language-".length) : null;
}

/** "Table: Product, Quantity, Total" — a scrolling region needs a name, and its header says what it holds. */
function tableName(table: HastElement | undefined): string {
  const headerRow = childElements(childElements(table, "thead")[0], "tr")[0];
  const headings = childElements(headerRow, "th").map(visibleText).map((text) => text.trim()).filter(Boolean);
  return headings.length > 0 ? `Table: ${headings.join(", ")}` : "Table";
}

const addressClass = "break-all font-normal text-zinc-500";

/** GFM column alignment as a class: the style attribute react-markdown would write is refused by the nonce-only style-src. */
const alignClass: Record<string, string> = { left: "text-left", center: "text-center", right: "text-right" };
const cellClass = (style: CSSProperties | undefined) => alignClass[String(style?.textAlign)];

const components: Components = {
  a: ({ node, href, children }) => {
    // urlTransform left nothing of an unsafe address: the text stays, without a way to follow it.
    if (!href) return <span>{children}</span>;
    const saysWhereItGoes = comparable(visibleText(node)) === comparable(href);
    return (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
        {!saysWhereItGoes && <span className={addressClass}> ({href})</span>}
      </a>
    );
  },
  img: ({ src, alt }) => (
    <span className="rounded bg-zinc-100 px-1 text-sm text-zinc-700" title="Images in replies are not loaded.">
      [image{alt ? `: ${alt}` : ""}]{typeof src === "string" && src ? <span className={addressClass}> ({src})</span> : null}
    </span>
  ),
  pre: ({ node, children }) => {
    const code = childElements(node, "code")[0];
    return (
      <CodeBlock language={codeLanguage(code)} code={visibleText(code)}>
        {children}
      </CodeBlock>
    );
  },
  // A wide table scrolls inside its own box (focusable, so a keyboard can scroll it too), not the page.
  table: ({ node, children }) => (
    <div role="region" aria-label={tableName(node)} tabIndex={0} className="my-3 overflow-x-auto">
      <table className="my-0">{children}</table>
    </div>
  ),
  th: ({ style, children }) => <th className={cellClass(style)}>{children}</th>,
  td: ({ style, children }) => <td className={cellClass(style)}>{children}</td>,
};
