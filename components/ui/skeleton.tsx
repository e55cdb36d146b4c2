import { cn } from "./cn";

/** A grey placeholder block standing in for content that is still loading. */
export function Skeleton({ className, ...props }: React.ComponentProps<"div">) {
  return <div aria-hidden className={cn("animate-pulse rounded-md bg-zinc-200 motion-reduce:animate-none", className)} {...props} />;
}

/**
 * A page's outline while its data loads (a route's loading.tsx): screen readers hear "Loading <page>…", sighted
 * people see the heading and rows coming. Not for pages that may answer 404: streaming commits a 200 first.
 */
export function PageSkeleton({ title, rows = 4 }: { title: string; rows?: number }) {
  return (
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-4 py-8 sm:px-6" aria-busy>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p role="status" className="sr-only">
        Loading {title.toLowerCase()}…
      </p>
      <Skeleton className="mt-3 h-4 w-2/3" />
      <div className="mt-6 flex flex-col gap-3">
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton key={i} className={cn("h-16", i % 2 ? "w-11/12" : "w-full")} />
        ))}
      </div>
    </main>
  );
}
