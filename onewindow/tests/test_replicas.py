"""Read replicas (issue 21 item 5; decision 49): with a "replica" alias, the pages marked read-only
read the case tables there, while the rate limit's counter, the session, the login and every
write stay on the primary; without the setting there is no alias and everything is as before.

The alias here mirrors the test database (what settings do with DATABASE_REPLICA_URL under test:
TEST MIRROR) over a second connection, so every statement is seen on the connection it ran on.
A second connection sees only committed rows: the tests are transactional."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow import clock, ratelimit, replicas
from onewindow.accounts.models import Hall, Staff, User
from onewindow.cases import services
from onewindow.cases.models import Case, CaseStep, Channel, Status
from onewindow.personas import all_required, published_item
from onewindow.workdays import calendar
from onewindow.workdays.models import CalendarState, Day

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.date(2026, 11, 2)
CASES = Case._meta.db_table
STEPS = CaseStep._meta.db_table
CACHE = django_settings.CACHES["default"].get("LOCATION", "")
SQLITE = django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.fixture(scope="module")
def replica_alias():
    """The "replica" alias, as DATABASE_REPLICA_URL adds it, mirroring the test database. Added
    before the test's database set-up (a module fixture comes first), which must allow it."""
    assert replicas.REPLICA not in connections.settings
    connections.settings[replicas.REPLICA] = {
        **connections["default"].settings_dict,
        "TEST": {**connections["default"].settings_dict["TEST"], "MIRROR": "default"},
    }
    try:
        yield
    finally:
        connections[replicas.REPLICA].close()
        del connections[replicas.REPLICA]
        del connections.settings[replicas.REPLICA]


pytestmark = [
    pytest.mark.usefixtures("replica_alias"),
    pytest.mark.django_db(transaction=True, databases=["default", replicas.REPLICA]),
]


@pytest.fixture
def replica(settings):
    """The router, as DATABASE_REPLICA_URL installs it; the replica's connection."""
    settings.DATABASE_ROUTERS = ["onewindow.replicas.ReplicaRouter"]
    yield connections[replicas.REPLICA]
    connections[replicas.REPLICA].close()  # before the flush of the primary's tables


@pytest.fixture
def case(world) -> Case:
    item = published_item(world)
    with clock.frozen(MONDAY):
        submitted = services.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                                    channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        return services.accept(submitted, by=world.clerk)


def _sql(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries]


def _reads(context: CaptureQueriesContext, table: str) -> list[str]:
    return [s for s in _sql(context) if s.lstrip().upper().startswith("SELECT") and f'"{table}"' in s]


def _touching(context: CaptureQueriesContext, table: str) -> list[str]:
    return [s for s in _sql(context) if f'"{table}"' in s]


