"""climate/skill.py and climate/units.py: the error figures of the build and the unit conversions."""

import numpy as np
import pytest

from recommender.climate import harmonise, skill, units


def test_median_p95_leaves_nan_out():
    a = np.r_[np.arange(1.0, 101.0), np.nan]
    assert skill.median_p95(a) == (pytest.approx(50.5), pytest.approx(np.percentile(np.arange(1.0, 101.0), 95)))
    med, p95 = skill.median_p95([np.nan])
    assert np.isnan(med) and np.isnan(p95)


def test_error_summary_counts_only_pairs_with_both():
    est = np.array([[1.0, 2.0, np.nan, 4.0]])
    meas = np.array([[2.0, 2.0, 3.0, np.nan]])
    e = skill.error_summary(est, meas)
    assert e["n"] == 2 and e["mae"] == pytest.approx(0.5) and e["raw"][0] == pytest.approx(0.5)


def test_adjustment_errors_raw_and_blocked_cross_validated():
    rng = np.random.default_rng(0)
    lat = rng.uniform(-60, 60, 80)
    lon = rng.uniform(-180, 180, 80)
    measured = rng.normal(15, 5, (80, 12))
    gridded = measured - 1.0                       # a constant offset: the adjustment removes it
    e = skill.adjustment_errors(measured, gridded, lat, lon)
    assert e["n"] == 960 and e["raw"] == (pytest.approx(1.0), pytest.approx(1.0))
    assert e["adjusted"][1] < 1e-9
    assert e["adjusted"] == skill.median_p95(harmonise.cross_validated_errors(measured, gridded, lat, lon))


def test_wind_conversion_is_exact_and_reversible():
    assert units.kmh_from_ms(10.0) == pytest.approx(36.0)
    assert units.ms_from_kmh(150.0) == pytest.approx(41.6667, abs=1e-4)
    x = np.array([0.0, 2.5, np.nan])
    assert np.allclose(units.ms_from_kmh(units.kmh_from_ms(x)), x, equal_nan=True)


def test_gridded_ranges_are_the_variables_ranges():
    from recommender.climate.variables import SPEC
    from recommender.sources import gridded

    for v in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "rhum_pct"):
        assert gridded.RANGES[v] == (SPEC[v].lo, SPEC[v].hi)
    assert gridded.RANGES["wet_days_01"] == (SPEC["wet_days"].lo, SPEC["wet_days"].hi)
    assert gridded.RANGES["sun_pct"] == (0.0, 100.0)
    assert gridded.RANGES["wind_ms"][1] == pytest.approx(SPEC["wind_kmh"].hi / 3.6)
