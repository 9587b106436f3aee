"""climate/wetdays.py on inline data: the tables' wet days sorted by their ratio to CRU's
> 0.1 mm days, the ≥ 0.1 mm tables converted by the ratio of the groups' medians, the gridded
factor (least squares through the origin) and its cap at the days of the month."""

import numpy as np
import pandas as pd
import pytest

from recommender.climate import wetdays
from recommender.climate.calendar import DAYS_IN_MONTH


def tables(days_per_city, src="measured"):
    """12 rows per city: wet_days and its provenance."""
    days = np.concatenate([np.broadcast_to(np.asarray(d, float), 12) for d in days_per_city])
    return pd.DataFrame({"wet_days": days, "wet_days_src": src})


def test_fine_tables_are_converted_and_coarse_ones_kept():
    cru = np.full((4, 12), 10.0)
    # ratios to CRU: 1.0 and 0.9 (≥ 0.1 mm tables), 0.6 and 0.7 (≥ 1 mm tables)
    N = tables([10.0, 9.0, 6.0, 7.0])
    w = wetdays.unify_wet_days(N, cru)
    factor = np.median([0.6, 0.7]) / np.median([1.0, 0.9])
    assert w.factor == pytest.approx(factor) and (w.n_fine, w.n_coarse, w.n_unknown) == (2, 2, 0)
    assert w.ratio_split == wetdays.RATIO_SPLIT
    got = N["wet_days"].to_numpy().reshape(4, 12)[:, 0]
    assert got.tolist() == [round(10 * factor, 1), round(9 * factor, 1), 6.0, 7.0]
    src = N["wet_days_src"].to_numpy().reshape(4, 12)[:, 0]
    assert src.tolist() == ["derived", "derived", "measured", "measured"]


def test_tables_without_enough_months_of_cru_are_kept():
    cru = np.full((3, 12), 10.0)
    cru[2, 3:] = np.nan                      # only 3 months to compare with
    N = tables([10.0, 6.0, 10.0])
    w = wetdays.unify_wet_days(N, cru)
    assert (w.n_fine, w.n_coarse, w.n_unknown) == (1, 1, 1)
    assert N["wet_days"].to_numpy()[24:].tolist() == [10.0] * 12 and set(N["wet_days_src"][24:]) == {"measured"}


def test_imputed_or_missing_values_are_not_counts_of_the_table():
    cru = np.full((2, 12), 10.0)
    N = tables([10.0, 6.0])
    N.loc[0:11, "wet_days_src"] = "imputed"  # the first "table" has no counts of its own
    w = wetdays.unify_wet_days(N, cru)
    assert w.n_unknown == 2 and np.isnan(w.factor)   # nothing to classify by: all kept


def test_a_build_without_cru_keeps_every_table():
    N = tables([10.0, 6.0])
    before = N.copy()
    w = wetdays.unify_wet_days(N, np.full((2, 12), np.nan))
    assert np.isnan(w.factor) and (w.n_fine, w.n_coarse, w.n_unknown) == (0, 0, 2)
    pd.testing.assert_frame_equal(N, before)


def test_gridded_factor_is_least_squares_through_the_origin():
    rd = np.array([[10.0, 20.0, np.nan]])
    wd = np.array([[6.0, 13.0, 5.0]])
    assert wetdays.gridded_factor(wd, rd) == pytest.approx((60 + 260) / (100 + 400))
    assert np.isnan(wetdays.gridded_factor(wd, np.full((1, 3), np.nan)))


def test_from_cru_scales_and_caps_at_the_days_of_the_month():
    rd = np.full((1, 12), 40.0)
    out = wetdays.from_cru(rd, 0.5)
    assert out.tolist() == [[20.0] * 12]
    assert (wetdays.from_cru(np.full((1, 12), 100.0), 0.9) == DAYS_IN_MONTH[None, :]).all()
