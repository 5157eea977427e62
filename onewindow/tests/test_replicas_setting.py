"""DATABASE_REPLICA_URL (decision 49): unset, there is no "replica" alias and no router and every
read goes to the primary; set, a PostgreSQL alias mirrored in tests and the router; refused beside
SQLite."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from onewindow import clock, replicas
from onewindow.cases import services
from onewindow.cases.models import Case, CaseStep, Channel
from onewindow.personas import all_required, published_item

MONDAY = dt.date(2026, 11, 2)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_without_the_setting_there_is_no_alias_and_the_progress_page_reads_the_primary(world, client):
    item = published_item(world)
    with clock.frozen(MONDAY):
        submitted = services.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                                    channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        case = services.accept(submitted, by=world.clerk)
    assert replicas.REPLICA not in connections.settings and not django_settings.DATABASE_ROUTERS
    primary = CaptureQueriesContext(connections["default"])
    with primary:
        found = client.post("/progress/", {"number": case.number, "phone_last4": "5678"})
    assert (
        found.status_code == 200
        and _reads(primary, Case._meta.db_table)
        and _reads(primary, CaseStep._meta.db_table)
    )


def _settings(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DB_", "ONEWINDOW_PRODUCTION"))
    }
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", f"from onewindow import settings as s; {code}"],
                          env=clean | env, capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip


def test_the_setting_adds_a_mirrored_postgresql_alias_and_the_router():
    primary = "postgres://postgres@127.0.0.1:5432/onewindow_x"
    done = _settings(
        "r = s.DATABASES['replica']; print(r['HOST'], r['PORT'], r['NAME'], r['TEST'], "
        "r['OPTIONS']['options'], s.DATABASE_ROUTERS)",
        DATABASE_URL=primary, DATABASE_REPLICA_URL="postgres://postgres@10.0.0.2:5433/onewindow_x",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 4)[:3] == ["10.0.0.2", "5433", "onewindow_x"]
    assert "'MIRROR': 'default'" in done.stdout and "-c jit=off" in done.stdout
    assert "onewindow.replicas.ReplicaRouter" in done.stdout
    unset = _settings("print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []))", DATABASE_URL=primary)
    assert unset.returncode == 0 and unset.stdout.strip() == "['default'] []", unset.stderr


def test_the_setting_is_refused_with_sqlite_or_another_engine():
    on_sqlite = _settings("", DATABASE_URL="sqlite:////tmp/x.sqlite3", DATABASE_REPLICA_URL="postgres://h/db")
    assert (
        on_sqlite.returncode != 0
        and "ConfigError: DATABASE_REPLICA_URL needs a PostgreSQL primary" in on_sqlite.stderr
    )
    other = _settings("", DATABASE_URL="postgres://h/db", DATABASE_REPLICA_URL="sqlite:////tmp/x.sqlite3")
    assert (
        other.returncode != 0
        and "ConfigError: DATABASE_REPLICA_URL must be a PostgreSQL standby" in other.stderr
    )


def _reads(context, table):
    return [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("SELECT") and f'"{table}"' in q["sql"]
    ]
