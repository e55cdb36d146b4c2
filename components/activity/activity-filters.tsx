import { TimeZoneField } from "@/components/activity/local-time";
import { actionLabel, decisionLabel } from "@/components/activity/labels";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { AUDIT_OUTCOMES } from "@/db/schema";
import type { FilterField } from "@/lib/audit/activity-query";

/** A field of the filter form: its label above it, the two tied by id. */
function Field({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <Label htmlFor={id}>{label}</Label>
      {children}
    </div>
  );
}

/** A tool the user's events are about: its name in the URL, its title on screen. */
export interface ToolChoice {
  name: string;
  title: string;
}

/** A plain GET form: it works without JavaScript and the filtered page's URL can be shared or bookmarked. */
export function ActivityFilters({
  values,
  actions,
  tools,
  decisions,
  timeZone,
}: {
  values: Record<FilterField, string>;
  actions: string[];
  tools: ToolChoice[];
  decisions: string[];
  timeZone: string;
}) {
  return (
    <Card className="mt-6 p-4">
      <form method="get" action="/activity" aria-label="Filter activity" className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <Field id="activity-tool" label="Tool">
          <Select id="activity-tool" name="tool" defaultValue={values.tool}>
            <option value="">Any</option>
            {tools.map((tool) => (
              <option key={tool.name} value={tool.name}>
                {tool.title}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="activity-decision" label="Decision">
          <Select id="activity-decision" name="decision" defaultValue={values.decision}>
            <option value="">Any</option>
            {decisions.map((decision) => (
              <option key={decision} value={decision}>
                {decisionLabel(decision)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="activity-outcome" label="Outcome">
          <Select id="activity-outcome" name="outcome" defaultValue={values.outcome}>
            <option value="">Any</option>
            {AUDIT_OUTCOMES.map((outcome) => (
              <option key={outcome}>{outcome}</option>
            ))}
          </Select>
        </Field>
        <Field id="activity-action" label="Event type">
          <Select id="activity-action" name="action" defaultValue={values.action}>
            <option value="">Any</option>
            {actions.map((action) => (
              <option key={action} value={action}>
                {actionLabel(action)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="activity-from" label="From">
          <Input id="activity-from" type="date" name="from" defaultValue={values.from} />
        </Field>
        <Field id="activity-to" label="To">
          <Input id="activity-to" type="date" name="to" defaultValue={values.to} />
        </Field>
        <TimeZoneField fallbackZone={timeZone} />
        <div className="flex items-end gap-2">
          <Button type="submit">Apply filters</Button>
          <Button asChild variant="secondary">
            <a href="/activity">Clear</a>
          </Button>
        </div>
      </form>
    </Card>
  );
}
