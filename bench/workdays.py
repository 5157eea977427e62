"""Benchmark: working-day arithmetic (issue: foundation). Not a test.

Times 1,000,000 `add_workdays` calls through the public function (ordinal arrays) and the
same calls with a naive day-by-day loop over a set of working days, in one run, on the
calendar of the configured database (seeded if empty). Ends with one JSON line.

    .venv/bin/python bench/workdays.py [--calls 1000000]
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")

import django

django.setup()

from django.core.management import call_command

from onewindow.workdays import calendar
from onewindow.workdays.models import Day


def naive_add(day: dt.date, n: int, workdays: set[dt.date]) -> dt.date:
    counted = 0
    one = dt.timedelta(days=1)
    while counted < n:
        day += one
        if day in workdays:
            counted += 1
    return day


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.calls = 2_000
    call_command("migrate", verbosity=0)
    call_command("seed_calendar", verbosity=0, stdout=open(os.devnull, "w"))
    rng = random.Random(20261126)
    start, span = dt.date(2010, 1, 1), (dt.date(2028, 12, 1) - dt.date(2010, 1, 1)).days
    cases = [(start + dt.timedelta(days=rng.randrange(span)), rng.randint(1, 20)) for _ in range(args.calls)]
    calendar.add_workdays(cases[0][0], 1)  # load the arrays once, outside the timing

    add = calendar.add_workdays
    t0 = time.perf_counter()
    fast = [add(d, n) for d, n in cases]
    fast_s = time.perf_counter() - t0

    workdays = set(Day.objects.filter(is_workday=True).values_list("date", flat=True))
    t0 = time.perf_counter()
    slow = [naive_add(d, n, workdays) for d, n in cases]
    naive_s = time.perf_counter() - t0

    assert fast == slow, "ordinal arithmetic and the naive loop disagree"
    result = {
        "bench": "workdays",
        "calls": args.calls,
        "us_per_call": round(fast_s / args.calls * 1e6, 3),
        "naive_us_per_call": round(naive_s / args.calls * 1e6, 3),
        "speedup": round(naive_s / fast_s, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
