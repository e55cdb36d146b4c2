import { Button } from "@/components/ui/button";
import { SandboxBadge } from "./sandbox-badge";

export function Landing() {
  return (
    <main className="mx-auto flex min-h-full max-w-2xl flex-col justify-center gap-6 px-6 py-16">
      <div className="flex items-center gap-3">
        <h1 className="text-3xl font-semibold tracking-tight">Delegate</h1>
        <SandboxBadge />
      </div>
      <p className="text-lg text-zinc-700">
        A personal AI assistant that acts only with the authority you delegate. It answers with tools that run as you,
        on the session you signed in with — never with a shared API key — and it shows you every tool it uses.
      </p>
      <div>
        {/* A full navigation: signing in goes through the auth routes, not a page the client router knows. */}
        <Button asChild size="lg">
          <a href="/auth/login">Log in</a>
        </Button>
      </div>
    </main>
  );
}
