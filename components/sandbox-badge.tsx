import { sandboxServices } from "@/lib/config";

const labels: Record<string, string> = {
  identity: "identity server (not Auth0)",
  model: "scripted model (set OPENAI_API_KEY for a real LLM)",
  database: "PGlite database",
  providers: "Google, GitHub and Slack stand-ins",
  shop: "shop (not a real store)",
  fga: "OpenFGA-compatible authorization",
};

/** Says plainly which services are local stand-ins, so nobody mistakes the sandbox for the real thing. */
export function SandboxBadge() {
  const services = sandboxServices();
  if (services.length === 0) return null;
  const description = `Sandbox: ${services.map((s) => labels[s] ?? s).join(", ")}`;
  return (
    <span
      role="status"
      title={description}
      aria-label={description}
      className="rounded-full border border-amber-300 bg-amber-50 px-2.5 py-0.5 text-xs font-medium text-amber-900"
    >
      Sandbox<span className="hidden sm:inline"> · {services.join(", ")}</span>
    </span>
  );
}
