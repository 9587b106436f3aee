"""Not speed: how many fault cases the fault suite tries, and how many hold, by class.

Runs the fault tests (the files the README's Errors section names) under pytest and counts, per
class, the test cases and the examples hypothesis and schemathesis generate inside them (counted
by fault_cases_plugin.py through hypothesis's observability callbacks); a case
"holds" when its test passes (for a generated test, every example it tried held unless the test
failed: then its failing examples are the ones that fell short).

    python benchmarks/bench_faults.py            # every class (a few minutes)
    python benchmarks/bench_faults.py --quick    # without the integration tier
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# One class of fault per test file; the order is the README's fault table's.
CLASSES = {
    "test_inputs.py": "options, terminal and output (CLI)",
    "test_link_fuzz.py": "link parameters (page)",
    "test_faults.py": "the fault table: network, disk, interrupts, damaged files (CLI and page)",
    "test_data_fuzz.py": "damaged copies of each data file",
    "test_downloads.py": "hostile servers: bomb, endless, trickle, full disk",
    "test_refresh.py": "refresh runs: deadlines, partial failures, the store's folder",
    "test_store.py": "the store: kill -9, concurrent writers, damage, migration, orphans",
    "test_hostile_names.py": "names from data in every medium",
    "test_api_fuzz.py": "the API against its OpenAPI schema",
}

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave out the integration tier")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        counted = Path(tmp) / "examples.json"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "fault_cases_plugin",
               f"--junitxml={junit}", *(["-m", "not integration"] if args.quick else []),
               *(f"tests/{name}" for name in CLASSES)]
        env = {**os.environ, "FAULT_CASES_OUT": str(counted),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "benchmarks"), os.environ.get("PYTHONPATH")]))}
        run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
        if not junit.exists() or not counted.exists():
            print(run.stdout[-3000:], run.stderr[-3000:], sep="\n")
            return 2
        examples = json.loads(counted.read_text(encoding="utf-8"))   # test id → {status: count}
        tried, held, cases, skipped = (defaultdict(int) for _ in range(4))
        short: list[str] = []
        for case in ET.parse(junit).getroot().iter("testcase"):
            name = next((part + ".py" for part in case.get("classname", "").split(".") if part + ".py" in CLASSES), "?")
            test = case.get("name", "")
            seen = examples.get(f"tests/{name}::{test}", {})
            if case.find("skipped") is not None:
                skipped[name] += 1
                continue
            failed = case.find("failure") is not None or case.find("error") is not None
            cases[name] += 1
            p, f = seen.get("passed", 0), seen.get("failed", 0)        # "gave_up": an invalid draw, not a case
            n = max(p + f, 1)
            tried[name] += n
            held[name] += n - (max(f, 1) if failed else 0)
            if failed:
                short.append(f"{name}::{test}")
    print(f"{'class':74} {'tests':>6} {'cases':>7} {'hold':>7}")
    for name, label in CLASSES.items():
        extra = f"  ({skipped[name]} skipped)" if skipped[name] else ""
        print(f"{label:74} {cases[name]:6,} {tried[name]:7,} {held[name]:7,}{extra}")
    print(f"{'all':74} {sum(cases.values()):6,} {sum(tried.values()):7,} {sum(held.values()):7,}")
    print("a case is one test, or one generated example of a hypothesis/schemathesis test")
    for s in short:
        print("fell short:", s)
    return 0 if not short else 1


if __name__ == "__main__":
    sys.exit(main())
