import { DefaultToolSwitch, MyToolSwitch, UseDefaultButton } from "@/components/permissions/tool-switch";
import { Alert } from "@/components/ui/alert";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { offeredDeclarations } from "@/lib/ai/tools";
import { authorizersOf, type ToolRisk } from "@/lib/ai/tools/pipeline";
import { getCurrentUser } from "@/lib/auth/session";
import { FgaUnavailableError } from "@/lib/fga/client";
import { toolPermissionsOf, type ToolPermissions } from "@/lib/fga/tool-permissions";

export const metadata = { title: "Agent permissions · Delegate" };

const RISK: Record<ToolRisk, string> = { read: "Reads your data", write: "Changes your data", spend: "Spends money" };

export default async function PermissionsPage() {
  const user = await getCurrentUser();
  if (!user) return null; // the layout shows the landing page
  const tools = offeredDeclarations();
  let permissions: ToolPermissions | null = null;
  try {
    permissions = await toolPermissionsOf(
      user.sub,
      tools.map((tool) => tool.name),
    );
  } catch (error) {
    if (!(error instanceof FgaUnavailableError)) throw error;
  }

  return (
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-4 py-8 sm:px-6">
      <h1 className="text-2xl font-semibold">Agent permissions</h1>
      <p className="mt-1 text-zinc-600">
        What Delegate may do for you. A change applies from your next message; every use is checked again when it happens and recorded in Activity.
      </p>
      {!permissions ? (
        <Alert className="mt-4">
          The permission service is not answering, so your choices cannot be shown or changed, and Delegate uses no tool until it answers. Try again in a moment.
        </Alert>
      ) : (
        <>
          {permissions.administrator && (
            <Card className="mt-4 border-indigo-200 bg-indigo-50 px-3 py-2 text-sm text-indigo-900 shadow-none">
              You are an administrator: each tool also shows its default for everyone, which applies to everyone who has not chosen for themselves.
            </Card>
          )}
          <ul className="mt-6 space-y-3">
            {tools.map((tool) => {
              const state = permissions.tools.find((each) => each.tool === tool.name)!;
              const defaultWord = state.onByDefault ? "on" : "off";
              return (
                <li key={tool.name} aria-label={tool.title}>
                  <Card className="p-4">
                    <div className="flex items-start justify-between gap-4">
                      <div className="min-w-0">
                        <CardTitle as="h2" className="font-medium">
                          {tool.title}
                        </CardTitle>
                        <CardDescription className="mt-0.5 text-zinc-700">{tool.about}</CardDescription>
                        <CardDescription className="mt-1">
                          <span className="font-medium">{RISK[tool.risk]}.</span> Before each use: {authorizersOf(tool).map((authorizer) => authorizer.label).join(", then ")}.
                        </CardDescription>
                        <CardDescription className="mt-1">
                          {state.choice ? (
                            <>
                              Your choice; the default for everyone is {defaultWord}. <UseDefaultButton tool={tool.name} title={tool.title} />
                            </>
                          ) : (
                            `The default for everyone (${defaultWord}).`
                          )}
                        </CardDescription>
                      </div>
                      <MyToolSwitch tool={tool.name} title={tool.title} usable={state.usable} onByDefault={state.onByDefault} />
                    </div>
                    {permissions.administrator && (
                      <div className="mt-3 flex items-center justify-between gap-4 border-t border-zinc-200 pt-3 text-sm">
                        <span className="font-medium text-zinc-700">Default for everyone</span>
                        <DefaultToolSwitch tool={tool.name} title={tool.title} onByDefault={state.onByDefault} />
                      </div>
                    )}
                  </Card>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </main>
  );
}
