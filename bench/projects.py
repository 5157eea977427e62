"""Benchmark: investment projects on PostgreSQL — the silent-consent job over many projects and
the project page by code. Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench_projects, dropped and recreated unless
--skip-fill), fills --projects projects with set-based SQL (4 stages each, 6 co-reviewing
departments per stage: the earlier stages closed, the current one in review with a spread of
working days used so some opinions are past their limit, the later ones waiting; 8 timeline
events per project and the silent consents of the past), ANALYZEs, then measures in-process:

- `silent_consent_s`: one run of projects.jobs.apply_silent_consent() over all of them
  (one UPDATE and one INSERT … SELECT), and how many opinions it took;
- `project_page_ms`: the median of --page-runs GETs of /projects/<code>/ through
  django.test.Client as a co-reviewing department's reviewer (the visibility check is the
  heaviest), over a sample of codes; `project_page_owner_ms` the same as the owner. The SQL of
  one page is listed on stderr with --count-queries.

    .venv/bin/python bench/projects.py [--projects 10000] [--page-runs 60] [--skip-fill] [--count-queries]

Diagnostics go to stderr; stdout ends with one JSON line.
"""

import argparse
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

from bench_harness import log

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench_projects")

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow import clock
from onewindow.accounts.models import Applicant, Department, Hall, User
from onewindow.projects import codes, jobs
from onewindow.projects.models import Opinion, Project, ProjectEvent, SilentConsent, Stage
from onewindow.workdays import calendar
from onewindow.workdays.models import Day

HALL = "371400-zwfw"
REGION = "371403000000"  # 陵城区: the demo project (if seeded) is in 德城区, so no code collides
OWNER = "luwei"
REVIEWER = "reviewer_zjj"  # 住建局: a co-reviewer of stages 1–3 and the lead of stage 4
STAGES = [  # (name, lead, stage limit, each co-reviewer's limit) — working days
    ("立项用地规划许可", "371400-zrzy", 10, 5),
    ("工程建设许可", "371400-zrzy", 12, 8),
    ("施工许可", "371400-xzsp", 8, 5),
    ("竣工验收", "371400-zjj", 10, 7),
]
POOL = ["371400-zjj", "371400-fgw", "371400-sthj", "371400-xf", "371400-rsj", "371400-wjw", "371400-zrzy",
        "371400-scjg", "371400-xzsp"]  # fmt: skip
