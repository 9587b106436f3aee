"""climate/: the variable declarations, derivations by stated physics, daily → normals, the
month parser and validation against the declared ranges — all on small inline data."""

import warnings

import numpy as np
import pandas as pd
import pytest

from recommender.climate.astro import monthly_max_sunshine_hours
from recommender.climate.calendar import parse_month
from recommender.climate.derive import cloud_from_sunshine, daylight, normals_from_daily, sunshine_from_percent, tmean_from_extremes
from recommender.climate.validate import row_problems, validate_normals
from recommender.climate.variables import DECIMALS, NORMALS_COLUMNS, SPEC, VARIABLES
from recommender.errors import AtlasError, RecommenderError


def test_every_variable_is_declared_once_with_unit_range_and_decimals():
    assert VARIABLES == [v for v in SPEC] and len(set(VARIABLES)) == len(VARIABLES)
    for v in SPEC.values():
        assert v.lo < v.hi and v.unit and v.label and v.decimals in (0, 1)
    assert DECIMALS["rhum_pct"] == 0 and DECIMALS["tmax_c"] == 1
    assert NORMALS_COLUMNS[:2] == ["city_id", "month"] and NORMALS_COLUMNS[-1] == "period"


def test_derivations_by_hand():
    assert tmean_from_extremes(30.0, 20.0) == 25.0
    s0 = float(monthly_max_sunshine_hours(30.0, 6))
    assert sunshine_from_percent(50.0, 30.0, 6) == pytest.approx(s0 / 2)
    assert cloud_from_sunshine(s0 / 4, 30.0, 6) == pytest.approx(75.0)
    assert cloud_from_sunshine(s0 * 1.2, 30.0, 6) == 0.0
    assert np.isnan(cloud_from_sunshine(0.0, 80.0, 12))          # polar night: undefined, left missing


def daily_frame(year=2019, **values):
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    return pd.DataFrame({k: np.full(len(days), v, dtype=float) for k, v in values.items()}, index=days)


def test_normals_from_daily_by_hand():
    d = daily_frame(temp=10.0, tmin=5.0, tmax=15.0, rhum=60.0, prcp=2.0, wspd=12.0, tsun=300.0)
    d.loc[d.index.day > 10, "prcp"] = 0.0          # 10 wet days of 2 mm a month
    n = normals_from_daily(d, 45.0, "x", 2019, 2019).set_index("month")
    assert list(n.columns) == [c for c in NORMALS_COLUMNS if c != "month"] and len(n) == 12
    assert (n["tmax_c"] == 15.0).all() and (n["rhum_pct"] == 60).all() and (n["wind_kmh"] == 12.0).all()
    assert (n["prcp_mm"] == 20.0).all() and (n["wet_days"] == 10.0).all()
    assert n.at[1, "sun_hours"] == pytest.approx(31 * 5.0)
    assert (n["cloud_pct_src"] == "derived").all() and (n["tmax_c_src"] == "measured").all()


def test_normals_from_daily_needs_enough_days_and_derives_tmean():
    d = daily_frame(tmin=0.0, tmax=10.0, prcp=1.0)
    d.loc[d.index.month == 3, "prcp"] = np.nan                      # March without rain data
    n = normals_from_daily(d, 10.0, "x", 2019, 2019).set_index("month")
    assert np.isnan(n.at[3, "prcp_mm"]) and n.at[3, "prcp_mm_src"] == "missing"
    assert (n["tmean_c"] == 5.0).all() and (n["tmean_c_src"] == "derived").all()
    assert (n["wind_kmh_src"] == "missing").all() and (n["cloud_pct_src"] == "missing").all()


