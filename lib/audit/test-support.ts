import type postgres from "postgres";

// Test support for the audit trail: reading CSV exports back as a spreadsheet would, a database that refuses audit
// writes, and one whose trail was rewritten behind the triggers' back.

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

/**
 * Makes audit inserts fail, as a full disk or a lost connection would, for the duration of `run`: every one, or those
 * matching `when`, a condition on the new row (`NEW.evidence ->> 'decision' = 'requested'`), to fail one step of many.
 */
export async function withFailingAuditWrites(sql: postgres.Sql, run: () => Promise<void>, { when }: { when?: string } = {}) {
  await sql.unsafe(`create function audit_fails() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$`);
  await sql.unsafe(`create trigger audit_fails before insert on audit_events for each row ${when ? `when (${when})` : ""} execute function audit_fails()`);
  try {
    await run();
  } finally {
    await sql`drop trigger audit_fails on audit_events`;
    await sql`drop function audit_fails()`;
  }
}

/**
 * Runs `change` as the superuser with the append-only triggers off, as an attacker with database access could:
 * what `npm run audit:verify` must find.
 */
export async function tamper(sql: postgres.Sql, change: (tx: postgres.TransactionSql) => Promise<unknown>) {
  await sql.begin(async (tx) => {
    await tx`alter table audit_events disable trigger user`;
    await tx`alter table audit_chains disable trigger user`;
    await change(tx);
    await tx`alter table audit_events enable trigger user`;
    await tx`alter table audit_chains enable trigger user`;
  });
}
