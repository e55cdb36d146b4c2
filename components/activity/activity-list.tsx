import Link from "next/link";
import { LocalTime } from "@/components/activity/local-time";
import { messageElementId } from "@/components/chat/message-anchor";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import type { AuditEventRow } from "@/db/schema";
import { evidenceEntries } from "@/lib/audit/evidence";

const outcomeTones: Record<AuditEventRow["outcome"], BadgeTone> = {
  done: "success",
  error: "danger",
  cancelled: "neutral",
  denied: "warning",
  started: "info",
  interrupted: "warning",
};

/** Consecutive events of one chat turn form one group; an event outside a chat stands alone. */
function groupByTurn(events: AuditEventRow[]): AuditEventRow[][] {
  const groups: AuditEventRow[][] = [];
  for (const event of events) {
    const current = groups.at(-1);
    if (current && event.turnId !== null && current[0]!.turnId === event.turnId) current.push(event);
    else groups.push([event]);
  }
  return groups;
}

export function ActivityList({ events, timeZone }: { events: AuditEventRow[]; timeZone: string }) {
  if (events.length === 0) return <p className="mt-6 text-zinc-600">No activity matches.</p>;
  return (
    <ol aria-label="Activity" className="mt-6 space-y-4">
      {groupByTurn(events).map((group) => {
        const first = group[0]!;
        return first.turnId === null ? (
          <ActivityEntry key={first.id} event={first} timeZone={timeZone} />
        ) : (
          <li key={`turn-${first.id}`} aria-label="Chat turn">
            <Card className="border-indigo-200 bg-indigo-50/40 p-3">
              <p className="flex flex-wrap items-center gap-x-3 text-sm text-zinc-700">
                <span className="font-medium">Chat turn</span>
                {first.chatId && <ChatLink chatId={first.chatId} turnId={first.turnId} />}
              </p>
              <ol className="mt-2 space-y-2">
                {group.map((event) => (
                  <ActivityEntry key={event.id} event={event} timeZone={timeZone} inTurn />
                ))}
              </ol>
            </Card>
          </li>
        );
      })}
    </ol>
  );
}

/** A turn's events link to the message that started it (its id is the turn id); other chat events to the chat. */
const ChatLink = ({ chatId, turnId = null }: { chatId: string; turnId?: string | null }) => (
  <Link href={turnId ? `/chat/${chatId}#${messageElementId(turnId)}` : `/chat/${chatId}`} className="text-indigo-700 underline">
    {turnId ? "Open message in chat" : "Open chat"}
  </Link>
);

/** An MCP client's calls are kept under a conversation without messages (db/schema.ts), so there is nothing to open. */
const byMcpClient = (event: AuditEventRow) => (event.evidence as { via?: { channel?: unknown } } | null)?.via?.channel === "mcp";

function ActivityEntry({ event, timeZone, inTurn = false }: { event: AuditEventRow; timeZone: string; inTurn?: boolean }) {
  const details: Array<[string, string]> = [
    ...evidenceEntries(event.evidence),
    ...(event.toolCallId ? [["tool call id", event.toolCallId] as [string, string]] : []),
    ...(event.modelId ? [["model", event.modelId] as [string, string]] : []),
  ];
  return (
    <li aria-label={event.summary} className="min-w-0">
      <Card className="p-3">
        <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
          <p className="min-w-0 font-medium break-words">{event.summary}</p>
          <Badge tone={outcomeTones[event.outcome]}>{event.outcome}</Badge>
        </div>
        <p className="mt-1 flex flex-wrap gap-x-3 text-sm text-zinc-600">
          <LocalTime iso={event.occurredAt.toISOString()} fallbackZone={timeZone} />
          <span>{event.action}</span>
          {event.durationMs !== null && <span>{event.durationMs} ms</span>}
          {!inTurn && event.chatId && !byMcpClient(event) && <ChatLink chatId={event.chatId} />}
        </p>
        {details.length > 0 && (
          <dl aria-label="Evidence" className="mt-2 grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[minmax(8rem,max-content)_1fr]">
            {details.map(([term, description]) => (
              <div key={term} className="contents">
                <dt className="font-medium text-zinc-700">{term}</dt>
                <dd className="min-w-0 break-all text-zinc-900">{description}</dd>
              </div>
            ))}
          </dl>
        )}
      </Card>
    </li>
  );
}
