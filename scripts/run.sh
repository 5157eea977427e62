#!/usr/bin/env bash
# `make run`: the web server and, beside it, `manage.py worker` (SMS delivery and the periodic
# jobs). When either stops, or on Ctrl-C / SIGTERM, both stop: the worker finishes the message in
# hand and releases the rest of its batch, gunicorn finishes its requests.
set -euo pipefail
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# The demo pays online through the payment provider simulator (/dev/pay/, decision 23) unless told
# otherwise; production refuses the simulator, so it is never the default there.
case "$(echo "${ONEWINDOW_PRODUCTION:-false}" | tr '[:upper:]' '[:lower:]')" in
  1|true|yes|on) ;;
  *) export ONEWINDOW_PAYMENT_PROVIDER="${ONEWINDOW_PAYMENT_PROVIDER-simulator}" ;;
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