def _writes(context: CaptureQueriesContext, table: str) -> list[str]:
    return [
        s for s in _touching(context, table) if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def _both(replica_connection):
    return CaptureQueriesContext(connections["default"]), CaptureQueriesContext(replica_connection)


# ---- the pages marked read-only ---------------------------------------------------------------


def test_the_progress_page_reads_the_case_on_the_replica_and_counts_the_limit_on_the_primary(
    replica, case, client
):
    primary, standby = _both(replica)
    with primary, standby:
        found = client.post("/progress/", {"number": case.number, "phone_last4": "5678"})
    assert found.status_code == 200 and "食品经营许可（新办）" in found.content.decode()
    assert _reads(standby, CASES) and _reads(standby, STEPS)
    assert not _touching(primary, CASES) and not _touching(primary, STEPS)
    if CACHE:  # the database cache (REDIS_URL unset): the counter's rows on the primary only
        assert _writes(primary, CACHE) and not _touching(standby, CACHE)
    assert all(
        f'"{t}"' not in s for s in _sql(standby) for t in (Session._meta.db_table, User._meta.db_table)
    )
    # ...and it counted: the lookups after the limit are refused
    key = f"rl:progress:{ratelimit.client_address(found.wsgi_request)}"
    assert cache.get(key) == 1


def test_the_progress_api_too(replica, case, client):
    primary, standby = _both(replica)
    with primary, standby:
        found = client.get("/api/v1/progress", {"number": case.number, "phone_last4": "5678"})
    assert found.status_code == 200 and found.json()["number"] == case.number
    assert _reads(standby, CASES) and _reads(standby, STEPS)
    assert not _touching(primary, CASES)
    if CACHE:
        assert _writes(primary, CACHE) and not _touching(standby, CACHE)


def test_the_limit_still_refuses_with_a_replica(replica, case, client, settings):
    settings.ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW = 2
    answers = [client.post("/progress/", {"number": case.number, "phone_last4": "5678"}).status_code
               for _ in range(3)]  # fmt: skip
    assert answers == [200, 200, 429]


def test_the_dashboard_reads_the_cases_on_the_replica_and_the_login_on_the_primary(replica, world, case):
    supervisor = Client()
    supervisor.force_login(world.supervisor)
    calendar.invalidate()  # the page loads this process's calendar: from the primary
    primary, standby = _both(replica)
    with primary, standby, clock.frozen(MONDAY):
        page = supervisor.get("/staff/stats/")
    assert page.status_code == 200
    assert _reads(standby, CASES)
    assert not _touching(primary, CASES)
    # who may read the dashboard, and their scope, is decided on the primary
    assert _reads(primary, Session._meta.db_table) and _reads(primary, Staff._meta.db_table)
    for table in (
        Session._meta.db_table,
        User._meta.db_table,
        Staff._meta.db_table,
        CalendarState._meta.db_table,
    ):
        assert not _touching(standby, table), table
    # the calendar is loaded on the primary; the replica reads it only inside a case query's subquery
    day = Day._meta.db_table
    # (its load names the table's own columns: on PostgreSQL through a server-side cursor)
    assert [s for s in _sql(primary) if f'SELECT "{day}".' in s]
    assert not [s for s in _sql(standby) if f'SELECT "{day}".' in s]


def test_a_write_page_stays_on_the_primary(replica, world):
    item = published_item(world)
    with clock.frozen(MONDAY):
        submitted = services.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                                    channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
    clerk = Client()
    clerk.force_login(world.clerk)
    primary, standby = _both(replica)
    with primary, standby, clock.frozen(MONDAY):
        accepted = clerk.post(f"/staff/cases/{submitted.number}/accept/")
    assert accepted.status_code == 302
    assert Case.objects.get(pk=submitted.pk).status == Status.IN_REVIEW
    # (on PostgreSQL fastsql accepts with its prepared statements: EXECUTE, no table named)
    assert _sql(primary) and _sql(standby) == []


def test_a_page_not_marked_reads_the_primary(replica, world, case):
    clerk = Client()
    clerk.force_login(world.clerk)
    primary, standby = _both(replica)
    with primary, standby:
        page = clerk.get(f"/staff/cases/{case.number}/")
    assert page.status_code == 200 and _reads(primary, CASES)
    assert _sql(standby) == []


# ---- the router's rules -----------------------------------------------------------------------


def test_the_scope_reads_the_replica_until_it_writes_then_the_primary(replica, world):
    primary, standby = _both(replica)
    with primary, standby, replicas.read_only():
        assert Hall.objects.filter(code="T-HALL").exists()
        Hall.objects.filter(code="T-HALL").update(name="改名后的中心")
        assert Hall.objects.get(code="T-HALL").name == "改名后的中心"
    hall = Hall._meta.db_table
    assert len(_reads(standby, hall)) == 1 and _writes(primary, hall) and len(_reads(primary, hall)) == 1


def test_the_cache_the_session_the_login_and_the_calendar_are_never_read_on_the_replica(replica, world):
    primary, standby = _both(replica)
    with primary, standby, replicas.read_only():
        cache.set("replica-test", 1, 60)
        assert cache.get("replica-test") == 1
        assert User.objects.filter(username="clerk").exists()
        assert Staff.objects.exists()
        assert Day.objects.exists()
        assert not Session.objects.exists()
    assert _sql(standby) == []


def test_reads_inside_a_transaction_stay_on_the_primary(replica, world):
    primary, standby = _both(replica)
    with primary, standby, replicas.read_only(), transaction.atomic():
        assert Hall.objects.filter(code="T-HALL").exists()
    assert _sql(standby) == [] and _reads(primary, Hall._meta.db_table)


def test_outside_a_scope_everything_is_read_on_the_primary(replica, world):
    primary, standby = _both(replica)
    with primary, standby:
        assert Case.objects.count() == 0 and Hall.objects.exists()
    assert _sql(standby) == []


def test_an_object_read_on_the_replica_is_saved_on_the_primary(replica, world):
    with replicas.read_only():
        hall = Hall.objects.get(code="T-HALL")
    assert hall._state.db == replicas.REPLICA
    hall.name = "另一个名字"
    primary = CaptureQueriesContext(connections["default"])
    with primary:
        hall.save(update_fields=["name"])
    assert _writes(primary, Hall._meta.db_table)
    assert Hall.objects.get(code="T-HALL").name == "另一个名字"
