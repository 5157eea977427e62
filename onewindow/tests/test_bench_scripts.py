"""The benchmarks stay runnable (issue 13 rule 10): a script in bench/ named like a standard-library
module (bench/queue.py once was) is imported instead of that module by every other bench run as a
script, and Django's set-up dies. `make bench-quick` (in .ci/run) runs each bench at tiny sizes."""

import ast
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_no_bench_script_shadows_a_standard_library_module():
    names = {p.stem for p in BENCH.glob("*.py")}
    assert names, "bench/ holds no scripts"
    assert sorted(names & set(sys.stdlib_module_names)) == []


def test_every_bench_has_a_quick_mode_and_make_bench_quick_runs_it():
    makefile = (BENCH.parent / "Makefile").read_text()
    quick_target = makefile.split("bench-quick: venv", 1)[1].split("\n\n", 1)[0]
    for script in sorted(BENCH.glob("*.py")):
        if script.stem == "harness":  # shared by the benches, not one itself
            continue
        flags = {
            node.args[0].value
            for node in ast.walk(ast.parse(script.read_text()))
            if isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "add_argument"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        }
        assert "--quick" in flags, f"{script.name} has no --quick mode"
        assert f"bench/{script.name} --quick" in quick_target, f"make bench-quick does not run {script.name}"