REVIEWERS = 6


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fill(total: int, seed: int = 20261126) -> dict:
    """Projects, stages, opinions, events and past silent consents in a handful of INSERT …
    SELECT statements. Project g's current stage is 1 + g % 4 (every tenth project is complete);
    the current stage was accepted 0 … limit + 3 working days ago; a third of its co-reviewers
    have answered."""
    rng = random.Random(seed)
    hall = Hall.objects.get(code=HALL)
    owner = Applicant.objects.get(user__username=OWNER)
    departments = {d.code: d.pk for d in Department.objects.all()}
    now = clock.now()
    year = now.astimezone(clock.hall_tz()).year
    today_seq = calendar.seq(clock.today())
    all_codes = [codes.compose(year=year, region6=REGION[:6], industry=rng.choice(["47", "48", "13", "38", "59"]),
                               approval_type="filing", serial=g) for g in range(1, total + 1)]  # fmt: skip
    leads = [departments[lead] for _, lead, _, _ in STAGES]
    reviewers = [[departments[c] for c in POOL if c != lead][:REVIEWERS] for _, lead, _, _ in STAGES]
    params = {
        "codes": all_codes, "owner": owner.pk, "region": REGION, "hall": hall.pk, "by": owner.user_id, "now": now,
        "promised": sum(s[2] for s in STAGES), "names": [s[0] for s in STAGES], "leads": leads,
        "limits": [s[2] for s in STAGES], "rlimits": [s[3] for s in STAGES], "today": today_seq,
        "reviewers": [d for row in reviewers for d in row], "n_rev": REVIEWERS,
    }  # fmt: skip
    PRJ, STG, OPN, EVT, SIL = (table(m) for m in (Project, Stage, Opinion, ProjectEvent, SilentConsent))
    days = f"(SELECT seq, min(date) AS d FROM {table(Day)} WHERE is_workday GROUP BY seq)"
    g = "substring(p.code from 19 for 5)::int"
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {PRJ} (code, name, owner_id, region_id, hall_id, investment_fen, industry, approval_type,
                    government_invested, key_project, merged_path, status, promised_days, agent_id, registered_at,
                    registered_by_id, completed_on)
                SELECT c, '压测项目' || i, %(owner)s, %(region)s, %(hall)s, 1000000 * (100 + i %% 5000),
                       substring(c from 13 for 2), 'filing', false, i %% 7 = 0, false,
                       CASE WHEN i %% 10 = 0 THEN 'completed' ELSE 'active' END, %(promised)s, NULL,
                       %(now)s - (i %% 200) * interval '1 day', %(by)s, NULL
                FROM unnest(%(codes)s::text[]) WITH ORDINALITY AS t(c, i)""",
            params,
        )
        # Stage k of project g: closed before the current stage, in review at it, waiting after.
        cursor.execute(
            f"""WITH st AS (
                    SELECT p.id AS project_id, k, {g} AS g,
                           CASE WHEN {g} %% 10 = 0 THEN 5 ELSE 1 + {g} %% 4 END AS cur,
                           (%(names)s::text[])[k] AS name, (%(leads)s::bigint[])[k] AS lead,
                           (%(limits)s::int[])[k] AS lim
                    FROM {PRJ} p CROSS JOIN generate_series(1, 4) AS k
                    WHERE p.code = ANY(%(codes)s::text[])  -- not the demo hall's own project
                ), seqs AS (
                    SELECT st.*, CASE
                        WHEN k < cur THEN %(today)s - 15 * (cur - k) - 12
                        WHEN k = cur THEN %(today)s - (g * 7) %% (lim + 4)
                        END AS acc
                    FROM st
                )
                INSERT INTO {STG} (project_id, "order", name, lead_department_id, item_codes, limit_days, status,
                    form_data, applied_at, applied_by_id, accepted_on, accepted_seq, due_seq, due_on, accepted_by_id,
                    closed_on, closed_seq, closed_by_id, conclusion)
                SELECT s.project_id, s.k, s.name, s.lead, '[]'::jsonb, s.lim,
                       CASE WHEN s.k < s.cur THEN 'closed' WHEN s.k = s.cur THEN 'in_review' ELSE 'waiting' END,
                       '{{"scale": "压测"}}'::jsonb, NULL, NULL, a.d, s.acc, s.acc + s.lim, du.d, NULL,
                       cl.d, CASE WHEN s.k < s.cur THEN s.acc + s.lim - 1 END, NULL, ''
                FROM seqs s
                LEFT JOIN {days} a ON a.seq = s.acc
                LEFT JOIN {days} du ON du.seq = s.acc + s.lim
                LEFT JOIN {days} cl ON cl.seq = CASE WHEN s.k < s.cur THEN s.acc + s.lim - 1 END""",
            params,
        )
        # Six co-reviewers per stage; a third of the current stage's have answered.
        cursor.execute(
            f"""INSERT INTO {OPN} (stage_id, project_id, department_id, limit_days, due_seq, due_on, state, kind,
                    reasons, conditions, simulated, confirmed_at, given_by_id, given_at)
                SELECT s.id, s.project_id, (%(reviewers)s::bigint[])[(s."order" - 1) * %(n_rev)s + r],
                       (%(rlimits)s::int[])[s."order"], s.accepted_seq + (%(rlimits)s::int[])[s."order"], du.d,
                       CASE WHEN s.status = 'closed' THEN (CASE WHEN (s.id + r) %% 20 = 0 THEN 'silent' ELSE 'given' END)
                            WHEN s.status = 'in_review' AND (s.id + r) %% 3 = 0 THEN 'given'
                            ELSE 'pending' END,
                       CASE WHEN s.status = 'closed' OR (s.status = 'in_review' AND (s.id + r) %% 3 = 0)
                            THEN 'agree' ELSE '' END,
                       '', '', false, NULL, NULL,
                       CASE WHEN s.status = 'closed' OR (s.status = 'in_review' AND (s.id + r) %% 3 = 0)
                            THEN %(now)s END
                FROM {STG} s CROSS JOIN generate_series(1, %(n_rev)s) AS r
                JOIN {PRJ} p ON p.id = s.project_id AND p.code = ANY(%(codes)s::text[])
                LEFT JOIN {days} du ON du.seq = s.accepted_seq + (%(rlimits)s::int[])[s."order"]""",
            params,
        )
        cursor.execute(
            f"""INSERT INTO {SIL} (opinion_id, project_id, stage_id, department_id, due_on, recorded_on, recorded_at)
                SELECT o.id, o.project_id, o.stage_id, o.department_id, o.due_on, o.due_on + 1, %(now)s
                FROM {OPN} o JOIN {PRJ} p ON p.id = o.project_id AND p.code = ANY(%(codes)s::text[])
                WHERE o.state = 'silent'""",
            params,
        )
        cursor.execute(
            f"""INSERT INTO {EVT} (project_id, stage_id, department_id, at, actor_id, action, detail, payload)
                SELECT s.project_id, s.id, s.lead_department_id, %(now)s - (9 - s."order") * interval '1 day',
                       %(by)s, a, '压测留痕', '{{}}'::jsonb
                FROM {STG} s CROSS JOIN unnest(ARRAY['accept_stage', 'close_stage']) AS a
                JOIN {PRJ} p ON p.id = s.project_id AND p.code = ANY(%(codes)s::text[])
                WHERE s.status <> 'waiting'""",
            params,
        )
        cursor.execute("ANALYZE")
    counts = {name: model.objects.count() for name, model in (("projects", Project), ("stages", Stage),
              ("opinions", Opinion), ("events", ProjectEvent), ("past_silent_consents", SilentConsent))}  # fmt: skip
    counts["fill_s"] = round(time.perf_counter() - t0, 1)
    return counts


def median_ms(fn, arguments: list, runs: int) -> float:
    for a in arguments[:2]:
        fn(a)
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(arguments[i % len(arguments)])
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def page_as(username: str):
    client = Client()
    client.force_login(User.objects.get(username=username))

    def get(code: str):
        answer = client.get(f"/projects/{code}/")
        assert answer.status_code == 200, (code, answer.status_code)
        return answer

    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--page-runs", type=int, default=60)
    parser.add_argument("--skip-fill", action="store_true", help="reuse the database as it is")
    parser.add_argument("--count-queries", action="store_true", help="list the SQL of one project page")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.projects, args.page_runs = 50, 3

    harness.prepare_database(DATABASE_URL, "onewindow_bench_projects", fresh=not args.skip_fill)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
    counts = fill(args.projects) if not args.skip_fill else {}
    if counts:
        log(f"filled: {json.dumps(counts, ensure_ascii=False)}")

    t0 = time.perf_counter()
    taken = jobs.apply_silent_consent()
    silent_s = time.perf_counter() - t0
    log(f"silent consent: {taken} opinions taken in {silent_s:.3f} s")

    sample = list(Project.objects.filter(code__startswith=f"{clock.today().year}-{REGION[:6]}")
                  .order_by("?").values_list("code", flat=True)[:50])  # fmt: skip
    reviewer_page, owner_page = page_as(REVIEWER), page_as(OWNER)
    page_ms = median_ms(reviewer_page, sample, args.page_runs)
    owner_ms = median_ms(owner_page, sample, args.page_runs)
    with CaptureQueriesContext(connection) as ctx:
        reviewer_page(sample[0])
    log(
        f"project page: {page_ms:.1f} ms (co-reviewer), {owner_ms:.1f} ms (owner), {len(ctx.captured_queries)} queries"
    )
    if args.count_queries:
        for i, q in enumerate(ctx.captured_queries, 1):
            log(f"  {i:2d}. ({q['time']}s) {q['sql'][:300]}")

    print(json.dumps({
        "bench": "projects", "projects": Project.objects.count(), "stages": Stage.objects.count(),
        "opinions": Opinion.objects.count(), "silent_consent_s": round(silent_s, 3), "silent_consents": taken,
        "project_page_ms": round(page_ms, 2), "project_page_owner_ms": round(owner_ms, 2),
        "page_queries": len(ctx.captured_queries), "fill_s": counts.get("fill_s"),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
