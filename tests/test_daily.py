"""The daily climatology (climate.daily), the daily scores and the windows in days (rules)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.climate import daily
from recommender.climate.calendar import DAYS_IN_MONTH
from recommender.climate.variables import SPEC, VARIABLES
from recommender.comfort.score import score_atlas
from recommender.rules import best_fortnight, break_in_window, day_index, day_runs, month_window_of_days
from recommender.scored import ScoreCache

PER_DAY_HI = {"prcp_mm": SPEC["prcp_mm"].hi / 31, "wet_days": 1.0, "sun_hours": 24.0}


def per_day(variable, days):
    """Daily values in atlas units → per-day amounts (for the bounds of amounts)."""
    return days / DAYS_IN_MONTH[daily.DAY_MONTH - 1] if variable in daily.AMOUNTS else days


def normals(variable):
    """Monthly normals a city can have: within the variable's range, amounts at most what a month holds."""
    spec = SPEC[variable]
    hi = min(spec.hi, 40.0 if variable == "wet_days" else spec.hi)
    lo = spec.lo
    if variable == "wet_days":
        hi = 28.0
    if variable == "sun_hours":
        hi = 24 * 28.0
    if variable == "prcp_mm":
        hi = 4000.0         # the per-day bound (5,000 mm / 31) in a 28-day February
    return st.lists(st.floats(lo, hi, allow_nan=False), min_size=12, max_size=12)


