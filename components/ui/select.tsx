import { cn } from "./cn";
import { fieldClassName } from "./input";

/**
 * A drop-down list: the browser's own <select>, styled like the other fields. It works in a plain form without
 * JavaScript, and phones open their own picker. Give it an accessible name with a `<label htmlFor>` or `aria-label`.
 */
export function Select({ className, ...props }: React.ComponentProps<"select">) {
  return <select className={cn(fieldClassName, "h-9 py-1.5", className)} {...props} />;
}
