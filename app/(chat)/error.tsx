"use client";

import { Button } from "@/components/ui/button";

/** Any page of the signed-in app that fails to render: say so, keep the sidebar, and offer to render it again. */
export default function PageError({ retry }: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <main className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="max-w-md text-zinc-600">This page could not be shown. Nothing you saved is lost; trying again usually helps.</p>
      <Button onClick={retry}>Try again</Button>
    </main>
  );
}
