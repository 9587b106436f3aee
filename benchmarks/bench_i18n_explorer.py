"""Server-side time of the language switch and the exchange explorer (Streamlit AppTest, no
browser), with the full registry.

    python benchmarks/bench_i18n_explorer.py

Prints (issue 11 targets): the explorer's first render in a fresh process (< 3 s); the rerun
after switching language — the first switch to each language in a process (it builds that
language's 16,000 city labels once) and the median once every language has been shown
(< 150 ms); the rerun after changing an explorer filter (< 150 ms). Baseline: the rerun after
changing a choice the explorer does not depend on (the temperature unit), in English. The
explorer is the All pairs page, opened by the one-page dashboard's old link (?view=Exchange explorer).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from recommender.present.i18n import DEFAULT_LANGUAGE, LANGUAGES

REPO = Path(__file__).resolve().parent.parent


def timed(at) -> float:
    t = time.perf_counter()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return time.perf_counter() - t


def main(n: int = 12) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for k, v in dict(home="urumqi", month="1", lang="en", view="Exchange explorer").items():
        at.query_params[k] = v
    first = timed(at)
    # the old link opens the All pairs page: its ranking is the page's one table
    # the ranking, then the exchange calendar's data table (its text alternative)
    assert len(at.dataframe) >= 1 and at.selectbox(key="ex_country"), "the explorer did not render"
    print(f"explorer first render (fresh process, atlas loaded and scored): {first:.2f} s (target < 3 s)")

    units = []
    for k in range(n):       # a choice the explorer does not depend on (the one-page dashboard changed the month)
        at.radio(key="unit").set_value(("°F", "°C")[k % 2])
        units.append(timed(at))
    print(f"baseline, rerun after changing the temperature unit (English, explorer open): median "
          f"{statistics.median(units) * 1000:.0f} ms")

    firsts = {}
    for lang in [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]:
        at.selectbox(key="lang").set_value(lang)
        firsts[lang] = timed(at)
    print("first switch to a language in this process: "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in firsts.items()))
    switches = []
    for k in range(n):
        at.selectbox(key="lang").set_value(list(LANGUAGES)[k % len(LANGUAGES)])
        switches.append(timed(at))
    print(f"language switch, every language shown before: median {statistics.median(switches) * 1000:.0f} ms, "
          f"max {max(switches) * 1000:.0f} ms over {n} (target < 150 ms)")

    at.selectbox(key="lang").set_value(DEFAULT_LANGUAGE)
    timed(at)
    filters = []
    countries = ["PK", "CN", "FR", "US", "DE", ""]
    for k in range(n):
        if k % 3 == 2:
            at.selectbox(key="ex_city").set_value("karachi" if at.selectbox(key="ex_country").value == "PK" else "")
        else:
            at.selectbox(key="ex_country").set_value(countries[k % len(countries)])
            at.selectbox(key="ex_city").set_value("")
        filters.append(timed(at))
    print(f"explorer filter change: median {statistics.median(filters) * 1000:.0f} ms, max {max(filters) * 1000:.0f} ms "
          f"over {n} (target < 150 ms)")


if __name__ == "__main__":
    main()
