"""A pytest plugin for bench_faults.py: counts every example hypothesis runs (schemathesis runs on
hypothesis too), by pytest test id and status, through hypothesis's observability callbacks, and
writes the counts as JSON to $FAULT_CASES_OUT when the session ends."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict

from hypothesis.internal.observability import add_observability_callback

_counts: dict[str, Counter] = defaultdict(Counter)
_current = {"id": None}


def _seen(observation, thread_id: int | None = None) -> None:
    if getattr(observation, "type", None) == "test_case" and _current["id"]:
        _counts[_current["id"]][str(observation.status)] += 1


def pytest_configure(config) -> None:
    add_observability_callback(_seen, all_threads=True)


def pytest_runtest_setup(item) -> None:
    _current["id"] = item.nodeid


def pytest_sessionfinish(session) -> None:
    out = os.environ.get("FAULT_CASES_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({k: dict(v) for k, v in _counts.items()}, f)
