"""Benchmark: guided search and the item API on a catalog scaled to 5,000 items. Not a test.

Loads the demo hall into its own database (BENCH_DATABASE_URL, default a SQLite file under
var/), copies the demo items into county and town variants until the catalog holds --items
items, then times the 30+ guided-search questions of the test suite × --rounds (p50/p99 ms per
question) and GET /api/v1/items/{code} through the whole middleware stack (items_per_s).
Ends with one JSON line.

    .venv/bin/python bench/catalog.py [--items 5000] [--rounds 100] [--requests 3000]
"""

import argparse
import copy
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-catalog.sqlite3'}"
)
os.environ.setdefault("ONEWINDOW_PLAIN_STATIC", "true")

import django

django.setup()

from django.core.management import call_command
from django.test import Client

from onewindow.catalog import demo, search, services
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.tests.guided_questions import QUESTIONS

PLACES = [
    "德城区",
    "陵城区",
    "禹城市",
    "乐陵市",
    "临邑县",
    "平原县",
    "夏津县",
    "武城县",
    "齐河县",
    "庆云县",
    "宁津县",
]


def scale_to(total: int) -> None:
    have = ServiceItem.objects.count()
    rng = random.Random(5000)
    batch, n = [], 0
    while have + len(batch) < total:
        base = copy.deepcopy(rng.choice(demo.load().items))
        n += 1
        base["code"] = f"{base['code']}-B{n:05d}"
        base["name"] = f"{base['name']}（{rng.choice(PLACES)}第{n}号）"
        base["level"] = "county"
        batch.append(base)
    for i in range(0, len(batch), 500):
        services.import_items(batch[i : i + 500])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.items, args.rounds, args.requests = 80, 1, 20
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    scale_to(args.items)
    items = ServiceItem.objects.count()

    t0 = time.perf_counter()
    search.invalidate()
    search.current()
    index_s = time.perf_counter() - t0

    latencies = []
    for _ in range(args.rounds):
        for question, _expected in QUESTIONS:
            t0 = time.perf_counter()
            search.guide(question, limit=10)
            latencies.append((time.perf_counter() - t0) * 1000)

    client = Client()
    codes = list(ServiceItem.objects.values_list("code", flat=True))
    rng = random.Random(1)
    sample = [rng.choice(codes) for _ in range(args.requests)]
    t0 = time.perf_counter()
    for code in sample:
        answer = client.get(f"/api/v1/items/{code}")
        assert answer.status_code == 200, answer.content
    api_s = time.perf_counter() - t0

    print(json.dumps({
        "bench": "catalog", "items": items, "questions": len(QUESTIONS) * args.rounds,
        "index_build_s": round(index_s, 2),
        "p50_ms": round(statistics.median(latencies), 2), "p99_ms": round(percentile(latencies, 99), 2),
        "items_per_s": round(args.requests / api_s, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
