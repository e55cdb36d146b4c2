import type postgres from "postgres";

// Test support for the audit trail: reading CSV exports back as a spreadsheet would, and a database that refuses
// every audit write.

/** A minimal RFC 4180 reader, so the test checks what a spreadsheet would read, not the writer's own idea of it. */
export function parseCsv(input: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted && c === '"' && input[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += c;
    } else if (c === ",") {
      endField();
    } else if (c === "\r" && input[i + 1] === "\n") {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

/** Makes every audit insert fail, as a full disk or a lost connection would, for the duration of `run`. */
export async function withFailingAuditWrites(sql: postgres.Sql, run: () => Promise<void>) {
  await sql.unsafe(`create function audit_fails() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`);
  await sql`create trigger audit_fails before insert on audit_events for each row execute function audit_fails()`;
  try {
    await run();
  } finally {
    await sql`drop trigger audit_fails on audit_events`;
    await sql`drop function audit_fails()`;
  }
}
