"""sources/gridded.py and climate/harmonise.py on small inline data: the sampling rule (nearest
points, inverse-distance weights, the distance limit, the lapse-rate correction), the masking of
inconsistent point-months, and the period offsets with spatially blocked folds."""

import numpy as np
import pytest

from conftest import REPO, SHARED
from recommender.climate import harmonise as H
from recommender.sources import gridded as G


def points(lat, lon, elev, **values):
    return G.Points("test", np.array(lat, float), np.array(lon, float), np.array(elev, float),
                    {k: np.array(v, float) for k, v in values.items()})


def flat(x):
    return [[x] * 12]


def test_one_point_is_its_own_value_and_the_lapse_rate_moves_it():
    p = points([45.0], [7.0], [200.0], tmax_c=flat(20.0), prcp_mm=flat(80.0))
    s = G.sample(p, [45.1], [7.0], [1200.0], k=1)               # 11 km away, 1,000 m higher
    assert s.values["tmax_c"][0, 0] == pytest.approx(20.0 - 6.5)  # 6.5 °C per km
    assert s.values["prcp_mm"][0, 0] == 80.0                     # only temperatures are corrected
    assert s.distance_km[0] == pytest.approx(11.1, abs=0.1) and s.n_points[0] == 1 and s.lapse_corrected[0]
    s = G.sample(p, [45.1], [7.0], [np.nan], k=1)                # unknown city elevation: no correction
    assert s.values["tmax_c"][0, 0] == 20.0 and not s.lapse_corrected[0]


def test_inverse_distance_weights_and_the_distance_limit():
    # two points 10 km and 20 km east of the city: weights 1/100 and 1/400 → 0.8 and 0.2
    p = points([0.0, 0.0], [0.0899, 0.1799], [0.0, 0.0], tmax_c=[[10.0] * 12, [20.0] * 12])
    s = G.sample(p, [0.0], [0.0], [0.0], k=2)
    assert s.values["tmax_c"][0, 0] == pytest.approx(12.0, abs=0.05)
    far = G.sample(p, [0.0], [1.0], [0.0], k=2)                  # > 75 km from both
    assert np.isnan(far.values["tmax_c"]).all() and np.isnan(far.distance_km[0]) and far.n_points[0] == 0


def test_a_blank_point_month_is_skipped_not_averaged_in():
    p = points([0.0, 0.0], [0.0899, 0.1799], [0.0, 0.0], tmax_c=[[np.nan] + [10.0] * 11, [20.0] * 12])
    s = G.sample(p, [0.0], [0.0], [0.0], k=2)
    assert s.values["tmax_c"][0, 0] == pytest.approx(20.0) and s.values["tmax_c"][0, 1] == pytest.approx(12.0, abs=0.05)


def test_inconsistent_point_months_are_blanked():
    v = {"tmax_c": np.array([[2.5] * 12, [20.0] * 12]), "tmin_c": np.array([[4.4] * 12, [10.0] * 12]),
         "tmean_c": np.array([[3.4] * 12, [15.0] * 12]), "rhum_pct": np.array([[50.0] * 11 + [140.0], [60.0] * 12])}
    assert G.mask_inconsistent(v) == 12 + 1          # point-months: twelve out of order, one out of range
    assert np.isnan(v["tmax_c"][0]).all() and (v["tmax_c"][1] == 20.0).all() and np.isnan(v["rhum_pct"][0, 11])


def test_offsets_are_fitted_by_band_and_shrunk_to_the_global_offset():
    rng = np.random.default_rng(1)
    lat = np.r_[np.full(60, 10.0), np.full(3, 70.0)]
    grid = rng.normal(15, 5, (63, 12))
    measured = grid + np.where(lat[:, None] < 45, 0.5, 1.5)        # +0.5 °C in the tropics, +1.5 °C far north
    off = H.fit_offsets(measured, grid, lat)
    tropic, north = off["bands"][H.bands([10.0])[0]], off["bands"][H.bands([70.0])[0]]
    assert np.allclose(tropic, 0.5 * 60 / 90 + off["global"] * 30 / 90)   # n / (n + 30) of its own mean
    assert (north < 1.5).all() and (north > off["global"]).all()           # 3 cities: mostly the global offset
    adjusted = H.apply_offsets(grid, lat, off)
    assert np.abs(adjusted - measured).mean() < np.abs(grid - measured).mean()
    unseen = H.apply_offsets(grid[:1], [-80.0], off)                        # a band without data: global offset
    assert np.allclose(unseen - grid[:1], off["global"])


