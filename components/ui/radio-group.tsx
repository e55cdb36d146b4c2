"use client";

import * as RadioGroupPrimitive from "@radix-ui/react-radio-group";
import { cn } from "./cn";

/**
 * One choice among a few (Radix: role "radiogroup" of "radio"s, arrow keys move the choice, Tab leaves the group).
 * Name the group with `aria-label` or `aria-labelledby`, and each item with a `<label htmlFor>`.
 */
export function RadioGroup({ className, ...props }: React.ComponentProps<typeof RadioGroupPrimitive.Root>) {
  return <RadioGroupPrimitive.Root className={cn("grid gap-2", className)} {...props} />;
}

export function RadioGroupItem({ className, ...props }: React.ComponentProps<typeof RadioGroupPrimitive.Item>) {
  return (
    <RadioGroupPrimitive.Item
      className={cn(
        "flex size-4 shrink-0 cursor-pointer items-center justify-center rounded-full border border-zinc-500 bg-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-50 data-[state=checked]:border-indigo-600",
        className,
      )}
      {...props}
    >
      <RadioGroupPrimitive.Indicator className="size-2 rounded-full bg-indigo-600" />
    </RadioGroupPrimitive.Item>
  );
}
