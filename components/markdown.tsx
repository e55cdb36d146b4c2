import ReactMarkdown, { type Components, type ExtraProps } from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Model output is untrusted: text from a shared document, an email or a repository can tell the model what to
 * write. react-markdown renders no raw HTML, and its default urlTransform blanks javascript:, data: and other
 * unsafe URLs. On top of that, nothing in a reply makes the browser fetch anything by itself: images are shown
 * as their alt text and address, never loaded (an image URL is how injected text would smuggle data out, and
 * even a same-origin one would be a GET with the user's cookies). Links open in a new tab without a referrer
 * and show where they go when their text says something else.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose prose-zinc max-w-none break-words prose-p:my-2 prose-ul:my-2 prose-pre:bg-zinc-900 prose-code:before:content-none prose-code:after:content-none">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}

type HastNode = NonNullable<ExtraProps["node"]> | NonNullable<ExtraProps["node"]>["children"][number];

/** What a reader sees of a node: its text, with images as their alt text. */
function visibleText(node: HastNode | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value;
  if (node.type !== "element") return "";
  if (node.tagName === "img") return String(node.properties.alt ?? "");
  return node.children.map(visibleText).join("");
}

/** "https://example.com/" and "example.com" name the same place; a link whose text is its address needs no repeat. */
function comparable(address: string): string {
  return address.trim().toLowerCase().replace(/^(https?:\/\/|mailto:)/, "").replace(/\/$/, "");
}

const addressClass = "break-all font-normal text-zinc-500";

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
};
