import { z } from "zod";

/** What search_gmail returns (lib/ai/tools/search-gmail.ts): each message's headers as Gmail gave them. */
export const emailMessagesOutput = z.object({
  query: z.string(),
  messages: z.array(z.object({ id: z.string(), subject: z.string(), from: z.string(), date: z.string(), snippet: z.string() })),
});

/** Found messages as sender and subject rows, newest as Gmail ordered them. */
export function EmailMessages({ output: { query, messages } }: { output: z.infer<typeof emailMessagesOutput> }) {
  if (messages.length === 0) return <p className="mt-1 text-zinc-700">No messages match “{query}”.</p>;
  return (
    <ul aria-label={`Messages matching “${query}”`} className="mt-2 divide-y divide-zinc-200">
      {messages.map((message) => (
        <li key={message.id} className="py-1.5 wrap-anywhere">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3">
            <span className="min-w-0 font-medium text-zinc-900">{message.from || "(unknown sender)"}</span>
            {message.date && <span className="text-xs text-zinc-600">{message.date}</span>}
          </div>
          <div className="text-zinc-800">{message.subject}</div>
          {message.snippet && <div className="line-clamp-2 text-xs text-zinc-600">{message.snippet}</div>}
        </li>
      ))}
    </ul>
  );
}
