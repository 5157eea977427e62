"""Benchmark: a province's worth of cases on PostgreSQL — the same hall measured in a database of
200,000 cases and then of 10,000,000 (issue 21 item 5; decision 48; docs/scaling.md). Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench_province, dropped and recreated), then makes it
a province: 16 cities and 140 counties, each with its government service center (156 halls), the
other halls each with their own 17 departments, and a pool of applicants (legal persons). Cases
are generated inside PostgreSQL (INSERT … SELECT over generate_series and date templates of the
real working-day calendar — no row crosses the socket, faster than COPY from a client) with their
submit and accept events (closed ones also their decision), the open suspensions, and the state
the sweeps of the days before today left (Urges, over-time Violations, SMS).

The measured hall is the demo's city hall (德州市政务服务中心) with its ~6,400 open cases, a
156th of the province's million: its workload is the same in both phases. What grows between
them is everything around it — the other 155 halls and five years of history:

1. **200k**: the measured hall's open cases and a year of its closed ones (20,000 cases), and
   180,000 cases of the other halls (10 % open, a year of history). VACUUM ANALYZE; measure.
2. **10M**: the other halls' remaining 9.76 million cases and the measured hall's four older
   years (secondary indexes of cases and events dropped during the load and rebuilt after it,
   as a loader would); 1,000,000 open in all. VACUUM ANALYZE; measure again.

Measured in-process, the same way in both phases:

- `intake_cases_per_s`: window intake through the API (POST /api/v1/cases, then /accept) as the
  clerk, one client, --intake cases (django.test.Client: the whole stack but the socket);
- `inbox_ms`: the median GET of /staff/inbox/ as the department's reviewer;
- `sweep_s`: supervision's sweep of the measured hall for today (`sweep(today, hall_id)`: a
  range of the open cases' index), the median of five after a warm-up, each after the last one's
  Urges, Violations and SMS are undone, so every run urges the same cases;
- `dashboard_ms`: the median GET of /staff/stats/ as the hall's supervisor;
- `progress_ms`: the median POST of the public progress page (number + phone's last four) for a
  demo case.

Also, informative: the same five's ratios, the province-wide sweep (`sweep_province_s`: its work
grows with the province's open cases, by design) and the table sizes.

    .venv/bin/python bench/province.py [--cases 10000000] [--open 1000000] [--small 200000]
                                       [--page-runs 15] [--intake 200] [--quick]

Diagnostics go to stderr; stdout ends with one JSON line. --quick: 20,000 and 60,000 cases.
"""

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import log, median_ms

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench_province")
# The progress page is rate-limited per client (20 per 10 minutes): the bench is one client.
os.environ.setdefault("ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW", "100000000")

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client

from onewindow import clock
from onewindow.accounts.models import Applicant, Department, Hall, Region, Role, Staff, User
from onewindow.accounts.services import issue_token
from onewindow.cases import clock_rules
from onewindow.cases import queries as case_queries
from onewindow.cases.models import OPEN_STATUSES, Case, CaseEvent, Status, Suspension
from onewindow.catalog.models import ServiceItem
from onewindow.notify.models import Message
from onewindow.stats import rollup
from onewindow.stats.models import DailyFigure
from onewindow.supervision import services as supervision
from onewindow.supervision.models import Urge, Violation
from onewindow.workdays import calendar

HALL = "371400-zwfw"  # the measured hall: the demo's city hall
ITEM = "SPJY-XK-0001"  # the item of the measured intake (食品经营许可)
CLERK, REVIEWER, SUPERVISOR = "clerk", "reviewer", "supervisor"  # the inbox: 市场监督管理局's
APPLICANT = "luwei"  # a company holding the 营业执照 that 证照共享 finds for the item
PROGRESS_OF = "zhangwei"  # a demo citizen whose case the progress page looks up
HALLS = 156
YEAR = 245  # working days in a year
PROMISED = [5, 5, 5, 10, 10, 15, 20, 20, 30, 45]
# The 16 cities of 山东省 (区划代码, 2019 onwards: 莱芜 merged into 济南); their counties are
# numbered in order until there are 140.
CITIES = [
    ("3701", "济南市"), ("3702", "青岛市"), ("3703", "淄博市"), ("3704", "枣庄市"), ("3705", "东营市"),
    ("3706", "烟台市"), ("3707", "潍坊市"), ("3708", "济宁市"), ("3709", "泰安市"), ("3710", "威海市"),
    ("3711", "日照市"), ("3713", "临沂市"), ("3714", "德州市"), ("3715", "聊城市"), ("3716", "滨州市"),
    ("3717", "菏泽市"),
]  # fmt: skip
COUNTIES = 140


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# ---- the province ----------------------------------------------------------------------------


