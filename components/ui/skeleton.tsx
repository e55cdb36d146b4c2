import { cn } from "./cn";

/** A grey placeholder block standing in for content that is still loading. */
export function Skeleton({ className, ...props }: React.ComponentProps<"div">) {
  return <div aria-hidden className={cn("animate-pulse rounded-md bg-zinc-200 motion-reduce:animate-none", className)} {...props} />;
}

/** A page's outline while its data loads: screen readers hear "Loading…", sighted people see the shape coming. */
export function PageSkeleton({ lines = 4 }: { lines?: number }) {
  return (
    <main className="mx-auto flex w-full max-w-3xl flex-1 flex-col gap-4 p-4 md:p-8" aria-busy>
      <p role="status" className="sr-only">
        Loading…
      </p>
      <Skeleton className="h-7 w-48" />
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} className={cn("h-16", i % 2 ? "w-3/4" : "w-full")} />
      ))}
    </main>
  );
}
