import { cn } from "./cn";

const tones = {
  neutral: "bg-zinc-100 text-zinc-700",
  success: "bg-green-50 text-green-800",
  warning: "bg-amber-50 text-amber-900",
  danger: "bg-red-50 text-red-800",
  info: "bg-sky-50 text-sky-900",
};

export type BadgeTone = keyof typeof tones;

/** A short word that labels a thing's state ("done", "denied"); the word itself carries the meaning, not the colour. */
export function Badge({ tone = "neutral", className, ...props }: React.ComponentProps<"span"> & { tone?: BadgeTone }) {
  return <span className={cn("inline-flex items-center rounded px-2 py-0.5 text-xs font-medium", tones[tone], className)} {...props} />;
}