@pytest.mark.parametrize("text,month", [(1, 1), ("12", 12), (" 7 ", 7), ("jan", 1), ("December", 12), ("SEP", 9)])
def test_months_as_people_write_them(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("bad", ["0", "13", "³", "٣", "１２", "1" * 5000, "1.0", "", "janu", True, 2.0, None, -1])
def test_everything_else_is_refused_in_one_sentence(bad):
    with pytest.raises(RecommenderError, match="1 \\(January\\) to 12") as e:
        parse_month(bad)
    assert len(str(e.value)) < 200 and "\n" not in str(e.value)


def normals(**over):
    rows = pd.DataFrame({"city_id": "x", "month": np.arange(1, 13), "tmax_c": 20.0, "tmin_c": 10.0, "tmean_c": 15.0,
                         "prcp_mm": 50.0, "wet_days": 5.0, "rhum_pct": 60.0, "sun_hours": 200.0, "cloud_pct": 40.0,
                         "wind_kmh": 10.0, "period": "p"})
    for k, v in over.items():
        rows.loc[rows.month == 7, k] = v
    for v in VARIABLES:
        rows[f"{v}_src"] = np.where(rows[v].isna(), "missing", "measured")
    return rows[NORMALS_COLUMNS]


@pytest.mark.parametrize("column,value", [("tmax_c", 1e309), ("tmax_c", 99999.0), ("prcp_mm", -1.0),
                                          ("rhum_pct", 101.0), ("wind_kmh", 500.0), ("tmin_c", -float("inf"))])
def test_values_outside_their_physical_range_are_named(column, value):
    probs = row_problems(normals(**{column: value}), np.full(12, 45.0))
    assert column in set(probs["column"])
    with pytest.raises(AtlasError, match=f"City 'x', month 7, column {column}"):
        validate_normals(normals(**{column: value}), pd.Series({"x": 45.0}))


def test_an_empty_table_is_refused():
    with pytest.raises(AtlasError, match="no rows"):
        validate_normals(normals().iloc[:0], pd.Series({"x": 45.0}))
    validate_normals(normals().iloc[:0], pd.Series({"x": 45.0}), allow_empty=True)


# ---------------------------------------------------------------------- pinned by mutation testing
# (scripts/mutation.sh): the thresholds and fall-backs of the derivations, by hand.


def test_daylight_and_cloud_in_polar_night():
    # S₀ at 85°N in December is 0 h (polar night), at the equator in June about 12 h a day
    assert not daylight(85.0, 12) and daylight(0.0, 6)
    assert monthly_max_sunshine_hours(85.0, 12) == 0.0
    with warnings.catch_warnings():             # S / S₀ = 0 / 0 and 5 / 0: missing, silently
        warnings.simplefilter("error")
        assert np.isnan(cloud_from_sunshine([0.0, 5.0], 85.0, 12)).all()
    s0 = float(monthly_max_sunshine_hours(30.0, 6))
    # clipped to 0–100: a (mis-typed) negative sunshine total is 100 % cloud, not 100·(1 + 1/S₀)
    assert cloud_from_sunshine(-1.0, 30.0, 6) == 100.0 and cloud_from_sunshine(0.0, 30.0, 6) == 100.0
    assert cloud_from_sunshine(s0, 30.0, 6) == 0.0


def test_normals_from_daily_by_hand_in_a_leap_year():
    # 2020: February has 29 days of 1 mm → 29 mm (scaled to the month's own 29 days); a day of
    # exactly 1.0 mm is a wet day (≥ 1 mm, WMO), so every day is wet; the mean temperature comes
    # from `temp` (12 °C, measured), not from the extremes ((15 + 5) / 2 = 10 °C).
    d = daily_frame(year=2020, temp=12.0, tmin=5.0, tmax=15.0, prcp=1.0)
    n = normals_from_daily(d, 45.0, "x", 2020, 2020).set_index("month")
    assert n.at[2, "prcp_mm"] == 29.0 and n.at[2, "wet_days"] == 29.0 and n.at[3, "prcp_mm"] == 31.0
    assert (n["tmean_c"] == 12.0).all() and (n["tmean_c_src"] == "measured").all()
    assert (n["period"] == "2020-2020").all()


def test_a_months_totals_need_80_percent_of_its_days():
    # April (30 days): 24 days with rain data = 80 % → kept, 24 × 1 mm scaled to 30 days = 30 mm;
    # May (31 days): 24 days < 0.8 · 31 = 24.8 → missing; 20 days in June → missing
    d = daily_frame(tmin=0.0, tmax=10.0, prcp=1.0)
    d.loc[(d.index.month == 4) & (d.index.day > 24), "prcp"] = np.nan
    d.loc[(d.index.month == 5) & (d.index.day > 24), "prcp"] = np.nan
    d.loc[(d.index.month == 6) & (d.index.day > 20), "prcp"] = np.nan
    n = normals_from_daily(d, 45.0, "x", 2019, 2019).set_index("month")
    assert n.at[4, "prcp_mm"] == 30.0 and n.at[4, "wet_days"] == 30.0 and n.at[4, "prcp_mm_src"] == "measured"
    assert np.isnan(n.at[5, "prcp_mm"]) and np.isnan(n.at[6, "prcp_mm"]) and n.at[5, "prcp_mm_src"] == "missing"


def test_a_calendar_months_normal_needs_half_of_the_periods_years():
    # period 2016–2019 (4 years): a normal needs ceil(0.5 · 4) = 2 years of the month
    two = pd.concat([daily_frame(year=2018, tmax=10.0, tmin=0.0), daily_frame(year=2019, tmax=12.0, tmin=2.0)])
    n = normals_from_daily(two, 45.0, "x", 2016, 2019).set_index("month")
    assert (n["tmax_c"] == 11.0).all() and (n["period"] == "2016-2019").all()
    one = normals_from_daily(daily_frame(year=2019, tmax=12.0, tmin=2.0), 45.0, "x", 2016, 2019)
    assert one["tmax_c"].isna().all() and (one["tmax_c_src"] == "missing").all()
    # a three-year period needs ceil(1.5) = 2 years, too
    assert normals_from_daily(daily_frame(year=2019, tmax=12.0), 45.0, "x", 2017, 2019)["tmax_c"].isna().all()


def test_a_month_without_any_daily_rows_is_still_a_row():
    # no rows at all in March, and no temperature or rain columns: twelve rows, those values missing
    d = daily_frame(rhum=60.0)
    d = d[d.index.month != 3]
    n = normals_from_daily(d, 45.0, "x", 2019, 2019).set_index("month")
    assert list(n.index) == list(range(1, 13)) and np.isnan(n.at[3, "rhum_pct"]) and n.at[4, "rhum_pct"] == 60
    for v in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "wet_days"):
        assert n[v].isna().all() and (n[f"{v}_src"] == "missing").all(), v
