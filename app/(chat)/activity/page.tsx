import { ActivityFilters } from "@/components/activity/activity-filters";
import { ActivityList } from "@/components/activity/activity-list";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { auditEventFacets, listAuditEventsPage } from "@/db/queries/audit";
import { toolTitles } from "@/lib/ai/tools";
import { toolTitle } from "@/lib/chat/tool-summary";
import { activitySearch, encodeCursor, parseActivityQuery } from "@/lib/audit/activity-query";
import { getCurrentUser } from "@/lib/auth/session";

const PAGE_SIZE = 50;

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ActivityPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await getCurrentUser();
  if (!user) return null; // the layout shows the landing page
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) if (typeof value === "string") params.set(key, value);
  const query = parseActivityQuery(params);
  const [facets, rows] = await Promise.all([auditEventFacets(user.sub), listAuditEventsPage(user.sub, query.filter, { after: query.after, limit: PAGE_SIZE + 1 })]);
  // A filter the user's events do not hold (yet) is still offered, so the form shows what the list is filtered by.
  const offered = (values: string[], current: string) => (current && !values.includes(current) ? [...values, current] : values);
  const titles = toolTitles();
  const tools = offered(facets.tools, query.filter.tool ?? "")
    .map((name) => ({ name, title: toolTitle(name, titles) }))
    .sort((a, b) => a.title.localeCompare(b.title));
  const events = rows.slice(0, PAGE_SIZE);
  const last = events.at(-1);
  const olderHref = rows.length > PAGE_SIZE && last ? `/activity?${activitySearch(query.values, { after: encodeCursor(last) })}` : null;
  const exportHref = (format: string) => `/api/activity/export?${activitySearch(query.values, { format })}`;

  return (
    <main className="mx-auto w-full max-w-3xl min-w-0 flex-1 overflow-y-auto px-4 py-8 sm:px-6">
      <h1 className="text-2xl font-semibold">Activity</h1>
      <p className="mt-1 text-zinc-600">
        What Delegate did for you and which permission allowed it, newest first. Only you can see your activity.
      </p>
      {query.problems.length > 0 && (
        <Alert className="mt-4">
          {query.problems.map((problem) => (
            <span key={problem} className="block">
              {problem}
            </span>
          ))}
        </Alert>
      )}
      <ActivityFilters values={query.values} actions={offered(facets.actions, query.filter.action ?? "")} tools={tools} decisions={offered(facets.decisions, query.filter.decision ?? "")} timeZone={query.timeZone} />
      <div className="mt-4 flex flex-wrap items-center gap-2 text-sm">
        <span className="text-zinc-600">Export (all pages, these filters):</span>
        <Button asChild variant="secondary" size="sm">
          <a href={exportHref("jsonl")} download>
            Export JSON Lines
          </a>
        </Button>
        <Button asChild variant="secondary" size="sm">
          <a href={exportHref("csv")} download>
            Export CSV
          </a>
        </Button>
      </div>
      <ActivityList events={events} timeZone={query.timeZone} />
      <nav aria-label="Pages" className="mt-6 flex gap-2">
        {query.after && (
          <Button asChild variant="secondary" size="sm">
            <a href={`/activity?${activitySearch(query.values)}`}>Newest</a>
          </Button>
        )}
        {olderHref && (
          <Button asChild variant="secondary" size="sm">
            <a href={olderHref}>Older</a>
          </Button>
        )}
      </nav>
    </main>
  );
}
