#!/usr/bin/env bash
# A throwaway PostgreSQL 15 with pgvector behind PgBouncer in transaction mode — the way Supabase's and Neon's pooled
# URLs behave — for db/pooler.test.ts. Needs Debian's postgresql-15 and pgbouncer packages and pgvector built from
# source (see README.md, "Tests").
#
#   scripts/pooler-postgres.sh start   prints TEST_POOLER_DATABASE_URL=… (PgBouncer) and TEST_DIRECT_DATABASE_URL=…
#   scripts/pooler-postgres.sh stop
#
# POOLER_DIR (default /tmp/delegate-pooler) holds the data and logs; E2E_PORT_OFFSET moves both ports
# (Postgres 55432, PgBouncer 56432) so several checkouts can run side by side.
set -euo pipefail

dir="${POOLER_DIR:-/tmp/delegate-pooler}"
offset="${E2E_PORT_OFFSET:-0}"
pg_port=$((55432 + offset))
bouncer_port=$((56432 + offset))
bin=/usr/lib/postgresql/15/bin

# Neither PostgreSQL nor PgBouncer runs as root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust >"$dir/initdb.log"
  fi
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
    -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  PGOPTIONS="-c client_min_messages=warning" as_owner "$bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "create extension if not exists vector" postgres

  # Transaction mode with a small pool: consecutive transactions of one client land on different server
  # connections, as on a busy hosted pooler. `*` lets the tests create a database of their own.
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$pg_port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 200
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
EOF
  # PgBouncer 1.21+ can carry prepared statements across server connections (on by default from 1.22); Supabase's
  # pooler cannot, so neither does this one. Older versions refuse the unknown setting.
  local version
  version=$(pgbouncer --version | awk 'NR == 1 { print $2 }')
  if [ "$(printf '%s\n' 1.21 "$version" | sort -V | head -n 1)" = 1.21 ]; then
    echo "max_prepared_statements = 0" >>"$dir/pgbouncer.ini"
  fi
  echo '"postgres" ""' >"$dir/userlist.txt"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/pgbouncer.ini" "$dir/userlist.txt"
  as_owner pgbouncer -d -q "$dir/pgbouncer.ini"

  echo "TEST_POOLER_DATABASE_URL=postgres://postgres@127.0.0.1:$bouncer_port/postgres"
  echo "TEST_DIRECT_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres"
}

stop() {
  [ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  [ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