def province() -> tuple[Hall, list[int]]:
    """16 cities and 140 counties, each with its hall; the other halls each get their own copy of
    the measured hall's departments. Returns the measured hall and the others' ids."""
    top = Region.objects.get(code="370000000000")
    cities = []
    for code, name in CITIES:
        region, _ = Region.objects.get_or_create(
            code=f"{code}00000000", defaults={"name": name, "level": Region.Level.CITY, "parent": top}
        )
        cities.append(region)
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, code__startswith="37"))
    k = 1
    while len(counties) < COUNTIES:
        for city in cities:
            code = f"{city.code[:4]}{k:02d}000000"
            if len(counties) < COUNTIES and not Region.objects.filter(code=code).exists():
                counties.append(Region.objects.create(code=code, name=f"{city.name[:-1]}第{k}区县",
                                                      level=Region.Level.COUNTY, parent=city))  # fmt: skip
        k += 1
    for region in [*cities, *counties]:
        kind = Hall.Kind.CITY if region.level == Region.Level.CITY else Hall.Kind.COUNTY
        Hall.objects.get_or_create(code=f"{region.code[:6]}-zwfw",
                                   defaults={"name": f"{region.name}政务服务中心", "kind": kind, "region": region})  # fmt: skip
    measured = Hall.objects.get(code=HALL)
    others = list(
        Hall.objects.filter(code__in=[f"{r.code[:6]}-zwfw" for r in [*cities, *counties]])
        .exclude(pk=measured.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(others) == HALLS - 1, len(others)
    departments = list(measured.departments.order_by("pk"))
    with connection.cursor() as cursor:
        # pv_dept: (hall, the measured hall's department) → that hall's own department.
        cursor.execute(
            f"""INSERT INTO {table(Department)} (code, name, short_name, region_id, phone)
                SELECT 'PV' || h.id || '-' || d.code, d.name, d.short_name, h.region_id, ''
                FROM {table(Hall)} h CROSS JOIN {table(Department)} d
                WHERE h.id = ANY(%s) AND d.id = ANY(%s)""",
            [others, [d.pk for d in departments]],
        )
        cursor.execute(
            f"""CREATE TABLE pv_dept AS
                SELECT h.id AS hall_id, h.region_id, d.id AS orig_id, n.id AS dept_id
                FROM {table(Hall)} h CROSS JOIN {table(Department)} d
                JOIN {table(Department)} n ON n.code = 'PV' || h.id || '-' || d.code
                WHERE h.id = ANY(%s) AND d.id = ANY(%s)""",
            [others, [d.pk for d in departments]],
        )
        through = Hall.departments.through
        cursor.execute(
            f"""INSERT INTO {table(through)} (hall_id, department_id) SELECT hall_id, dept_id FROM pv_dept"""
        )
        cursor.execute("CREATE UNIQUE INDEX ON pv_dept (hall_id, orig_id)")
        # A pool of applicants (legal persons: no sealed fields to compute).
        cursor.execute(
            f"""INSERT INTO {table(Applicant)} (ref, kind, name, id_number, id_number_digest, credit_code,
                                                legal_representative, phone, address, region_id, user_id, created_at)
                SELECT 'PV' || lpad(g::text, 12, '0'), 'legal', '压测企业' || g, '', '',
                       '9137' || lpad(g::text, 14, '0'), '', '', '', %s, NULL, now()
                FROM generate_series(1, 200000) AS g""",
            [measured.region_id],
        )
    return measured, others


def officers_of(hall: Hall) -> dict[int, list[int]]:
    """A reviewer and a head in every department of the measured hall that lacks one (its sweep
    messages them); each department's staff user ids (the officers who accept its cases)."""
    for department in hall.departments.order_by("pk"):
        for role, tag in ((Role.REVIEWER, "r"), (Role.DEPARTMENT_HEAD, "h")):
            if not Staff.objects.filter(department=department, role=role).exists():
                user = User.objects.create(
                    username=f"pv_{tag}{department.pk}", display_name=f"压测{tag}{department.pk}"
                )
                Staff.objects.create(user=user, name=user.display_name, role=role, hall=hall, department=department,
                                     phone=f"139{department.pk:04d}{ord(tag):04d}")  # fmt: skip
    return {
        d.pk: list(Staff.objects.filter(department=d).order_by("pk").values_list("user_id", flat=True))
        for d in hall.departments.order_by("pk")
    }


# ---- the cases -------------------------------------------------------------------------------


def templates(rng: random.Random, today_seq: int, n_open: int, n_closed: int, back: tuple[int, int]) -> dict:
    """Date templates from the real calendar: `n_open` open ones (~90 % green, 7 % yellow, 3 %
    red; some suspended or returned for correction with a frozen light), `n_closed` closed ones
    closed between `back` working days ago (10 % on the spot, ~4 % late, 5 % suspended once)."""
    names = ("promised", "accepted_seq", "due_seq", "status", "frozen", "paused_seq", "closed_seq", "outcome",
             "suspended_days", "received_back")  # fmt: skip
    cols = {k: [] for k in names}
    for i in range(n_open + n_closed):
        promised = rng.choice(PROMISED)
        frozen, paused_seq, closed_seq, outcome, suspended_days = "", None, None, "", 0
        if i < n_open:
            threshold = clock_rules.yellow_threshold(promised)
            u = rng.random()
            remaining = (
                -rng.randint(1, 10)
                if u < 0.03
                else rng.randint(0, threshold)
                if u < 0.10
                else rng.randint(threshold + 1, promised)
            )
            due_seq = today_seq + remaining
            accepted_seq = due_seq - promised
            status = Status.IN_REVIEW
            s = rng.random()
            if s < 0.08 and accepted_seq < today_seq:
                status = Status.SUSPENDED if s < 0.06 else Status.CORRECTION_REQUESTED
                paused_seq = rng.randint(accepted_seq + 1, today_seq)
                frozen = clock_rules.light(due_seq, promised, paused_seq)
        else:
            status = Status.CLOSED
            closed_seq = today_seq - rng.randint(*back)
            if rng.random() < 0.10:
                promised, used = 0, 0  # on the spot
            else:
                used = rng.randint(1, promised) if rng.random() > 0.04 else promised + rng.randint(1, 5)
            if promised and rng.random() < 0.05:
                suspended_days = rng.randint(1, 10)
            accepted_seq = closed_seq - used - suspended_days
            due_seq = accepted_seq + promised + suspended_days
            o = rng.random()
            outcome = "approved" if o < 0.93 else "denied" if o < 0.97 else "withdrawn"
        for k, v in zip(names, (promised, accepted_seq, due_seq, status, frozen, paused_seq, closed_seq, outcome,
                                suspended_days, rng.choice([0, 0, 0, 1, 2])), strict=True):  # fmt: skip
            cols[k].append(v)
    return cols


class Filler:
    """Writes batches of cases (and their events, suspensions and steady state) with set-based SQL."""

    K_OPEN, K_CLOSED = 3000, 7000

    def __init__(self, measured: Hall, others: list[int]):
        self.measured = measured
        self.others = others
        self.rng = random.Random(20261204)
        self.today = clock.today()
        self.today_seq = calendar.seq(self.today)
        officers = officers_of(measured)
        items = list(
            ServiceItem.objects.filter(department__in=officers, current__isnull=False)
            .order_by("pk")
            .values_list("pk", "current_id", "department_id")
        )
        self.params = {
            "items": [i for i, _, _ in items], "versions": [v for _, v, _ in items],
            "departments": [d for _, _, d in items], "ni": len(items),
            "officers": [officers[d][k % len(officers[d])] if officers[d] else None
                         for k, (_, _, d) in enumerate(items)],
            "hall": measured.pk, "region": measured.region_id, "others": others, "nh": len(others),
            "tz": str(clock.hall_tz()),
            "by": Staff.objects.filter(hall=measured, role=Role.CLERK).order_by("pk").values_list("user_id", flat=True).first(),
        }  # fmt: skip
        self.next_g = {"PH": 0, "PV": 0}
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE pv_days AS SELECT seq, min(date) AS d FROM workdays_day WHERE is_workday GROUP BY seq"
            )
            cursor.execute("CREATE UNIQUE INDEX ON pv_days (seq)")
            cursor.execute(f"SELECT min(id) FROM {table(Applicant)} WHERE ref LIKE 'PV%%'")
            self.params["a0"] = cursor.fetchone()[0]

    def _templates(self, back: tuple[int, int]) -> None:
        cols = templates(self.rng, self.today_seq, self.K_OPEN, self.K_CLOSED, back)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pv_tpl")
            cursor.execute(
                """CREATE TEMP TABLE pv_tpl AS
                    SELECT t.*, a.d AS accepted_on, r.d AS received_on, du.d AS due_on, p.d AS paused_on,
                           cl.d AS closed_on
                    FROM unnest(%(promised)s::int[], %(accepted_seq)s::int[], %(due_seq)s::int[], %(status)s::text[],
                                %(frozen)s::text[], %(paused_seq)s::int[], %(closed_seq)s::int[], %(outcome)s::text[],
                                %(suspended_days)s::int[], %(received_back)s::int[])
                         WITH ORDINALITY AS t(promised, accepted_seq, due_seq, status, frozen, paused_seq, closed_seq,
                                              outcome, suspended_days, received_back, k)
                    JOIN pv_days a ON a.seq = t.accepted_seq
                    JOIN pv_days r ON r.seq = t.accepted_seq - t.received_back
                    JOIN pv_days du ON du.seq = t.due_seq
                    LEFT JOIN pv_days p ON p.seq = t.paused_seq
                    LEFT JOIN pv_days cl ON cl.seq = t.closed_seq""",
                cols,
            )
            cursor.execute("CREATE UNIQUE INDEX ON pv_tpl (k)")
            cursor.execute("ANALYZE pv_tpl")

    def add(self, prefix: str, n: int, n_open: int, back: tuple[int, int]) -> int:
        """`n` cases numbered `prefix` + a running number, the first `n_open` of them open, the
        closed ones closed between `back` working days ago; PH at the measured hall, PV spread
        over the other halls (each hall's own departments). Returns the first new case id."""
        self._templates(back)
        g0 = self.next_g[prefix]
        self.next_g[prefix] += n
        CASE, EVT, SUS = table(Case), table(CaseEvent), table(Suspension)
        p = {**self.params, "prefix": prefix, "g0": g0, "n": n, "n_open": n_open, "k_open": self.K_OPEN,
             "k_closed": self.K_CLOSED}  # fmt: skip
        if prefix == "PH":
            columns, join = "%(hall)s, %(region)s, (%(departments)s::bigint[])[x.i]", ""
        else:  # the other halls: hall g % nh, with its own copy of the item's department
            columns = "o.hall_id, o.region_id, o.dept_id"
            join = """JOIN pv_dept o ON o.hall_id = (%(others)s::bigint[])[1 + g %% %(nh)s]
                                    AND o.orig_id = (%(departments)s::bigint[])[x.i]"""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {CASE}")
            first = cursor.fetchone()[0] + 1
            # Case g: open when g ≤ n_open (template 1 + g % k_open), else closed; item (g / 7) % items.
            cursor.execute(
                f"""INSERT INTO {CASE} (
                        number, item_id, item_version_id, department_id, applicant_id, hall_id, region_code, channel,
                        status, outcome, form_data, received_at, received_on, intake_from, accepted_on, promised_days,
                        extra_days, due_seq, due_on, paused_on, frozen_light, extended, tolerance_due_on, by_commitment,
                        decided_at, closed_at, closed_on, closed_seq, event_count, last_hash, project_code, bundle_number)
                    SELECT %(prefix)s || lpad((%(g0)s + g)::text, 9, '0'), (%(items)s::bigint[])[x.i],
                           (%(versions)s::bigint[])[x.i], q.dept_id, %(a0)s + g %% 200000, q.hall_id, q.region_id,
                           'window', t.status, t.outcome, '{{}}'::jsonb,
                           (t.received_on + time '09:00' + (g %% 28000) * interval '1 second') AT TIME ZONE %(tz)s,
                           t.received_on, t.received_on, t.accepted_on, t.promised, t.suspended_days, t.due_seq,
                           CASE WHEN t.promised + t.suspended_days = 0 THEN t.accepted_on ELSE t.due_on END,
                           t.paused_on, t.frozen, false, NULL, false,
                           CASE WHEN t.closed_on IS NOT NULL THEN (t.closed_on + time '15:00') AT TIME ZONE %(tz)s END,
                           CASE WHEN t.closed_on IS NOT NULL THEN (t.closed_on + time '15:00') AT TIME ZONE %(tz)s END,
                           t.closed_on, t.closed_seq, CASE WHEN t.closed_on IS NULL THEN 2 ELSE 3 END, '', '', ''
                    FROM generate_series(1, %(n)s) AS g
                    CROSS JOIN LATERAL (SELECT 1 + ((%(g0)s + g) / 7) %% %(ni)s AS i) x
                    {join}
                    CROSS JOIN LATERAL (SELECT {columns}) AS q(hall_id, region_id, dept_id)
                    JOIN pv_tpl t ON t.k = CASE WHEN g <= %(n_open)s THEN 1 + g %% %(k_open)s
                                                ELSE %(k_open)s + 1 + g %% %(k_closed)s END""",
                p,
            )
            assert cursor.rowcount == n, (cursor.rowcount, n)
            # Submit and accept (the accept's actor: the measured hall's officer of the item), and
            # the decision of a closed case.
            cursor.execute(
                f"""INSERT INTO {EVT} (case_id, seq, at, actor_id, action, from_status, to_status, reason, payload,
                                       prev_hash, hash)
                    SELECT c.id, e.seq, c.received_at,
                           CASE WHEN e.seq = 1 THEN %(by)s
                                ELSE (%(officers)s::bigint[])[array_position(%(items)s::bigint[], c.item_id)] END,
                           e.action, e.from_status, e.to_status, '', '{{}}'::jsonb, '', md5(c.id::text || e.action)
                    FROM {CASE} c
                    JOIN (VALUES (1, 'submit', '', 'submitted'), (2, 'accept', 'submitted', 'in_review'),
                                 (3, 'decide', 'in_review', 'closed')) AS e(seq, action, from_status, to_status)
                      ON e.seq < 3 OR c.status = 'closed'
                    WHERE c.id >= %(first)s""",
                {**p, "first": first},
            )
            cursor.execute(
                f"""INSERT INTO {SUS} (case_id, kind, reason, expected_days, started_on, ended_on, days, started_by_id)
                    SELECT c.id, 'inspection', '压测检验', 10, coalesce(c.paused_on, c.accepted_on),
                           CASE WHEN c.status = 'closed' THEN c.closed_on END,
                           CASE WHEN c.status = 'closed' THEN c.extra_days END, %(by)s
                    FROM {CASE} c
                    WHERE c.id >= %(first)s AND (c.status = 'suspended' OR (c.status = 'closed' AND c.extra_days > 0))""",
                {**p, "first": first},
            )
        return first

    def steady_state(self, first: int) -> None:
        """What the sweeps before today left for the cases from id `first` on: an Urge for each
        open case in review that was yellow or red yesterday (and at red its over-time Violation),
        the same for the late closed ones, and the acceptance SMS of each open case (sent)."""
        yesterday = calendar.date_of_seq(self.today_seq - 1)
        qs = case_queries.with_light(
            Case.objects.filter(status=Status.IN_REVIEW, pk__gte=first, due_seq__isnull=False), yesterday
        ).values("pk", "light", "department_id")
        sql, params = qs.query.sql_with_params()
        now = dt.datetime.combine(self.today - dt.timedelta(days=1), dt.time(20, 0), tzinfo=clock.hall_tz())
        URG, VIO, MSG, CASE = table(Urge), table(Violation), table(Message), table(Case)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE pv_lit AS SELECT * FROM ({sql}) q", params)
            cursor.execute(
                f"""INSERT INTO pv_lit SELECT id, 'late', department_id FROM {CASE}
                    WHERE id >= %s AND status = 'closed' AND closed_seq > due_seq""",
                [first],
            )
            cursor.execute(
                f"""INSERT INTO {URG} (case_id, light, kind, at, recipients)
                    SELECT l.pk, x.light, x.kind, %s, 1 FROM pv_lit l
                    JOIN (VALUES ('yellow', 'urge'), ('red', 'escalate')) AS x(light, kind)
                      ON x.light = 'yellow' AND l.light IN ('yellow', 'red', 'late')
                      OR x.light = 'red' AND l.light IN ('red', 'late')""",
                [now],
            )
            cursor.execute(
                f"""INSERT INTO {VIO} (kind, case_id, event_seq, department_id, window_id, officer_id, found_on,
                                       found_at, status, explanation, decided_by_id, decided_at, decision_reason, detail)
                    SELECT 'over_time', l.pk, 2, l.department_id, NULL, NULL, %s, %s, 'open', '', NULL, NULL, '', ''
                    FROM pv_lit l WHERE l.light IN ('red', 'late')""",
                [self.today - dt.timedelta(days=1), now],
            )
            cursor.execute(
                f"""INSERT INTO {MSG} (key, event, phone, text, subject_kind, subject_key, hall_id, state, attempts,
                                       created_at, next_attempt_at, claim, last_error, sent_at, gateway_ref)
                    SELECT 'bench:' || c.id, 'accepted', '', '【政务服务中心】您的申请已受理。', 'case', c.number,
                           c.hall_id, 'sent', 1, c.received_at, c.received_at, '', '', c.received_at, ''
                    FROM {CASE} c WHERE c.id >= %s AND c.status <> 'closed'""",
                [first],
            )
            cursor.execute("DROP TABLE pv_lit")


# ---- loading with the indexes off --------------------------------------------------------------


def drop_secondary_indexes(tables: list[str]) -> list[str]:
    """Drops the indexes of `tables` that back no constraint (a bulk load then writes the heap
    only) and returns their definitions, to rebuild them after it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [tables],
        )
        rows = cursor.fetchall()
        for name, _ in rows:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in rows]


def rebuild(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            cursor.execute(definition)


# ---- measuring ---------------------------------------------------------------------------------


def undo_sweep(hall: Hall) -> int:
    """Removes what an earlier phase's sweep recorded today at the measured hall (Urges,
    over-time Violations, SMS), so the next sweep finds the same cases again."""
    midnight = dt.datetime.combine(clock.today(), dt.time(0, 0), tzinfo=clock.hall_tz())
    ours = Case.objects.filter(hall=hall)
    Message.objects.filter(key__startswith="supervision:", created_at__gte=midnight).delete()
    Violation.objects.filter(case__in=ours, found_at__gte=midnight).delete()
    removed, _ = Urge.objects.filter(case__in=ours, at__gte=midnight).delete()
    return removed


def measure(hall: Hall, args, token: str, submit: str, progress: tuple[str, str]) -> dict:
    """The five figures, and the informative ones, for the database as it is now."""
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def intake():
        answer = api.post("/api/v1/cases", submit, content_type="application/json")
        assert answer.status_code == 201, (answer.status_code, answer.content[:300])
        number = answer.json()["number"]
        answer = api.post(f"/api/v1/cases/{number}/accept", "{}", content_type="application/json")
        assert answer.status_code == 200, (answer.status_code, answer.content[:300])

    intake()  # warm-up
    rates = []
    for _ in range(3):  # the median of three rounds: another process's burst moves one round only
        t0 = time.perf_counter()
        for _ in range(args.intake // 3):
            intake()
        rates.append((args.intake // 3) / (time.perf_counter() - t0))
    intake_rate = statistics.median(rates)

    def page(username: str, path: str):
        client = Client()
        client.force_login(User.objects.get(username=username))

        def get():
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)

        return get

    inbox_ms = median_ms(page(REVIEWER, "/staff/inbox/"), args.page_runs)
    dashboard_ms = median_ms(page(SUPERVISOR, "/staff/stats/"), args.page_runs)
    public = Client()

    def lookup():
        answer = public.post("/progress/", {"number": progress[0], "phone_last4": progress[1]})
        assert answer.status_code == 200 and progress[0].encode() in answer.content, answer.status_code

    progress_ms = median_ms(lookup, args.page_runs * 2)
    sweeps = []
    for _ in range(6):  # each time after undoing the last: the same cases urged; the first warms up
        undone = undo_sweep(hall)
        t0 = time.perf_counter()
        swept = supervision.sweep(clock.today(), hall.pk)
        sweeps.append(time.perf_counter() - t0)
    sweep_s = statistics.median(sweeps[1:])  # like the pages': the warm-up run (cold caches) left out
    log(f"  intake {intake_rate:.1f} cases/s, inbox {inbox_ms:.1f} ms, dashboard {dashboard_ms:.1f} ms, "
        f"progress {progress_ms:.1f} ms, sweep {sweep_s:.3f} s ({swept} urged; {undone} undone first)")  # fmt: skip
    return {
        "intake_cases_per_s": round(intake_rate, 1), "inbox_ms": round(inbox_ms, 1), "sweep_s": round(sweep_s, 3),
        "dashboard_ms": round(dashboard_ms, 1), "progress_ms": round(progress_ms, 2), "swept": swept,
    }  # fmt: skip


def sizes() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT (SELECT count(*) FROM {table(Case)}),
                       (SELECT count(*) FROM {table(Case)} WHERE status = ANY(%s)),
                       (SELECT count(*) FROM {table(Case)} WHERE hall_id = %s AND status = ANY(%s)),
                       (SELECT count(*) FROM {table(CaseEvent)}),
                       pg_database_size(current_database())""",
            [list(OPEN_STATUSES), Hall.objects.get(code=HALL).pk, list(OPEN_STATUSES)],
        )
        cases, open_, hall_open, events, size = cursor.fetchone()
    return {"cases": cases, "open": open_, "hall_open": hall_open, "events": events, "db_mb": size // 2**20}


def province_rollup(hall: Hall) -> int:
    """The daily roll-up's table as a province's: the other halls' rows replaced by copies of the
    measured hall's year, each on that hall's own departments (refreshing 400 days of ten million
    cases would take longer than the rest of the bench; the dashboard reads the table's size, not
    how it was computed). The last days are then recomputed by the measured `rollup.refresh`."""
    names = [f.column for f in DailyFigure._meta.concrete_fields if f.column not in ("id", "hall_id", "department_id",
                                                                                     "window_id", "officer_id")]  # fmt: skip
    columns = ", ".join(names)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table(DailyFigure)} WHERE hall_id <> %s", [hall.pk])
        cursor.execute(
            f"""INSERT INTO {table(DailyFigure)} (hall_id, department_id, window_id, officer_id, {columns})
                SELECT o.hall_id, o.dept_id, NULL, NULL, {", ".join("d." + n for n in names)}
                FROM {table(DailyFigure)} d JOIN pv_dept o ON o.orig_id = d.department_id
                WHERE d.hall_id = %s""",
            [hall.pk],
        )
        return cursor.rowcount


