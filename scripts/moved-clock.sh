#!/usr/bin/env bash
# Runs a command under a wall clock moved to a given moment (libfaketime, Debian's `faketime`),
# so the suite proves it does not depend on the day it runs (issue 13). The clock is moved by a
# relative offset, not pinned: every process (the test runner, the workers it starts) sees the
# same moved time, and time goes on ticking (sleeps and timeouts still work).
#   scripts/moved-clock.sh "2028-02-28 09:30 +08:00" .venv/bin/pytest -m "not browser"
set -euo pipefail
target="$1"; shift
if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is not installed (scripts/system-packages.sh installs it when run as root)" >&2
  exit 1
fi
offset=$(( $(date -d "$target" +%s) - $(date +%s) ))
sign=$([ "$offset" -lt 0 ] && echo "" || echo "+")
echo "Moved clock: $(date -d "$target" -u '+%Y-%m-%d %H:%M UTC') (offset ${offset}s)"
exec faketime -f "${sign}${offset}s" "$@"
