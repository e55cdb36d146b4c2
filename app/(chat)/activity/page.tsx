import { ActivityFilters } from "@/components/activity/activity-filters";
import { ActivityList } from "@/components/activity/activity-list";
import { auditEventFacets, listAuditEventsPage } from "@/db/queries/audit";
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
        <ul role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {query.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <ActivityFilters values={query.values} actions={facets.actions} decisions={facets.decisions} timeZone={query.timeZone} />
      <div className="mt-4 flex flex-wrap items-center gap-2 text-sm">
        <span className="text-zinc-600">Export (all pages, these filters):</span>
        <a href={exportHref("jsonl")} download className="rounded-md border border-zinc-300 px-3 py-1.5">
          Export JSON Lines
        </a>
        <a href={exportHref("csv")} download className="rounded-md border border-zinc-300 px-3 py-1.5">
          Export CSV
        </a>
      </div>
      <ActivityList events={events} timeZone={query.timeZone} />
      <nav aria-label="Pages" className="mt-6 flex gap-3 text-sm">
        {query.after && (
          <a href={`/activity?${activitySearch(query.values)}`} className="text-indigo-700 underline">
            Newest
          </a>
        )}
        {olderHref && (
          <a href={olderHref} className="text-indigo-700 underline">
            Older
          </a>
        )}
      </nav>
    </main>
  );
}
