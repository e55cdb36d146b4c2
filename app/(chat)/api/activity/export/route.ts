import { parseActivityQuery } from "@/lib/audit/activity-query";
import { EXPORT_FORMATS, exportAuditEvents, exportFilename, type ExportFormat } from "@/lib/audit/export";
import { audited } from "@/lib/audit/record";
import { getCurrentUser } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";

/**
 * The signed-in user's activity as JSON Lines or CSV, under the Activity page's filters, streamed from the
 * database a page at a time. Only the session's own events: the user id comes from the session, never the query.
 */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Sign in to export your activity.");
  const params = new URL(request.url).searchParams;
  const format = params.get("format") ?? "";
  if (!Object.hasOwn(EXPORT_FORMATS, format)) return apiError("bad_request", `The format must be one of ${Object.keys(EXPORT_FORMATS).join(", ")}.`);
  const query = parseActivityQuery(params);
  if (query.problems.length > 0) return apiError("bad_request", query.problems.join(" "));
  const exportFormat = format as ExportFormat;
  // Reading one's whole history out is recorded like any other access to it, and fails closed like them: the
  // export's event is written before the file starts, and the file holds everything before that event.
  const filters = Object.fromEntries(Object.entries(query.values).filter(([, value]) => value !== ""));
  const event = { userId: user.sub, action: "activity.export", evidence: { format: exportFormat, filters }, summary: `Exported activity as ${EXPORT_FORMATS[exportFormat].name}` } as const;
  return audited(event, async (recorded) =>
    new Response(exportAuditEvents(user.sub, query.filter, exportFormat, recorded), {
      headers: {
        "content-type": EXPORT_FORMATS[exportFormat].contentType,
        "content-disposition": `attachment; filename="${exportFilename(exportFormat)}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    }),
  );
}
