import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/** Model output is untrusted: react-markdown renders no raw HTML, and links open safely in a new tab. */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose prose-zinc max-w-none prose-p:my-2 prose-ul:my-2 prose-pre:bg-zinc-900 prose-code:before:content-none prose-code:after:content-none">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        components={{ a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer" /> }}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}
