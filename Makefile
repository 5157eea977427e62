# OneWindow — the two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/onewindow

.PHONY: run test lint test-sqlite test-postgres test-browser venv system-packages migrate demo bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# Debian packages the hall needs: CJK fonts for PDFs, Chromium for the browser tests.
system-packages:
	@bash scripts/system-packages.sh

migrate: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_calendar

demo: migrate
	$(PY) manage.py seed_demo

run: system-packages demo
	$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-sqlite: system-packages venv
	env -u DATABASE_URL $(VENV)/bin/pytest -m "not browser"

test-postgres: system-packages venv
	@bash scripts/check-postgres.sh "$(TEST_DATABASE_URL)" || exit $$?; \
	if [ -f .postgres-unavailable ]; then rm -f .postgres-unavailable; echo "SKIPPED PostgreSQL tests: server not reachable"; \
	else DATABASE_URL="$(TEST_DATABASE_URL)" $(VENV)/bin/pytest -m "not browser"; fi

test-browser: system-packages venv
	$(PY) manage.py collectstatic --noinput -v0
	DJANGO_ALLOW_ASYNC_UNSAFE=true env -u DATABASE_URL $(VENV)/bin/pytest -m browser

test: lint test-sqlite test-postgres test-browser

bench: venv
	$(PY) bench/workdays.py
	$(PY) bench/catalog.py
	$(PY) bench/intake.py --raw-http
	$(PY) bench/intake_instructions.py
	$(PY) bench/queue.py
	$(PY) bench/projects.py

clean:
	rm -rf $(VENV) staticfiles *.egg-info
