import { LocalTime } from "@/components/activity/local-time";
import { OutsideApprovalAnswer } from "@/components/approve/outside-approval-answer";
import { Card } from "@/components/ui/card";
import { declarationOf } from "@/lib/ai/tools";
import { getCurrentUser } from "@/lib/auth/session";
import { NOT_WAITING, toolOfOutsideCall, waitingOutsideApproval } from "@/lib/chat/outside-approvals";
import { approvalFields } from "@/lib/chat/tool-summary";

export const metadata = { title: "Approve an action · Delegate" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the user says yes or no to a call an MCP client asked for; only the call's owner finds it. */
export default async function ApprovePage({ params }: { params: Promise<{ chatId: string; toolCallId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return null; // the layout shows the landing page
  const { chatId, toolCallId: encoded } = await params;
  const toolCallId = decodeURIComponent(encoded);
  const tool = toolOfOutsideCall(toolCallId);
  const declaration = tool ? declarationOf(tool) : undefined;
  const request = UUID.test(chatId) && declaration ? await waitingOutsideApproval({ userId: user.sub, chatId, toolCallId }) : null;

  return (
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-4 py-8 sm:px-6">
      {!request || !declaration ? (
        <>
          <h1 className="text-2xl font-semibold">Nothing to approve</h1>
          <p className="mt-2 text-zinc-700">{NOT_WAITING}</p>
        </>
      ) : (
        <>
          <h1 className="text-2xl font-semibold">Approve: {declaration.title}</h1>
          <p className="mt-1 text-zinc-600">
            The MCP client <strong className="break-all font-medium text-zinc-900">{request.clientId ?? "(unknown)"}</strong>, an app you connected to
            Delegate, asks to do this for you. Approve only if you asked that app for it. Nothing happens unless you approve, and then only exactly
            this, once. Answer by{" "}
            <LocalTime iso={request.expiresAt.toISOString()} fallbackZone="UTC" />.
          </p>
          <Card className="mt-4 p-4">
            <OutsideApprovalAnswer chatId={chatId} toolCallId={toolCallId} title={declaration.title} fields={approvalFields(request.input)} />
          </Card>
        </>
      )}
    </main>
  );
}
