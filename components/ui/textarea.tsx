import { fieldClassName } from "./input";
import { cn } from "./cn";

/** A multi-line text field. Give it an accessible name with a `<label htmlFor>` or `aria-label`. */
export function Textarea({ className, ...props }: React.ComponentProps<"textarea">) {
  return <textarea className={cn(fieldClassName, "min-h-20 resize-y", className)} {...props} />;
}
