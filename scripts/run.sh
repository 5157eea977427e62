#!/usr/bin/env bash
# `make run`: the periodic jobs beside the web server; both stop together.
set -euo pipefail
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
.venv/bin/python manage.py periodic --loop 60 &
jobs_pid=$!
trap 'kill -TERM $jobs_pid 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn onewindow.wsgi -b "$HOST:$PORT" -w "${WEB_WORKERS:-2}" --access-logfile -
