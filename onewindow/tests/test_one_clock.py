"""Time is an input (ARCHITECTURE.md "Time"): project code reads `onewindow.clock`, never the wall
clock itself, so tests can set the date and the suite passes on any day (issue 13; `make
test-moved-clock` runs it under a moved wall clock)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WALL_CLOCK = re.compile(
    r"\bdate\.today\(|\btimezone\.now\b|\bdatetime\.now\(|\bdatetime\.utcnow\(|\bauto_now(_add)?\s*=|\bNow\(\)"
)


def test_only_the_clock_module_reads_the_wall_clock():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[-2:-1] in (("tests",), ("migrations",)) or relative == Path("clock.py"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WALL_CLOCK.search(line.split("#", 1)[0]):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
