import { TimeZoneField } from "@/components/activity/local-time";
import type { FilterField } from "@/lib/audit/activity-query";
import { actionLabel, decisionLabel } from "@/components/activity/labels";
import { AUDIT_OUTCOMES } from "@/db/schema";

const fieldClass = "mt-1 block w-full min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm";

/** A plain GET form: it works without JavaScript and the filtered page's URL can be shared or bookmarked. */
export function ActivityFilters({ values, actions, decisions, timeZone }: { values: Record<FilterField, string>; actions: string[]; decisions: string[]; timeZone: string }) {
  return (
    <form method="get" action="/activity" aria-label="Filter activity" className="mt-6 grid grid-cols-1 gap-3 rounded-lg border border-zinc-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-3">
      <label className="text-sm font-medium">
        Tool or action
        <select name="action" defaultValue={values.action} className={fieldClass}>
          <option value="">Any</option>
          {actions.map((action) => (
            <option key={action} value={action}>
              {actionLabel(action)}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium">
        Decision
        <select name="decision" defaultValue={values.decision} className={fieldClass}>
          <option value="">Any</option>
          {decisions.map((decision) => (
            <option key={decision} value={decision}>
              {decisionLabel(decision)}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium">
        Outcome
        <select name="outcome" defaultValue={values.outcome} className={fieldClass}>
          <option value="">Any</option>
          {AUDIT_OUTCOMES.map((outcome) => (
            <option key={outcome}>{outcome}</option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium">
        From
        <input type="date" name="from" defaultValue={values.from} className={fieldClass} />
      </label>
      <label className="text-sm font-medium">
        To
        <input type="date" name="to" defaultValue={values.to} className={fieldClass} />
      </label>
      <TimeZoneField fallbackZone={timeZone} />
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white">
          Apply filters
        </button>
        <a href="/activity" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm">
          Clear
        </a>
      </div>
    </form>
  );
}
