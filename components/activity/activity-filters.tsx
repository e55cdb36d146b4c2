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

/** One filter: "Any", then each value, under its label on screen; its name and value are what the URL carries. */
function FilterSelect({ name, label, value, options }: { name: FilterField; label: string; value: string; options: { value: string; label: string }[] }) {
  const id = `activity-${name}`;
  return (
    <Field id={id} label={label}>
      <Select id={id} name={name} defaultValue={value}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
    </Field>
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
        <FilterSelect name="tool" label="Tool" value={values.tool} options={tools.map((tool) => ({ value: tool.name, label: tool.title }))} />
        <FilterSelect name="decision" label="Decision" value={values.decision} options={decisions.map((decision) => ({ value: decision, label: decisionLabel(decision) }))} />
        <FilterSelect name="outcome" label="Outcome" value={values.outcome} options={AUDIT_OUTCOMES.map((outcome) => ({ value: outcome, label: outcome }))} />
        <FilterSelect name="action" label="Event type" value={values.action} options={actions.map((action) => ({ value: action, label: actionLabel(action) }))} />
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
