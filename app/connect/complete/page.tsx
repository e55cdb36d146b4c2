import { ConnectComplete } from "@/components/connect/connect-complete";

/** Where a connect-account flow lands (in the popup, or in the tab when popups are blocked). */
export default async function ConnectCompletePage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { chat, toolCall, connect_error: error } = await searchParams;
  return <ConnectComplete chatId={chat} toolCallId={toolCall} failed={error !== undefined} />;
}
