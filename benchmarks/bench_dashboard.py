"""Server-side time of the dashboard (Streamlit AppTest, no browser).

    python benchmarks/bench_dashboard.py

Prints the first render (fresh process: atlas loaded and scored inside it) and the median
of reruns after changing the home city or the month. Targets (issue 4): first render < 3 s,
rerun median < 150 ms. Baseline for comparison: the same rerun with the caches cleared
(what every rerun would cost without st.cache_resource / st.cache_data and the loader's
own cache: the CSVs re-read, validated and scored each time).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent

HOMES = ["urumqi", "karachi", "lahore", "beijing", "london", "shanghai"]


def main(n: int = 24) -> None:
    t = time.perf_counter()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    first = time.perf_counter() - t
    assert not at.exception, at.exception
    print(f"first render: {first:.2f} s (target < 3 s)")

    reruns = []
    for k in range(n):
        if k % 2:
            at.selectbox(key="home_city").set_value(HOMES[k % len(HOMES)])
        else:
            at.selectbox(key="month").set_value(k % 12 + 1)
        t = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    print(f"rerun after changing home or month: median {statistics.median(reruns) * 1000:.0f} ms, "
          f"max {max(reruns) * 1000:.0f} ms over {n} reruns (target median < 150 ms)")

    import streamlit as st

    from recommender import atlas as atlas_module

    cold = []
    for k in range(4):
        st.cache_resource.clear()
        st.cache_data.clear()
        for f in (atlas_module._atlas, atlas_module._cities, atlas_module._pairs):
            f.cache_clear()
        at.selectbox(key="month").set_value(k + 1)
        t = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - t)
    print(f"baseline, the same rerun with caches cleared: median {statistics.median(cold) * 1000:.0f} ms")
    daily_chart_open(n)


def timed_reruns(at, change, n: int) -> list[float]:
    """n reruns, each after change(at, k); seconds."""
    out = []
    for k in range(n):
        change(at, k)
        t = time.perf_counter()
        at.run()
        out.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    return out


def daily_chart_open(n: int) -> None:
    """Issue 18: reruns with the comfort-by-day charts open — the Travel windows tab (one direction)
    and A pair (both directions, their breaks) — after changing the month or the partner, once
    each figure is cached; beside it, the first draw of each pair (exchange, breaks, figure built)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.query_params.update(home="urumqi", month="1", view="Travel windows")
    at.run()
    assert not at.exception and at.get("plotly_chart"), "the Travel windows tab did not draw"
    partners = at.selectbox(key="exchange_partner").options[:4]
    first = timed_reruns(at, lambda a, k: a.selectbox(key="exchange_partner").set_value(
        a.selectbox(key="exchange_partner").options[k % 4]), 4)[1:]      # new partners: built once
    warm = timed_reruns(at, lambda a, k: a.selectbox(key="month").set_value(k % 12 + 1), n)
    print(f"Travel windows tab, daily chart open, rerun after changing the month: median "
          f"{statistics.median(warm) * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms over {n} (target median < 150 ms); "
          f"first draw for a new partner {statistics.median(first) * 1000:.0f} ms ({len(partners)} partners)")
    at.switch_page("recommender/dashboard/pages/pair.py").run()
    assert not at.exception
    at.selectbox(key="pair_b").set_value("karachi").run()
    pair = timed_reruns(at, lambda a, k: a.radio(key="unit").set_value(("°F", "°C")[k % 2]), n)
    print(f"A pair (both directions by day), rerun after changing the unit: median {statistics.median(pair) * 1000:.0f} ms, "
          f"max {max(pair) * 1000:.0f} ms over {n} (target median < 150 ms)")


if __name__ == "__main__":
    main()
