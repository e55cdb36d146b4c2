import { SandboxBadge } from "./sandbox-badge";

export function Landing() {
  return (
    <main className="mx-auto flex min-h-full max-w-2xl flex-col justify-center gap-6 px-6 py-16">
      <div className="flex items-center gap-3">
        <h1 className="text-3xl font-semibold tracking-tight">Delegate</h1>
        <SandboxBadge />
      </div>
      <p className="text-lg text-zinc-700">
        A personal AI assistant that acts only with the authority you delegate. It reads your calendar, mail and code
        with short-lived tokens issued for you, asks before it spends money, and only ever sees documents you may read.
      </p>
      <ul className="list-disc space-y-1 pl-5 text-zinc-700">
        <li>Your accounts are reached through Auth0 Token Vault — no API keys are stored.</li>
        <li>Purchases wait for your approval on another device.</li>
        <li>Fine-grained authorization decides what the assistant may read.</li>
      </ul>
      <div>
        <a
          href="/auth/login"
          className="inline-block rounded-md bg-indigo-600 px-5 py-2.5 font-medium text-white hover:bg-indigo-700 focus:outline-2 focus:outline-offset-2 focus:outline-indigo-600"
        >
          Log in
        </a>
      </div>
    </main>
  );
}
