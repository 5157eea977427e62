"""Benchmark: precision and recall of 智能导办 per relevance threshold, on the labelled questions
of catalog/tests/guided_questions.py (questions → expected item, or NONE). Not a test; the test
suite holds the chosen threshold to its figures (test_guided_search.py). Decision 0026.

Loads the demo hall into its own database (BENCH_DATABASE_URL, default a SQLite file under
var/), then prints one line per threshold and ends with one JSON line for the threshold in use
(search.MIN_RELEVANCE). --misses lists, at that threshold, the questions answered wrongly or
left unanswered with the relevance of their best hit.

    .venv/bin/python bench/guide_threshold.py [--misses] [--quick]
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-guide.sqlite3'}"
)
os.environ.setdefault("ONEWINDOW_PLAIN_STATIC", "true")

import django

django.setup()

from django.core.management import call_command

from onewindow.catalog import search
from onewindow.catalog.tests.guided_questions import LABELLED, NONE, UNMATCHED, measure

THRESHOLDS = [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.33, 0.35, 0.38, 0.4, 0.45, 0.5, 0.6]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list the misses at the threshold in use")
    parser.add_argument(
        "--quick", action="store_true", help="only no threshold and the one in use (make bench-quick)"
    )
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    search.invalidate()
    index = search.current()
    answerable = len(LABELLED) - len(UNMATCHED)
    print(
        f"labelled questions: {answerable} with an item, {len(UNMATCHED)} without; items+bundles: {len(index.docs)}"
    )
    print(
        f"{'threshold':>9} {'answered':>8} {'precision':>9} {'recall':>6} {'f1':>6} {'honest':>6} {'first':>6}"
    )
    for threshold in sorted(
        {0.0, search.MIN_RELEVANCE} if args.quick else {*THRESHOLDS, search.MIN_RELEVANCE}
    ):
        m = measure(index, threshold)
        mark = "  ← in use" if threshold == search.MIN_RELEVANCE else ""
        print(f"{threshold:>9.2f} {m['answered']:>8} {m['precision']:>9.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} "
              f"{m['honest']:>6.3f} {m['first']:>6.3f}{mark}")  # fmt: skip
    if args.misses:
        for question, expected in LABELLED:
            best = index.search(question, limit=3)
            shown = [h.code for h in best if h.relevance >= search.MIN_RELEVANCE]
            if (expected == NONE and shown) or (expected != NONE and expected not in shown):
                print(f"miss: {question} → expected {expected}; best {[(h.code, h.relevance) for h in best]}")
    print(json.dumps({"bench": "guide_threshold", **measure(index, search.MIN_RELEVANCE)}))


if __name__ == "__main__":
    main()
