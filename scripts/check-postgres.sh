#!/usr/bin/env bash
# Is the test PostgreSQL reachable? Under CI=true an unreachable server is a failure;
# elsewhere we write a marker so the Makefile reports the PostgreSQL run as skipped.
set -uo pipefail
url="$1"
probe() {
  .venv/bin/python - "$url" <<'PY'
import sys
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

url = sys.argv[1]
try:
    psycopg.connect(url, connect_timeout=3).close()
except psycopg.OperationalError as exc:
    if "does not exist" not in str(exc):
        print(f"PostgreSQL not reachable at {url}: {exc}", file=sys.stderr)
        sys.exit(1)
    # The server is up but our database is not: create it (Django makes test_<name> from it).
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
PY
}
probe && exit 0
if [ "${CI:-}" = "true" ]; then
  # Start the local cluster once, as the machine's documentation says, before failing.
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
    probe && exit 0
  fi
  echo "CI=true: PostgreSQL is required for the test suite" >&2
  exit 1
fi
touch .postgres-unavailable
exit 0
