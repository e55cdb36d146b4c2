import { Button } from "@/components/ui/button";

/** What Delegate can do, asked the way a person would: one of each kind of tool. */
export const SUGGESTIONS = [
  "Who am I?",
  "What's on my calendar today?",
  "Do I have any emails about invoices?",
  "Which GitHub repositories do I have?",
  "Buy 1 Acme Widget",
  "How many vacation days do we get?",
] as const;

export function Suggestions({ onPick, disabled }: { onPick: (question: string) => void; disabled: boolean }) {
  return (
    <ul aria-label="Suggestions" className="mt-6 flex flex-wrap justify-center gap-2">
      {SUGGESTIONS.map((question) => (
        <li key={question}>
          <Button variant="secondary" size="sm" disabled={disabled} onClick={() => onPick(question)} className="rounded-full font-normal text-zinc-700 hover:border-indigo-400 hover:text-indigo-700">
            {question}
          </Button>
        </li>
      ))}
    </ul>
  );
}
