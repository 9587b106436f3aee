"""rules.py on hand-made score and climate arrays: the window rule with missing scores, the season
type at each of its thresholds, complementarity and the exchange order by hand, the reasons at
their thresholds and the quality note (issue 16: tests that fail for real defects)."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from recommender import rules as R
from recommender.climate.variables import PROVENANCE
from recommender.results import Reason

# ------------------------------------------------------------------------------ the window rule


def test_a_month_without_a_score_is_never_in_a_window():
    # Scores as JSON gives them (None = no score). Partner None: never a window month; home None:
    # the partner only has to be good (≥ 60). 70 − 50 = 20 ≥ 10; 65 − 60 = 5 < 10.
    assert R.in_window([None, 70, 65, 70], [None, 50, 60, None]).tolist() == [False, True, False, True]


# ------------------------------------------------------------------------------ the season type
SUMMER_MONTH = {4: "summer peak", 9: "summer peak", 3: "winter peak", 10: "winter peak"}
FLAT_RAIN = np.full(12, 50.0)


def one_peak(month, high=80.0, low=40.0):
    s = np.full(12, low)
    s[month - 1] = high
    return s


@pytest.mark.parametrize("month,kind", SUMMER_MONTH.items())
def test_the_summer_half_year_runs_from_april_to_september(month, kind):
    # a single peak month is its own centre; 4 ≤ centre ≤ 9 is the northern summer half
    assert R.season_type(one_peak(month), 45.0, FLAT_RAIN) == kind
    flipped = "winter peak" if kind == "summer peak" else "summer peak"
    assert R.season_type(one_peak(month), -45.0, FLAT_RAIN) == flipped


def test_the_equator_counts_as_north():
    # lat 0 is the northern hemisphere (lat ≥ 0): a July peak is a summer peak there; flat rain is
    # not a dry season (its high-season mean equals the year's, not < 0.75 of it).
    assert R.season_type(one_peak(7), 0.0, FLAT_RAIN) == "summer peak"
    assert R.season_type(one_peak(7), -0.5, FLAT_RAIN) == "winter peak"


def test_the_centre_of_an_even_run_is_its_later_middle_month():
    # high season February–May (4 months): centre = run[4 // 2] = April → summer half (north)
    s = np.array([40, 80, 80, 80, 80, 40, 40, 40, 40, 40, 40, 40.0])
    assert R.season_type(s, 45.0, FLAT_RAIN) == "summer peak"


def test_season_type_thresholds_are_inclusive_where_stated():
    # every month ≥ 70 (here exactly 70 in six months) → year-round
    assert R.season_type(np.r_[np.full(6, 70.0), np.full(6, 80.0)], 45.0, FLAT_RAIN) == "year-round"
    # best month exactly 50: not "poor" (poor is max < 50); the single July peak → summer peak
    assert R.season_type(one_peak(7, high=50.0, low=30.0), 45.0, FLAT_RAIN) == "summer peak"
    # high season = months ≥ best − 10: January 80 and July exactly 70 → two runs → bimodal
    s = np.full(12, 50.0)
    s[0], s[6] = 80.0, 70.0
    assert R.season_type(s, 45.0, FLAT_RAIN) == "bimodal shoulder peak"
    # … but July at 69 is 11 below the best: January alone → winter peak in the north
    s[6] = 69.0
    assert R.season_type(s, 45.0, FLAT_RAIN) == "winter peak"


def test_all_missing_scores_have_no_season_type():
    assert R.season_type(np.full(12, np.nan), 45.0, FLAT_RAIN) == "unknown"
    # a missing month (None, as JSON gives it) is ignored; the others are all ≥ 70
    assert R.season_type([None] + [75.0] * 11, 45.0, FLAT_RAIN) == "year-round"


# The dry-season example of test_recommend: high season December–March (scores ≥ 88 − 10), rain
# 5, 5, 10, 5 mm there (mean 6.25) against a yearly mean of 1525 / 12 = 127.1 mm → dry-season peak inside the tropics.
DRY = np.array([85, 88, 80, 60, 50, 45, 40, 40, 45, 55, 70, 82.0])
RAIN = np.array([5, 5, 10, 80, 200, 300, 300, 300, 200, 100, 20, 5.0])


def test_the_tropics_end_at_23_5_degrees():
    assert R.season_type(DRY, 23.4, RAIN) == "dry-season peak"
    assert R.season_type(DRY, -23.4, RAIN) == "dry-season peak"
    # at |lat| ≥ 23.5 the same months are classified by the calendar: centre February → winter (north)
    assert R.season_type(DRY, 23.5, RAIN) == "winter peak"
    assert R.season_type(DRY, 24.0, RAIN) == "winter peak"
    # tropics without any rain data: by the calendar, and without a warning about empty means
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert R.season_type(DRY, 10.0, np.full(12, np.nan)) == "winter peak"
    # rain given as JSON would give it (None = missing): the missing month is ignored
    assert R.season_type(DRY, 10.0, [None] + list(RAIN[1:])) == "dry-season peak"


def test_the_dry_season_is_the_high_season_months_own_rain():
    # High season June–August (80) with no rain, May 600 mm, the rest 50 mm: yearly mean
    # (8·50 + 600 + 0) / 12 = 83.3 mm, the high season's 0 mm < 0.75 · 83.3 → dry-season peak.
    # (Reading the month before each high-season month would include May's 600 mm.)
    s = np.full(12, 40.0)
    s[5:8] = 80.0
    rain = np.full(12, 50.0)
    rain[4], rain[5:8] = 600.0, 0.0
    assert R.season_type(s, 10.0, rain) == "dry-season peak"


def test_a_high_season_with_exactly_three_quarters_of_the_rain_is_not_dry():
    # High season June–August at 90 mm, the other nine months 130 mm: yearly mean
    # (3·90 + 9·130) / 12 = 1440 / 12 = 120 mm, and 90 = 0.75 · 120 is not < it → by the calendar:
    # centre July at 10°N → summer peak. At 89 mm it is a dry-season peak ((3·89 + 9·130) / 12 = 119.75, and 89 < 0.75 · 119.75 = 89.81).
    s = np.full(12, 40.0)
    s[5:8] = 80.0
    rain = np.full(12, 130.0)
    rain[5:8] = 90.0
    assert R.season_type(s, 10.0, rain) == "summer peak"
    rain[5:8] = 89.0
    assert R.season_type(s, 10.0, rain) == "dry-season peak"


# ------------------------------------------------------------------------------ complementarity


def test_complementarity_by_hand():
    m = np.arange(12.0)
    za = np.array([3, -1, -1, -1] + [0] * 8, dtype=float)   # zero-mean shapes, written out
    zb = np.array([1, -1] + [0] * 10, dtype=float)
    a = np.vstack([50 + m, 50 + m, np.full(12, 60.0), 40 + 10 * za])
    b = np.vstack([80 + 2 * m, 80 - 2 * m, 30 + m, 70 + 5 * zb])
    # row 0: same shape (r = 1) → 0; row 1: mirrored (r = −1) → 1; row 2: a flat curve → ½;
    # row 3: r = za·zb / (|za| |zb|) = (3 + 1) / √(12 · 2) = 4 / √24 = 0.81650 → (1 − r) / 2 = 0.091752 → 0.092
    assert R.complementarity(a, b).tolist() == [0.0, 1.0, 0.5, 0.092]
    # each row on its own gives the same (rows are independent of each other)
    assert [float(R.complementarity(a[k:k + 1], b[k:k + 1])[0]) for k in range(4)] == [0.0, 1.0, 0.5, 0.092]


def test_a_flat_curve_gives_one_half_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert R.complementarity(np.full((2, 12), 60.0), np.vstack([np.arange(12.0), np.full(12, 5.0)])).tolist() == [0.5, 0.5]


SCORE = st.floats(0, 100).map(lambda x: round(x, 1))    # scores come rounded to 0.1


@settings(max_examples=100, deadline=None)
@given(st.lists(SCORE, min_size=12, max_size=12), st.lists(SCORE, min_size=12, max_size=12))
def test_complementarity_is_symmetric_and_bounded(a, b):
    ab = R.complementarity([a], [b])[0]
    assert 0.0 <= ab <= 1.0 and ab == R.complementarity([b], [a])[0]


# ------------------------------------------------------------------------------ the exchange order


def test_exchange_order_by_hand():
    #           two_way  na nb  comp  a    b
    pairs = [(False, 6, 6, 0.9, "a", "b"),     # 0: one-way: after every two-way pair, however long
             (True, 2, 2, 0.1, "c", "d"),      # 1: 4 months, shorter window 2, comp 0.1
             (True, 3, 1, 0.5, "e", "f"),      # 2: 4 months, shorter window 1 → after the 2 + 2 pairs
             (True, 2, 2, 0.3, "g", "h"),      # 3: as 1 but comp 0.3 → before 1
             (True, 2, 2, 0.3, "a", "z"),      # 4: as 3 but a = "a" → before 3
             (True, 2, 2, 0.3, "a", "y"),      # 5: as 4 but b = "y" → before 4
             (True, 4, 1, 0.0, "k", "l")]      # 6: 5 months covered → first
    two_way, na, nb, comp, a_ids, b_ids = (np.array(c) for c in zip(*pairs))
    assert R.exchange_order(two_way, na, nb, comp, a_ids, b_ids).tolist() == [6, 5, 4, 3, 1, 2, 0]


# ------------------------------------------------------------------------------ the reasons


def climate(**months):
    """A scored-atlas stand-in: two cities (row 0 the partner, row 1 home), values for January
    given per row as (partner, home); everything else unremarkable."""
    base = dict(tmax=(20.0, 20.0), utci_class=("no thermal stress", "no thermal stress"), utci=(20.0, 20.0),
                prcp=(50.0, 50.0), wet=(5.0, 5.0), sun_per_day=(5.0, 5.0), rh_pm=(40.0, 40.0))
    base.update(months)
    out = {}
    for k, (partner, home) in base.items():
        a = np.array([[partner] * 12, [home] * 12], dtype=object if k == "utci_class" else float)
        out[k] = a
    return SimpleNamespace(**out)


def codes(sc, i=1, limit=10):
    return [r.code for r in R.reasons(sc, 0, i, 1, limit=limit)]


def test_an_unremarkable_month_has_only_its_temperature():
    # 20 °C, 50 mm on 5 days, 5 h of sun, 40 % afternoon humidity, no thermal stress
    assert R.reasons(climate(), 0, 1, 1) == (Reason("temperature", 2.0, {"tmax_c": 20.0, "home_tmax_c": 20.0}),)
    assert R.reasons(climate(), 0, None, 1) == (Reason("temperature", 2.0, {"tmax_c": 20.0, "home_tmax_c": None}),)
    assert R.reasons(climate(tmax=(20.0, np.nan)), 0, 1, 1)[0].values == {"tmax_c": 20.0, "home_tmax_c": None}


@pytest.mark.parametrize("prcp,wet,expected", [
    (19.9, 5.0, ["dry"]), (20.0, 5.0, []),               # dry: < 20 mm
    (50.0, 12.0, ["rainy_days"]), (50.0, 11.9, []),      # rainy days: ≥ 12 wet days
    (50.0, np.nan, []), (150.0, np.nan, ["wet"]),        # no wet-day count: by the amount only
    (100.0, 5.0, ["wet"]), (99.9, 5.0, []),              # wet: ≥ 100 mm
    (10.0, 15.0, ["dry"]),                               # dry first, whatever the count of drizzly days
    (np.nan, 15.0, []),                                  # no precipitation: no precipitation reason
])
def test_precipitation_reasons_at_their_thresholds(prcp, wet, expected):
    sc = climate(prcp=(prcp, 50.0), wet=(wet, 5.0))
    assert codes(sc) == ["temperature"] + expected


def test_precipitation_reasons_carry_their_numbers():
    assert R.reasons(climate(prcp=(10.0, 50.0)), 0, 1, 1)[1] == Reason("dry", 1.5, {"prcp_mm": 10.0})
    assert R.reasons(climate(wet=(14.0, 5.0)), 0, 1, 1)[1] == Reason("rainy_days", 1.5, {"wet_days": 14.0})
    assert R.reasons(climate(prcp=(120.0, 50.0)), 0, 1, 1)[1] == Reason("wet", 1.5, {"prcp_mm": 120.0})


@pytest.mark.parametrize("sun,expected", [(8.0, "sunny"), (7.9, None), (3.0, None), (2.9, "grey"), (np.nan, None)])
def test_sunshine_reasons_at_their_thresholds(sun, expected):
    got = R.reasons(climate(sun_per_day=(sun, 5.0)), 0, 1, 1, limit=10)
    assert [r.code for r in got[1:]] == ([expected] if expected else [])
    if expected:
        assert got[1] == Reason(expected, 1.0, {"sun_h_per_day": sun})


@pytest.mark.parametrize("rh,t,humid", [(60.0, 27.0, True), (59.9, 30.0, False), (80.0, 26.9, False),
                                        (40.0, 30.0, False), (np.nan, 35.0, False)])
def test_humid_needs_both_humidity_and_heat(rh, t, humid):
    got = R.reasons(climate(rh_pm=(rh, 40.0), tmax=(t, 20.0)), 0, 1, 1, limit=10)
    assert [r for r in got if r.code == "humid"] == ([Reason("humid", 1.2, {"rh_pm_pct": rh})] if humid else [])


def test_thermal_stress_and_escaping_it_at_home():
    hot, cold, fine = "strong heat stress", "moderate cold stress", "no thermal stress"
    # the partner in stress: a thermal-stress reason with its class and UTCI, first
    got = R.reasons(climate(utci_class=(hot, fine), utci=(35.5, 20.0)), 0, 1, 1)
    assert got[0] == Reason("thermal_stress", 3.0, {"utci_class": hot, "utci_c": 35.5})
    # slight cold and moderate heat are not called out
    assert codes(climate(utci_class=("slight cold stress", "moderate heat stress"))) == ["temperature"]
    # home in stress, the partner not: escapes home's stress
    got = R.reasons(climate(utci_class=(fine, cold)), 0, 1, 1)
    assert [r.code for r in got] == ["temperature", "escapes_home_stress"]
    assert got[1] == Reason("escapes_home_stress", 1.8, {"home_utci_class": cold})
    # both in stress: the partner's stress is named, not an escape
    assert codes(climate(utci_class=(hot, cold))) == ["thermal_stress", "temperature"]
    # no home: nothing to escape
    assert codes(climate(utci_class=(fine, cold)), i=None) == ["temperature"]


def test_reasons_are_the_strongest_three():
    # thermal stress 3 > temperature 2 > escapes 1.8 > dry 1.5 > humid 1.2 > sunny 1.0
    sc = climate(utci_class=("very strong heat stress", "no thermal stress"), utci=(40.0, 20.0), tmax=(38.0, 20.0),
                 prcp=(5.0, 50.0), sun_per_day=(11.0, 5.0), rh_pm=(65.0, 40.0))
    assert codes(sc) == ["thermal_stress", "temperature", "dry", "humid", "sunny"]
    assert [r.code for r in R.reasons(sc, 0, 1, 1)] == ["thermal_stress", "temperature", "dry"]


def test_reasons_read_the_asked_month():
    sc = climate()
    sc.prcp[0, 6] = 5.0                         # July only is dry
    assert [r.code for r in R.reasons(sc, 0, 1, 7)] == ["temperature", "dry"]
    assert [r.code for r in R.reasons(sc, 0, 1, 6)] == ["temperature"]


# ------------------------------------------------------------------------------ the quality note


def test_quality_names_the_components_on_gridded_imputed_or_missing_inputs():
    comps = tuple(SimpleNamespace(key=k) for k in ("thermal", "aesthetic", "precipitation", "wind"))
    src = np.zeros((1, 12, 4), dtype=int)
    src[0, 1] = [PROVENANCE.index(p) for p in ("measured", "derived", "imputed", "missing")]   # February
    src[0, 2] = [PROVENANCE.index("gridded")] * 4                                              # March
    sc = SimpleNamespace(src=src, index=SimpleNamespace(components=comps))
    assert R.quality(sc, 0, 1) == ()
    assert R.quality(sc, 0, 2) == (("precipitation", "imputed"), ("wind", "missing"))
    assert R.quality(sc, 0, 3) == tuple((k, "gridded") for k in ("thermal", "aesthetic", "precipitation", "wind"))
    assert R.quality(sc, None, 2) == ()
