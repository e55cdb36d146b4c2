import { cn } from "./cn";

/** A form field's visible name; point `htmlFor` at the field. */
export function Label({ className, ...props }: React.ComponentProps<"label">) {
  return <label className={cn("text-sm font-medium text-zinc-900", className)} {...props} />;
}