def vacuum() -> float:
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=200_000, help="the first phase's size")
    parser.add_argument("--page-runs", type=int, default=15)
    parser.add_argument("--intake", type=int, default=200, help="cases taken in per phase")
    parser.add_argument("--quick", action="store_true", help="20,000 then 60,000 cases (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.open, args.small, args.page_runs, args.intake = 60_000, 6_000, 20_000, 3, 10
    if connection.vendor != "postgresql":
        sys.exit("bench/province.py measures PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL")
    hall_open = max(args.open // HALLS, 50)  # a 156th of the province's open cases (6,410 of a million)
    hall_year = min(3 * hall_open, args.small // 10)  # the measured hall's closed cases of the last year
    others_small = args.small - hall_open - hall_year
    assert others_small > 0, "--small too small for the measured hall"

    harness.prepare_database(DATABASE_URL, "onewindow_bench_province", fresh=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
    hall, others = province()
    filler = Filler(hall, others)
    clerk = User.objects.get(username=CLERK)
    token = issue_token(clerk, "bench-province")[1]
    materials = ServiceItem.objects.get(code=ITEM).current.materials.order_by("order")
    submit = json.dumps({
        "item": ITEM, "applicant": Applicant.objects.get(user__username=APPLICANT).ref, "channel": "window",
        "handed_in": [m.order for m in materials if m.required and m.source != "shared"],
    })  # fmt: skip
    citizen = Applicant.objects.get(user__username=PROGRESS_OF)
    demo_case = Case.objects.filter(applicant=citizen).order_by("pk").first()
    progress = (demo_case.number, citizen.phone[-4:])

    # Phase 1: 200k.
    t0 = time.perf_counter()
    first = filler.add("PH", hall_open + hall_year, hall_open, (0, YEAR))
    filler.steady_state(first)
    first = filler.add("PV", others_small, others_small // 10, (0, YEAR))
    filler.steady_state(first)
    fill_small_s = time.perf_counter() - t0
    vacuum_small_s = vacuum()
    rollup.refresh(clock.today() - dt.timedelta(days=400), clock.today() - dt.timedelta(days=16))
    t0 = time.perf_counter()
    rollup.refresh()
    rollup_small_s = time.perf_counter() - t0
    vacuum()  # the roll-up's new rows analysed, as in the second phase
    small = sizes()
    log(f"200k: {json.dumps(small)} filled in {fill_small_s:.0f} s, VACUUM ANALYZE {vacuum_small_s:.0f} s")
    figures_small = measure(hall, args, token, submit, progress)

    # Phase 2: the rest of the province and four more years of history.
    t0 = time.perf_counter()
    dropped = drop_secondary_indexes([Case._meta.db_table, CaseEvent._meta.db_table])
    hall_history = 4 * hall_year
    rest = args.cases - small["cases"] - hall_history
    rest_open = args.open - small["open"]
    first = filler.add("PH", hall_history, 0, (YEAR, 5 * YEAR))
    first_pv = filler.add("PV", rest, rest_open, (0, 5 * YEAR))
    load_s = time.perf_counter() - t0
    rebuild(dropped)
    index_s = time.perf_counter() - t0 - load_s
    filler.steady_state(first)
    fill_big_s = time.perf_counter() - t0
    vacuum_big_s = vacuum()
    big = sizes()
    log(f"10M: {json.dumps(big)} loaded in {load_s:.0f} s, {len(dropped)} indexes rebuilt in {index_s:.0f} s, "
        f"filled in {fill_big_s:.0f} s, VACUUM ANALYZE {vacuum_big_s:.0f} s (PV from id {first_pv})")  # fmt: skip
    copied = province_rollup(hall)
    t0 = time.perf_counter()
    rollup.refresh()
    rollup_s = time.perf_counter() - t0
    vacuum()
    log(
        f"roll-up: {copied} rows copied to the other halls; the periodic refresh (last days, every hall) {rollup_s:.1f} s"
    )
    figures_big = measure(hall, args, token, submit, progress)
    t0 = time.perf_counter()
    swept_all = supervision.sweep(clock.today())
    sweep_province_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    steady_all = supervision.sweep(clock.today())
    steady_province_s = time.perf_counter() - t0
    log(
        f"province-wide sweep: {swept_all} urged in {sweep_province_s:.1f} s; again (the worker's every minute, "
        f"nothing new): {steady_all} in {steady_province_s:.2f} s"
    )

    five = ("intake_cases_per_s", "inbox_ms", "sweep_s", "dashboard_ms", "progress_ms")
    ratios = {}
    for name in five:
        a, b = figures_big[name], figures_small[name]
        # Within 1.5×: slower at 10M by at most half (a rate: lower by at most a third).
        ratios[name] = round(b / a if name == "intake_cases_per_s" else a / b, 2)
    result = {
        "bench": "province",
        **{name: figures_big[name] for name in five},
        **{f"{name}_200k": figures_small[name] for name in five},
        "ratios": ratios,
        "within_1_5": all(r <= 1.5 for r in ratios.values()),
        "cases": big["cases"], "open": big["open"], "hall_open": big["hall_open"], "events": big["events"],
        "db_mb": big["db_mb"], "cases_200k": small["cases"], "open_200k": small["open"],
        "hall_open_200k": small["hall_open"], "swept": figures_big["swept"], "swept_200k": figures_small["swept"],
        "sweep_province_s": round(sweep_province_s, 1), "swept_province": swept_all,
        "steady_sweep_province_s": round(steady_province_s, 2),
        "rollup_s": round(rollup_s, 1), "rollup_s_200k": round(rollup_small_s, 1),
        "fill_s": round(fill_small_s + fill_big_s), "vacuum_s": round(vacuum_small_s + vacuum_big_s),
    }  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
