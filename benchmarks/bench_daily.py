"""The daily climatology and windows in dates (issue 18).

    PYTHONPATH=. python benchmarks/bench_daily.py

Prints: the time to score the whole embedded atlas by day (every city × 365 days, one index,
median of 3 fresh runs; target < 3 s) beside its baseline, the same atlas scored by month; the
largest mean-preservation error per variable (|mean of a month's days − the month's normal|, in
the variable's unit); how often the month windows (the monthly rule) agree with the
majority-of-days summary of the day windows over every sister pair, both directions; and
Ürümqi ⇄ Karachi in dates with the holiday breaks of 2027.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from recommender import load_atlas
from recommender.climate import daily
from recommender.climate.variables import VARIABLES
from recommender.recommend import Recommender
from recommender.rules import in_window, month_window_of_days
from recommender.scored import ScoreCache


def timed(fn, runs: int = 3) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    atlas = load_atlas()
    cache = ScoreCache(atlas)
    sc = cache.get("urban")
    n = len(sc.ids)
    by_month = timed(lambda: ScoreCache(atlas).get("urban"))
    fresh = [ScoreCache(atlas).get("urban") for _ in range(3)]
    by_day = timed(lambda: fresh.pop().daily())
    print(f"score the atlas ({n:,} cities), HCI:Urban: by month {by_month:.2f} s (baseline, {12 * n:,} city-months); "
          f"by day {by_day:.2f} s ({365 * n:,} city-days; target < 3 s)")

    m = sc.monthly()
    print("mean-preservation error, largest over the atlas (unit of the variable):")
    for v in VARIABLES:
        d = daily.interpolate(v, m[v])
        err = np.nanmax(np.abs(daily.month_means(d) - m[v]))
        print(f"  {v:<10} {err:.2e}   ({daily.method(v)})")

    rec = Recommender(atlas)
    pairs = rec.pairs
    a = pairs["city_a"].map(sc.pos)
    b = pairs["city_b"].map(sc.pos)
    ok = a.notna() & b.notna()
    ia, ib = a[ok].astype(int).to_numpy(), b[ok].astype(int).to_numpy()
    days = sc.daily()
    agree = total = 0
    for x, y in ((ia, ib), (ib, ia)):       # x's people visiting y
        months = in_window(sc.score[y], sc.score[x])
        summary = month_window_of_days(in_window(days[y], days[x]), daily.DAY_MONTH, daily.MONTH_LENGTHS)
        agree += int((months == summary).sum())
        total += months.size
    print(f"month windows vs the majority of their days, {int(ok.sum()):,} pairs × 2 directions × 12 months: "
          f"{100 * agree / total:.2f} % agree ({total - agree:,} pair-months differ)")

    ex = rec.exchange("urumqi", "karachi", year=2027)
    from recommender.present.documents import document

    doc = document(ex)
    print(f"Ürümqi → Karachi: months {ex.a_to_b}, dates {doc['a_to_b_dates']}, best fortnight {doc['best_fortnight']['a_to_b']}")
    print(f"Karachi → Ürümqi: months {ex.b_to_a}, dates {doc['b_to_a_dates']}, best fortnight {doc['best_fortnight']['b_to_a']}")
    for h in doc["holidays"]:
        print(f"  {h['direction']}  {h['from']} – {h['to']}  {h['country']}  {h['name']}"
              f"{' (estimated)' if h['estimated'] else ''}: {'IN' if h['in_window'] else 'out'}")


if __name__ == "__main__":
    main()