@pytest.mark.parametrize("variable", VARIABLES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_month_means_are_the_normals_and_bounds_hold(variable, data):
    m = np.array([data.draw(normals(variable))])
    d = daily.interpolate(variable, m)
    assert d.shape == (1, 365)
    assert np.abs(daily.month_means(d) - m).max() < 0.1
    pd_ = per_day(variable, d)
    assert pd_.min() >= SPEC[variable].lo - 1e-9
    assert pd_.max() <= PER_DAY_HI.get(variable, SPEC[variable].hi) + 1e-9


def test_the_embedded_atlas_interpolates_within_a_hundredth(atlas):
    for v in VARIABLES:
        m = atlas.sort_values(["city_id", "month"])[v].to_numpy(dtype=float).reshape(-1, 12)
        d = daily.interpolate(v, m)
        ok = ~np.isnan(m)
        assert np.nanmax(np.abs(daily.month_means(d) - m)[ok]) < 0.01, v
        assert np.nanmin(per_day(v, d)) >= SPEC[v].lo - 1e-9, v
        assert np.isnan(m).any(axis=1).sum() == np.isnan(d).any(axis=1).sum(), v   # gaps stay gaps, nothing new


def test_hand_checked_cases():
    flat = daily.interpolate("tmax_c", np.full((1, 12), 21.5))
    assert np.allclose(flat, 21.5)
    # 2 mm every day of the year: each day reads as its month's total at 2 mm a day (62 mm in January,
    # 56.5 mm in February's 28.25 days)
    rain = daily.interpolate("prcp_mm", 2.0 * DAYS_IN_MONTH[None, :])
    assert rain[0, 0] == pytest.approx(62.0) and rain[0, 40] == pytest.approx(56.5)
    assert np.allclose(per_day("prcp_mm", rain), 2.0)
    # a dry season next to a wet one: no negative rain, and each month keeps its total
    steps = np.array([[0, 0, 0, 0, 0, 300, 300, 300, 0, 0, 0, 0]], dtype=float)
    r = daily.interpolate("prcp_mm", steps)
    assert r.min() >= 0 and np.allclose(daily.month_means(r), steps, atol=1e-6)
    assert r[0, daily.MONTH_START[0]:daily.MONTH_START[4]].max() == 0.0   # nothing spills into January–April
    # a month at 100 % humidity keeps every day at 100 %
    h = daily.interpolate("rhum_pct", np.array([[60, 70, 80, 100, 100, 100, 90, 80, 70, 60, 60, 60]], dtype=float))
    assert h.max() <= 100 + 1e-9 and np.allclose(h[0, daily.MONTH_START[4]:daily.MONTH_START[5]], 100)


def test_a_gap_keeps_the_monthly_steps():
    m = np.array([[10, 12, np.nan, 18, 22, 26, 28, 27, 23, 18, 13, 10]], dtype=float)
    d = daily.interpolate("tmax_c", m)
    assert np.isnan(d[0, daily.DAY_MONTH == 3]).all()
    assert np.allclose(d[0, daily.DAY_MONTH == 1], 10)


def test_temperatures_are_smooth_and_do_not_ring():
    m = np.array([[-10.6, -6.3, 2.6, 15.1, 22.3, 27.4, 29.6, 28.3, 22.2, 12.5, 1.9, -7.1]])   # Ürümqi-like highs
    d = daily.interpolate("tmax_c", m)[0]
    assert np.abs(np.diff(np.r_[d, d[0]])).max() < 0.6          # °C from one day to the next
    assert d.max() - m.max() < 1.5 and m.min() - d.min() < 1.5


def test_daily_scores_come_from_the_same_engine(atlas):
    sc = ScoreCache(atlas).get("urban")
    j = sc.pos["karachi"]
    days = sc.daily_normals([j])
    srcs = sc.monthly([j])
    for d in (0, 45, 200, 364):
        row = {"city_id": "karachi", "month": int(daily.DAY_MONTH[d])}
        for v in VARIABLES:
            row[v] = days[v][0, d]
            row[f"{v}_src"] = ["measured", "derived", "gridded", "imputed", "missing"][srcs[f"{v}_src"][0, int(daily.DAY_MONTH[d]) - 1]]
        one = score_atlas(pd.DataFrame([row]), sc.index)
        assert sc.daily_of(j)[d] == pytest.approx(float(one["score"].iloc[0]), abs=1e-9)


def test_day_runs_wrap_the_new_year():
    mask = np.zeros(365, dtype=bool)
    mask[300:] = True
    mask[:80] = True
    mask[150:160] = True
    assert day_runs(mask) == [(300, 79), (150, 159)]   # the run from last year first, as circular_runs
    assert day_runs(np.ones(365, dtype=bool)) == [(0, 364)]
    assert day_runs(np.zeros(365, dtype=bool)) == []


def test_a_month_is_in_the_summary_when_most_of_its_days_are():
    mask = np.zeros(365, dtype=bool)
    mask[daily.MONTH_START[0]:daily.MONTH_START[0] + 16] = True      # 16 of January's 31 days: in
    mask[daily.MONTH_START[1]:daily.MONTH_START[1] + 14] = True      # 14 of February's 28: half, not most
    months = month_window_of_days(mask, daily.DAY_MONTH, daily.MONTH_LENGTHS)
    assert months.tolist() == [True] + [False] * 11


def test_best_fortnight_prefers_the_window_and_wraps():
    p = np.full(365, 50.0)
    p[360:] = 90.0
    p[:9] = 90.0                  # 14 days at 90 across the new year
    p[100:114] = 95.0             # better, but outside the window
    window = np.zeros(365, dtype=bool)
    window[355:] = True
    window[:20] = True
    start, score = best_fortnight(p, window)
    assert (start, score) == (360, 90.0)
    assert best_fortnight(p, np.zeros(365, dtype=bool)) == (100, 95.0)
    assert best_fortnight(np.full(365, np.nan), window) is None


def test_day_index_and_breaks_in_a_window():
    assert day_index(dt.date(2027, 1, 1)) == 0
    assert day_index(dt.date(2027, 12, 31)) == 364
    assert day_index(dt.date(2028, 2, 29)) == day_index(dt.date(2028, 2, 28)) == 58
    mask = np.zeros(365, dtype=bool)
    mask[day_index(dt.date(2027, 2, 1)):day_index(dt.date(2027, 2, 8)) + 1] = True
    assert break_in_window(dt.date(2027, 2, 5), dt.date(2027, 2, 10), mask)         # 4 of 6 days
    assert not break_in_window(dt.date(2027, 2, 7), dt.date(2027, 2, 12), mask)     # 2 of 6


def test_urumqi_and_karachi_in_dates():
    from recommender.recommend import Recommender

    ex = Recommender().exchange("urumqi", "karachi", year=2027)
    (ab,), (ba,) = ex.a_to_b_days, ex.b_to_a_days
    assert ab.start > ab.end                                   # late autumn to early spring, across the new year
    assert day_index(dt.date(2027, 11, 1)) <= ab.start <= day_index(dt.date(2027, 11, 30))
    assert day_index(dt.date(2027, 3, 1)) <= ab.end <= day_index(dt.date(2027, 3, 31))
    assert day_index(dt.date(2027, 3, 20)) <= ba.start <= day_index(dt.date(2027, 4, 30)) < ba.end
    # the month windows are the majority-of-days summary of the day windows
    for spans, runs in ((ex.a_to_b_days, ex.a_to_b), (ex.b_to_a_days, ex.b_to_a)):
        mask = np.zeros(365, dtype=bool)
        for s in spans:
            idx = np.arange(s.start, s.end + 1) if s.start <= s.end else np.r_[np.arange(s.start, 365), np.arange(0, s.end + 1)]
            mask[idx] = True
        months = month_window_of_days(mask, daily.DAY_MONTH, daily.MONTH_LENGTHS)
        assert sorted(np.flatnonzero(months) + 1) == sorted(m for r in runs for m in r)
    sf = next(b for b in ex.breaks if b.country == "CN" and b.start <= dt.date(2027, 2, 6) <= b.end)
    assert sf.direction == "a_to_b" and sf.in_window
    nd = next(b for b in ex.breaks if b.country == "CN" and b.start <= dt.date(2027, 10, 1) <= b.end)
    assert not nd.in_window
    assert ex.fortnight_a_to_b.score >= 90
