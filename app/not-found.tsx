import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex h-full flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-xl font-semibold">Chat not found</h1>
      <p className="text-zinc-600">It does not exist, or it belongs to someone else.</p>
      <Link href="/" className="text-sm font-medium text-indigo-700 underline">
        Start a new chat
      </Link>
    </main>
  );
}
