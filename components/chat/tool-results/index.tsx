import type { ReactNode } from "react";
import type { z } from "zod";
import { CalendarEvents, calendarEventsOutput } from "./calendar-events";
import { EmailMessages, emailMessagesOutput } from "./email-messages";
import { OrderReceipt, orderReceiptOutput } from "./order-receipt";
import { Repositories, repositoriesOutput } from "./repositories";

/** Renders a tool's output as the tool's own view, or null when the output is not what the view was written for. */
type ToolResultView = (output: unknown) => ReactNode | null;

function view<Output>(schema: z.ZodType<Output>, View: (props: { output: Output }) => ReactNode): ToolResultView {
  return function renderIfExpected(output) {
    const parsed = schema.safeParse(output);
    return parsed.success ? <View output={parsed.data} /> : null;
  };
}

/** Tools whose results read better as their own view than as the generic one-line summary; keys are tool names. */
export const toolResultViews: Record<string, ToolResultView> = {
  get_calendar_events: view(calendarEventsOutput, CalendarEvents),
  search_gmail: view(emailMessagesOutput, EmailMessages),
  list_github_repositories: view(repositoriesOutput, Repositories),
  buy_product: view(orderReceiptOutput, OrderReceipt),
};

/**
 * The tool's own view of its output, or null for the generic card: for any other tool, and for output that is not
 * what the view expects (tool output is outside data, checked before it is shown).
 */
export function renderToolResult(name: string, output: unknown): ReactNode | null {
  return Object.hasOwn(toolResultViews, name) ? toolResultViews[name]!(output) : null;
}
