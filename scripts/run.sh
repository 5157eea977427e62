#!/usr/bin/env bash
# `make run`: the web server and, beside it, `manage.py worker` (SMS delivery and the periodic
# jobs). When either stops, or on Ctrl-C / SIGTERM, both stop: the worker finishes the message in
# hand and releases the rest of its batch, gunicorn finishes its requests.
set -euo pipefail
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# The address the QR codes of notices, licenses and tickets and the links in SMS carry
# (onewindow/links.py): what this serves, unless the operator named the public one. Bound to every
# interface (0.0.0.0 / ::), a phone reaches it at the machine's first address.
if [ -z "${ONEWINDOW_PUBLIC_URL:-}" ]; then
    PUBLIC_HOST="$HOST"
    if [ "$HOST" = "0.0.0.0" ] || [ "$HOST" = "::" ]; then
        PUBLIC_HOST=$(hostname -I 2>/dev/null | awk '{print $1}')
        PUBLIC_HOST="${PUBLIC_HOST:-127.0.0.1}"
    fi
    case "$PUBLIC_HOST" in *:*) PUBLIC_HOST="[$PUBLIC_HOST]" ;; esac
    export ONEWINDOW_PUBLIC_URL="http://$PUBLIC_HOST:$PORT"
fi
# The demo hall: a loopback public address is allowed (system check onewindow.E001).
export ONEWINDOW_DEMO="${ONEWINDOW_DEMO:-true}"
echo "Public address (QR codes, SMS links): $ONEWINDOW_PUBLIC_URL"
# The demo hall pays online through the payment provider simulator (/dev/pay/, decision 23) unless
# told otherwise; settings refuse the simulator outside DEBUG and the demo, so never in production.
case "$(echo "${ONEWINDOW_PRODUCTION:-false}/${ONEWINDOW_DEMO}" | tr '[:upper:]' '[:lower:]')" in
  1/*|true/*|yes/*|on/*) ;;
  */1|*/true|*/yes|*/on) export ONEWINDOW_PAYMENT_PROVIDER="${ONEWINDOW_PAYMENT_PROVIDER-simulator}" ;;
esac
.venv/bin/python manage.py worker &
worker_pid=$!
TMP_DIR=$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)  # the workers' heartbeat file: in memory, not on disk
.venv/bin/gunicorn onewindow.wsgi -b "$HOST:$PORT" -w "${WEB_WORKERS:-2}" --worker-tmp-dir "$TMP_DIR" --access-logfile - &
web_pid=$!
stop() { kill -TERM "$worker_pid" "$web_pid" 2>/dev/null || true; }
trap stop INT TERM
set +e
wait -n "$worker_pid" "$web_pid"
status=$?
stop
wait "$worker_pid" "$web_pid"
exit "$status"
