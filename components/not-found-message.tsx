import Link from "next/link";
import { Button } from "@/components/ui/button";

/** What a 404 says: which thing was not found, why that may be, and a way on. */
export function NotFoundMessage({ title, explanation }: { title: string; explanation: string }) {
  return (
    <main className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-xl font-semibold">{title}</h1>
      <p className="text-zinc-600">{explanation}</p>
      <Button asChild variant="secondary">
        <Link href="/">Start a new chat</Link>
      </Button>
    </main>
  );
}