def test_folds_are_blocked_in_space():
    lat = np.array([10.1, 10.9, 14.9, 10.2, -33.0])
    lon = np.array([20.1, 24.9, 20.3, 25.1, 151.0])
    folds = H.blocked_folds(lat, lon)
    assert folds[0] == folds[1] == folds[2]          # one 5° cell: one fold
    assert H.blocked_folds(lat, lon).tolist() == folds.tolist() and set(folds) <= set(range(5))
    # Every city measures 1 °C above the grid: every fold's fitted offset is +1 °C, so the adjusted
    # grid hits the measurements exactly (an adjustment that added nothing would be 1 °C off).
    err = H.cross_validated_errors(np.ones((5, 12)), np.zeros((5, 12)), lat, lon)
    assert err.shape == (5, 12) and np.allclose(err, 0.0)


def test_cross_validated_errors_by_hand():
    """Errors of each held-out fold, worked out by hand from the shrinkage rule (SHRINK = 30).

    Cities 0–3 share fold 0 and band 6 (lat 10–15°N), city 4 is fold 2 and band 3 (33°S), city 5
    (12°N 30°E) is fold 1 and band 6. Station − grid differences d = 0, 0, 0, 0, 2, 1 °C, every month.
    - fold 0 held out: fitted on cities 4 and 5; global = (2 + 1) / 2 = 1.5; band 6 has city 5
      only: 1/31 · 1 + 30/31 · 1.5 = 46/31, so cities 0–3 are |46/31 − 0| = 46/31 °C off;
    - fold 1 held out: fitted on cities 0–4; global = 2/5 = 0.4; band 6 has four cities of mean 0:
      4/34 · 0 + 30/34 · 0.4 = 6/17, so city 5 is |6/17 − 1| = 11/17 °C off;
    - fold 2 held out: fitted on cities 0–3 and 5; band 3 has no data: the global offset
      (0 + 0 + 0 + 0 + 1) / 5 = 0.2, so city 4 is |0.2 − 2| = 1.8 °C off.
    Adding nothing would give 0, 1 and 2 °C instead."""
    lat = np.array([10.1, 10.9, 14.9, 10.2, -33.0, 12.0])
    lon = np.array([20.1, 24.9, 20.3, 25.1, 151.0, 30.0])
    assert H.blocked_folds(lat, lon).tolist() == [0, 0, 0, 0, 2, 1]
    assert H.bands(lat).tolist() == [6, 6, 6, 6, 3, 6]
    grid = 10.0 + np.arange(12.0)[None, :] + np.arange(6.0)[:, None]    # any grid: errors depend on d only
    d = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 1.0])[:, None]
    err = H.cross_validated_errors(grid + d, grid, lat, lon)
    expected = np.array([46 / 31] * 4 + [1.8, 11 / 17])[:, None] * np.ones((1, 12))
    assert np.allclose(err, expected)


needs_raw = pytest.mark.skipif(not (SHARED / G.FOLDER).exists(), reason="raw data (../shared/data) not present")


@needs_raw
def test_validation_mean_temperature_meets_its_target():
    """Hold the station tables out in spatially blocked folds: the gridded + adjusted mean
    temperature at the climate-table cities is within 0.8 °C at the median and 2.5 °C at p95."""
    import pandas as pd

    from recommender.sources.gridded import gridded_quantities

    cities = pd.read_csv(REPO / "data" / "cities.csv", keep_default_na=False, na_values=[""])
    cities = cities[cities["climate_note"] == "wikipedia"].sort_values("city_id")
    n = pd.read_parquet(REPO / "data" / "normals.parquet")
    n = n[n["city_id"].isin(cities["city_id"])].sort_values(["city_id", "month"])
    measured = np.where(n["tmean_c_src"].to_numpy() == "measured", n["tmean_c"].to_numpy(float), np.nan).reshape(-1, 12)
    pts = G.read_points(SHARED)
    s = G.sample_chosen(pts, cities["lat"], cities["lon"], cities["elevation_m"])
    grid = gridded_quantities(s, cities["lat"].to_numpy())["tmean_c"]
    err = H.cross_validated_errors(measured, grid, cities["lat"].to_numpy(), cities["lon"].to_numpy())
    err = err[~np.isnan(err)]
    assert err.size > 10_000
    assert np.median(err) <= 0.8 and np.percentile(err, 95) <= 2.5, (np.median(err), np.percentile(err, 95))
