# OneWindow — the two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/onewindow
# The second SQLite run's wall clock (libfaketime): a day in a provisional calendar year, so the
# suite proves it passes on any date, not only the week it was written (issue 13).
MOVED_CLOCK ?= 2028-02-28 09:30 +08:00
BENCH_PG ?= postgres://postgres@127.0.0.1:5432

.PHONY: run test lint test-sqlite test-postgres test-postgres-plain test-browser test-moved-clock venv system-packages migrate demo bench bench-quick clean

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

# `make run` serves the demo hall: ONEWINDOW_DEMO allows its loopback public address (the system
# check onewindow.E001 refuses one in production settings); scripts/run.sh sets
# ONEWINDOW_PUBLIC_URL to what it serves. Both reach the prerequisites (migrate, seed_demo) too.
run: export ONEWINDOW_DEMO ?= true
demo: export ONEWINDOW_DEMO ?= true
run: system-packages demo
	$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

# lint-imports: the import contracts of .importlinter (the layers, no cycle inside a module; decision 19).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test-sqlite: system-packages venv
	env -u DATABASE_URL $(VENV)/bin/pytest -m "not browser"

test-postgres: system-packages venv
	@bash scripts/check-postgres.sh "$(TEST_DATABASE_URL)" || exit $$?; \
	if [ -f .postgres-unavailable ]; then rm -f .postgres-unavailable; echo "SKIPPED PostgreSQL tests: server not reachable"; \
	else DATABASE_URL="$(TEST_DATABASE_URL)" $(VENV)/bin/pytest -m "not browser"; fi

# The PostgreSQL suite again with fastsql off (ONEWINDOW_FASTSQL=false, decision 17): submit and
# accept then read and write with the ORM like every other transition, and must keep every rule.
# PLAIN_TESTS: every module whose tests run case transitions (accounts, workdays and the tests
# of fastsql itself, which keep it on, run no transition: left out to keep `make test` shorter).
PLAIN_TESTS ?= $(filter-out onewindow/accounts/tests onewindow/workdays/tests onewindow/serials/tests,\
	$(patsubst %/__init__.py,%,$(wildcard onewindow/*/tests/__init__.py)))
test-postgres-plain: system-packages venv
	@bash scripts/check-postgres.sh "$(TEST_DATABASE_URL)" || exit $$?; \
	if [ -f .postgres-unavailable ]; then rm -f .postgres-unavailable; echo "SKIPPED PostgreSQL tests (fastsql off): server not reachable"; \
	else ONEWINDOW_FASTSQL=false DATABASE_URL="$(TEST_DATABASE_URL)" $(VENV)/bin/pytest -m "not browser" -q $(PLAIN_TESTS); fi

test-browser: system-packages venv
	$(PY) manage.py collectstatic --noinput -v0
	DJANGO_ALLOW_ASYNC_UNSAFE=true env -u DATABASE_URL $(VENV)/bin/pytest -m browser

# The SQLite suite again under a wall clock moved to MOVED_CLOCK: a test that passes only on the
# real date is a defect.
test-moved-clock: system-packages venv
	env -u DATABASE_URL bash scripts/moved-clock.sh "$(MOVED_CLOCK)" $(VENV)/bin/pytest -m "not browser" -q

test: lint test-sqlite test-postgres test-postgres-plain test-browser test-moved-clock

bench: venv
	$(PY) bench/workdays.py
	$(PY) bench/catalog.py
	$(PY) bench/guide_threshold.py --misses
	$(PY) bench/intake.py --raw-http
	$(PY) bench/intake_instructions.py
	$(PY) bench/hall_queue.py
	$(PY) bench/projects.py
	$(PY) bench/supervision.py
	$(PY) bench/hotline.py
	$(PY) bench/replica.py
	$(PY) bench/partitions.py
	$(PY) bench/province.py
	$(PY) bench/forecast.py

# Every bench at tiny sizes, in seconds, on databases of its own: proves none has rotted (.ci/run).
# The figures mean nothing at these sizes.
bench-quick: venv
	rm -rf var/bench-quick && mkdir -p var/bench-quick
	ONEWINDOW_VAR_DIR=var/bench-quick $(PY) bench/workdays.py --quick
	BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-quick/catalog.sqlite3 $(PY) bench/catalog.py --quick
	BENCH_DATABASE_URL=sqlite:///$(CURDIR)/var/bench-quick/guide.sqlite3 $(PY) bench/guide_threshold.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_quick $(PY) bench/intake.py --quick --raw-http
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_quick $(PY) bench/intake_instructions.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_queue_bench_quick $(PY) bench/hall_queue.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_projects_quick $(PY) bench/projects.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_supervision_quick $(PY) bench/supervision.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_hotline_quick $(PY) bench/hotline.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_replica_bench_quick $(PY) bench/replica.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_partition_bench_quick $(PY) bench/partitions.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_province_quick $(PY) bench/province.py --quick
	BENCH_DATABASE_URL=$(BENCH_PG)/onewindow_bench_forecast_quick $(PY) bench/forecast.py --quick

clean:
	rm -rf $(VENV) staticfiles *.egg-info
