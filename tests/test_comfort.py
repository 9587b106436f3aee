"""Comfort indices: published rating tables at their boundaries, full computations by hand,
the monthly approximation's gate, missing inputs, personal bands and invariants."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from recommender.comfort import indices as I, physics as P, tables as T
from recommender.comfort import score_atlas
from recommender.comfort.indices import GH_NODES, GH_WEIGHTS


def rating_at(values, edges, ratings, rounded=True):
    v = T.whole(values) if rounded else np.asarray(values, dtype=float)
    return T.rate(v, edges, ratings).tolist()


# Scott et al. 2016, HCI:Urban thermal comfort: each listed whole degree and its class.
URBAN_TC = {-10: 1, -6: 1, -5: 2, -1: 2, 0: 3, 6: 3, 7: 4, 10: 4, 11: 5, 14: 5, 15: 6, 17: 6, 18: 7, 19: 7,
            20: 9, 22: 9, 23: 10, 25: 10, 26: 9, 27: 8, 28: 8, 29: 7, 30: 7, 31: 6, 32: 6, 33: 5, 34: 5,
            35: 4, 36: 4, 37: 2, 38: 2, 39: 0, 45: 0}
BEACH_TC = {5: -10, 9: -10, 10: -5, 14: -5, 15: 0, 16: 0, 17: 1, 18: 2, 19: 3, 20: 4, 21: 5, 22: 6, 23: 7, 25: 7,
            26: 9, 27: 9, 28: 10, 30: 10, 31: 9, 32: 9, 33: 8, 34: 7, 35: 6, 36: 5, 37: 4, 38: 2, 39: 0, 44: 0}
URBAN_CLOUD = {0: 8, 1: 9, 10: 9, 11: 10, 20: 10, 21: 9, 30: 9, 31: 8, 40: 8, 41: 7, 50: 7, 51: 6, 60: 6, 61: 5,
               70: 5, 71: 4, 80: 4, 81: 3, 90: 3, 91: 2, 99: 2, 100: 1}
BEACH_CLOUD = {0: 8, 1: 9, 14: 9, 15: 10, 25: 10, 26: 9, 35: 9, 36: 8, 45: 8, 46: 7, 55: 7, 56: 6, 65: 6, 66: 5,
               75: 5, 76: 4, 85: 4, 86: 3, 95: 3, 96: 2, 100: 2}
URBAN_PRCP = {0: 10, 0.4: 10, 1: 9, 2: 9, 3: 8, 5: 8, 6: 5, 8: 5, 9: 2, 11: 2, 12: 0, 25: 0, 26: -1, 80: -1}
BEACH_PRCP = {0: 10, 1: 9, 3: 8, 5: 8, 6: 6, 8: 6, 9: 4, 11: 4, 12: 0, 25: 0, 26: -1}
WIND = {0: 8, 1: 10, 9: 10, 10: 9, 19: 9, 20: 8, 29: 8, 30: 6, 39: 6, 40: 3, 49: 3, 50: 0, 70: 0, 71: -10}


@pytest.mark.parametrize("table,edges,ratings", [
    (URBAN_TC, T.HCI_URBAN_TC_EDGES, T.HCI_URBAN_TC_RATINGS),
    (BEACH_TC, T.HCI_BEACH_TC_EDGES, T.HCI_BEACH_TC_RATINGS),
    (URBAN_CLOUD, T.HCI_URBAN_CLOUD_EDGES, T.HCI_URBAN_CLOUD_RATINGS),
    (BEACH_CLOUD, T.HCI_BEACH_CLOUD_EDGES, T.HCI_BEACH_CLOUD_RATINGS),
    (URBAN_PRCP, T.HCI_PRCP_EDGES, T.HCI_URBAN_PRCP_RATINGS),
    (BEACH_PRCP, T.HCI_PRCP_EDGES, T.HCI_BEACH_PRCP_RATINGS),
    (WIND, T.HCI_WIND_EDGES, T.HCI_WIND_RATINGS),
])
def test_hci_tables_at_their_boundaries(table, edges, ratings):
    values = list(table)
    rounded = table is not URBAN_PRCP and table is not BEACH_PRCP
    assert rating_at(values, edges, ratings, rounded) == [float(table[v]) for v in values]


def test_hci_rounds_half_up():
    assert rating_at([22.5, 22.49, 25.49, 25.5], T.HCI_URBAN_TC_EDGES, T.HCI_URBAN_TC_RATINGS) == [10, 9, 10, 9]


# Mieczkowski 1985 TCI: continuous classes, a value on an edge starts the next class.
TCI_TC = {-25: -3, -20: -2, -15: -1, -10: 0, -5.1: 0, -5: 1, 0: 1.5, 5: 2, 9.9: 2, 10: 2.5, 15: 3, 17: 3.5,
          18: 4, 19: 4.5, 20: 5, 25.9: 5, 26: 4.5, 27: 4, 28: 3.5, 29: 3, 30: 2.5, 31: 2, 32: 1.5, 33: 1,
          34: 0.5, 35: 0, 36: -1, 37: -2, 39: -3}
TCI_PRCP = {0: 5, 14.9: 5, 15: 4.5, 29.9: 4.5, 30: 4, 75: 2.5, 135: 0.5, 149.9: 0.5, 150: 0, 400: 0}
TCI_SUN = {0: 0, 0.99: 0, 1: 0.5, 5: 2.5, 9.99: 4.5, 10: 5, 14: 5}
TCI_WIND = {0: 5, 2.87: 5, 2.88: 4.5, 5.76: 4, 12.24: 3, 19.8: 2.5, 28.8: 1, 38.52: 1, 38.6: 0}


@pytest.mark.parametrize("table,edges,ratings", [
    (TCI_TC, T.TCI_TC_EDGES, T.TCI_TC_RATINGS), (TCI_PRCP, T.TCI_PRCP_EDGES, T.TCI_PRCP_RATINGS),
    (TCI_SUN, T.TCI_SUN_EDGES, T.TCI_SUN_RATINGS), (TCI_WIND, T.TCI_WIND_EDGES, T.TCI_WIND_RATINGS),
])
def test_tci_tables_at_their_boundaries(table, edges, ratings):
    assert rating_at(list(table), edges, ratings, rounded=False) == [float(v) for v in table.values()]


def test_utci_classes_and_labels():
    assert T.utci_class([47, 40, 35, 30, 20, 5, -5, -20, -30, -45]).tolist() == [
        "extreme heat stress", "very strong heat stress", "strong heat stress", "moderate heat stress",
        "no thermal stress", "slight cold stress", "moderate cold stress", "strong cold stress",
        "very strong cold stress", "extreme cold stress"]
    assert T.label([100, 90, 89.9, 60, 59.9, 10, 9.9, 0]).tolist() == [
        "ideal", "ideal", "excellent", "good", "acceptable", "extremely unfavourable", "impossible", "impossible"]


def test_effective_temperature_and_afternoon_humidity_by_hand():
    # Missenard: ET = 25 − 0.4·(25 − 10)·(1 − 0.5) = 22.0
    assert P.effective_temperature(25.0, 50.0) == pytest.approx(22.0)
    # Same vapour pressure at a warmer afternoon → lower humidity; equal temperatures → same.
    e = P.vapour_pressure_hpa(20.0, 60.0)
    assert P.afternoon_humidity(20.0, e) == pytest.approx(60.0)
    # Magnus (Alduchov & Eskridge): e_s(20 °C) = 23.33 hPa, e_s(30 °C) = 42.37 hPa: 60 % at 20 °C → 33.04 % at 30 °C.
    assert P.afternoon_humidity(30.0, e) == pytest.approx(33.05, abs=0.01)


def test_utci_reproduces_its_reference_environment():
    # By definition UTCI equals air temperature in the reference environment: calm air (0.5 m/s
    # at 10 m), mean radiant = air temperature, 50 % humidity (Jendritzky et al. 2012). The
    # regression reproduces that to within about 1 °C.
    for t in (0.0, 10.0, 20.0, 25.0):
        assert P.utci_afternoon(t, t, 50.0, 0.5 * 3.6) == pytest.approx(t, abs=1.0)
    # Wind makes a cool afternoon feel colder.
    assert P.utci_afternoon(10.0, 10.0, 50.0, 18.0) < P.utci_afternoon(10.0, 10.0, 50.0, 1.8) - 5


def row(**kw):
    base = dict(city_id="x", month=6, tmax_c=25.0, tmin_c=15.0, tmean_c=25.0, prcp_mm=0.0, wet_days=0.0,
                rhum_pct=50.0, sun_hours=300.0, cloud_pct=15.0, wind_kmh=5.0)
    base.update(kw)
    df = pd.DataFrame([base])
    for v in ["tmax_c", "tmin_c", "tmean_c", "prcp_mm", "wet_days", "rhum_pct", "sun_hours", "cloud_pct", "wind_kmh"]:
        df[f"{v}_src"] = np.where(df[v].isna(), "missing", "measured")
    return df


def afternoons_by_hand(tmax, tmin, tmean, rh, rate):
    """The thermal rating over a month's afternoons, written out: σ = ¼ of the diurnal range
    (1.5–4 °C), five Gauss–Hermite nodes, each afternoon at the month's vapour pressure."""
    e = P.vapour_pressure_hpa(tmean, rh)
    sigma = min(4.0, max(1.5, 0.25 * (tmax - tmin)))
    nodes = [-2.8569700138728, -1.3556261799742, 0.0, 1.3556261799742, 2.8569700138728]
    weights = [0.0112574113277, 0.2220759220056, 0.5333333333333, 0.2220759220056, 0.0112574113277]
    assert sum(weights) == pytest.approx(1.0)
    return sum(w * float(rate(P.effective_temperature(tmax + sigma * x, P.afternoon_humidity(tmax + sigma * x, e))))
               for x, w in zip(nodes, weights))


def test_hci_urban_full_computation_by_hand():
    # The mean afternoon: tmax = tmean → RH 50 %; ET = 22.0 → TC 9 (Scott et al. Table 3); over the
    # month's afternoons (σ = 2.5 °C) it differs. Cloud 15 % → A 10; no rain → P 10; 5 km/h → W 10.
    urban = lambda et: T.rate(T.whole(et), T.HCI_URBAN_TC_EDGES, T.HCI_URBAN_TC_RATINGS)  # noqa: E731
    assert float(urban(P.effective_temperature(25.0, 50.0))) == 9
    s = score_atlas(row(), "hci_urban").iloc[0]
    tc = afternoons_by_hand(25.0, 15.0, 25.0, 50.0, urban)
    assert s.r_thermal == pytest.approx(tc) and 8.5 < tc < 9.5 and tc != 9
    assert (s.r_aesthetic, s.r_precipitation, s.r_wind) == (10, 10, 10)
    assert s.raw_score == pytest.approx(round(4 * tc + 20 + 30 + 10, 1))         # weights 4, 2, 3, 1 of 10
    assert s.stress_factor == 1.0 and s.score == s.raw_score and s.coverage == 1.0
    # 60 mm on 10 wet days of June: wet days rate 5 (6 mm), dry days 10 → P = 10/30·5 + 20/30·10 = 8.33,
    # under the month's ceiling 10 − 60/50 = 8.8
    s = score_atlas(row(prcp_mm=60.0, wet_days=10.0), "hci_urban").iloc[0]
    assert s.r_precipitation == pytest.approx(25 / 3)
    # 200 mm on the same days: the days say 10/30·0 + 20/30·10 = 6.67, the ceiling 10 − 200/50 = 6
    s = score_atlas(row(prcp_mm=200.0, wet_days=10.0), "hci_urban").iloc[0]
    assert s.r_precipitation == pytest.approx(6.0)
    # No wind: the other weights are rescaled to 100: (4·TC + 20 + 30) / 90.
    s = score_atlas(row(wind_kmh=np.nan), "hci_urban").iloc[0]
    assert s.raw_score == pytest.approx(round(100 * (4 * tc + 50) / 90, 1))
    assert s.coverage == pytest.approx(0.9) and s.coverage_missing == pytest.approx(0.1)


def test_hci_beach_full_computation_by_hand():
    # The beach table reads the afternoon's air temperature (issue 17), not Missenard's ET: tmax 30,
    # σ = ¼·(30 − 20) = 2.5 °C, the five afternoons 22.86, 26.61, 30, 33.39, 37.14 °C round to
    # 23, 27, 30, 33, 37 → beach TC 7, 9, 10, 8, 4 (the beach table of Scott et al. 2016):
    # 0.011257·7 + 0.222076·9 + 0.533333·10 + 0.222076·8 + 0.011257·4 = 9.2325. Cloud 20 → 10.
    beach = lambda t: T.rate(T.whole(t), T.HCI_BEACH_TC_EDGES, T.HCI_BEACH_TC_RATINGS)  # noqa: E731
    s = score_atlas(row(tmax_c=30.0, tmean_c=30.0, tmin_c=20.0, cloud_pct=20.0), "hci_beach").iloc[0]
    assert s.r_thermal == pytest.approx(9.2325, abs=1e-4) and s.r_aesthetic == 10
    assert s.r_thermal == pytest.approx(sum(w * float(beach(30.0 + 2.5 * x)) for x, w in zip(GH_NODES, GH_WEIGHTS)))
    assert s.raw_score == pytest.approx(round(2 * s.r_thermal + 40 + 30 + 10, 1))
    assert s.utci_c < 32 and s.stress_factor == 1.0      # below "strong heat stress": no beach penalty


def test_tci_full_computation_by_hand():
    # Daytime comfort over the afternoons; daily comfort ET(24, 50 %) = 21.2 → 5; 10 mm → 5;
    # 300 h / 30 d = 10 h → 5; 2 km/h → 5. TCI = 8·CId + 2·5 + 4·5 + 4·5 + 2·5.
    tci = lambda et: T.rate(et, T.TCI_TC_EDGES, T.TCI_TC_RATINGS)  # noqa: E731
    s = score_atlas(row(tmax_c=24.0, tmean_c=24.0, tmin_c=16.0, prcp_mm=10.0, wind_kmh=2.0), "tci").iloc[0]
    cid = afternoons_by_hand(24.0, 16.0, 24.0, 50.0, tci)
    assert s.r_daytime_comfort == pytest.approx(cid) and s.r_daily_comfort == 5
    assert s.raw_score == pytest.approx(round(8 * cid + 60, 1))
    # 100 mm (→ 2.0) and 5 h of sun a day (→ 2.5): TCI = 8·CId + 10 + 8 + 10 + 10
    s = score_atlas(row(tmax_c=24.0, tmean_c=24.0, tmin_c=16.0, prcp_mm=100.0, sun_hours=150.0, wind_kmh=2.0),
                    "tci").iloc[0]
    assert s.raw_score == pytest.approx(round(8 * cid + 38, 1))


def test_heat_stress_lowers_hot_humid_months(atlas):
    s = score_atlas(atlas[atlas.city_id == "karachi"], "hci_urban").set_index("month")
    assert s.at[6, "raw_score"] >= 70                 # monthly means alone say "very good" …
    assert s.at[6, "score"] < 60 and s.at[6, "label"] not in ("very good", "excellent", "ideal")
    assert s.at[6, "utci_class"] in ("strong heat stress", "very strong heat stress")
    assert (s["score"] <= s["raw_score"]).all()


def test_the_stress_penalty_has_no_cliff_and_makes_no_plateau(atlas):
    """The caps it replaced moved a score by up to 15 points for one °C and put 9.8 % of all
    city-months at exactly 59. Now: one °C more in every month moves no score by more than 10
    points, and no score value holds more than 3 % of the city-months."""
    from recommender.comfort.score import stress_factor

    from recommender.comfort.score import MAX_POINTS_PER_C

    u = np.linspace(-45, 50, 951)
    f = stress_factor(u)
    assert np.all(np.abs(np.diff(f)) / np.diff(u) <= 0.9 / 20 + 1e-9) and f.min() == pytest.approx(0.1)
    assert np.all(np.abs(np.diff(stress_factor(u, 32.0))) / np.diff(u) <= 0.9 / 20 + 1e-9)   # the beach's onset
    assert stress_factor(46.0) == pytest.approx(0.1) and stress_factor(36.0) == pytest.approx(0.55)
    assert (f[(u >= 9) & (u <= 26)] == 1).all()
    warmer = atlas.copy()
    for col in ("tmax_c", "tmin_c", "tmean_c"):
        warmer[col] = warmer[col] + 1.0
    for idx in ("hci_urban", "hci_beach", "tci"):
        a, b = score_atlas(atlas, idx)["score"], score_atlas(warmer, idx)["score"]
        assert np.nanmax(np.abs(b.to_numpy() - a.to_numpy())) <= MAX_POINTS_PER_C + 1e-9, idx
        assert a.value_counts(normalize=True).iloc[0] <= 0.03, idx


def test_the_beach_index_is_not_punished_below_strong_heat_stress(atlas):
    """Its penalty starts with "strong heat stress" (UTCI 32 °C): a hot, sunny, dry month in its
    optimal class (afternoons 28–30 °C) keeps its whole score and is among the best of the atlas."""
    s = score_atlas(atlas, "hci_beach")
    # (utci_c is rounded to 0.1 °C; below 9 °C is cold stress)
    assert (s.loc[s["utci_c"].between(9.1, 31.9), "stress_factor"] == 1.0).all()
    assert (s.loc[s["utci_c"] > 32.1, "stress_factor"] < 1.0).all()
    best = s[s["score"] >= s["score"].quantile(0.999)]
    assert best["utci_c"].max() < 32 and (atlas.loc[best.index, "tmax_c"].between(27, 31)).all()


def test_a_wider_daily_spread_scores_lower_at_the_optimum():
    # the same mean afternoon at the optimum (ET ≈ 24 °C), a narrow and a wide diurnal range
    narrow = score_atlas(row(tmax_c=25.5, tmean_c=23.5, tmin_c=21.5, rhum_pct=60.0), "hci_urban").iloc[0]
    wide = score_atlas(row(tmax_c=25.5, tmean_c=18.0, tmin_c=10.5, rhum_pct=60.0), "hci_urban").iloc[0]
    assert wide.r_thermal < narrow.r_thermal <= 10


def test_a_very_wet_month_never_rates_good_for_precipitation():
    for wet_days in (3.0, 10.0, 25.0, np.nan):
        s = score_atlas(row(prcp_mm=400.0, wet_days=wet_days), "hci_urban").iloc[0]
        assert s.r_precipitation <= 2.0


def test_coverage_names_imputed_and_missing_inputs(atlas):
    s = score_atlas(atlas[atlas.city_id == "karachi"], "hci_urban")
    # Thermal rests on gridded humidity, wind is gridded, cloud and rain measured/derived: all observed.
    assert (s["coverage"] == 1.0).all() and set(s["src_thermal"]) == {"gridded"} and set(s["src_wind"]) == {"gridded"}
    # A city with no gridded point borrows a nearby checked table (imputed); wind is missing.
    proxy = atlas.loc[atlas["climate_note"].str.startswith("proxy"), "city_id"].iloc[0]
    s = score_atlas(atlas[atlas.city_id == proxy], "hci_urban")
    assert (s["coverage"] == 0.0).all() and (s["coverage_imputed"] == 0.9).all() and (s["coverage_missing"] == 0.1).all()
    assert set(s["src_thermal"]) == {"imputed"} and set(s["src_wind"]) == {"missing"}


def test_defaults_reproduce_the_published_index(atlas):
    a = atlas[atlas.city_id.isin(["urumqi", "karachi", "london"])]
    for idx in ("hci_urban", "hci_beach", "tci"):
        assert score_atlas(a, idx, None)["score"].equals(score_atlas(a, idx)["score"])
    # A band on the index's own optimum leaves the thermal ratings unchanged.
    pub = score_atlas(a, "hci_urban")
    same = score_atlas(a, "hci_urban", comfort_band=(22.5, 25.5))
    assert np.allclose(pub["r_thermal"], same["r_thermal"], atol=0.35)


def test_personal_band_moves_the_optimum():
    cool = row(tmax_c=19.0, tmean_c=19.0, tmin_c=13.0, rhum_pct=100.0)   # mean afternoon ET 19 °C
    published = score_atlas(cool, "hci_urban").iloc[0].r_thermal
    mine = score_atlas(cool, "hci_urban", comfort_band=(18, 21)).iloc[0].r_thermal
    assert 6.5 < published < 8 and mine > 9 and mine > published


def test_vectorised_over_whole_atlas(atlas):
    s = score_atlas(atlas)
    assert len(s) == len(atlas) and s["score"].between(0, 100).all()


finite = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def months(draw):
    tmax = draw(st.floats(-30, 45))
    tmin = tmax - draw(st.floats(0, 20))
    return dict(month=draw(st.integers(1, 12)), tmax_c=tmax, tmin_c=tmin, tmean_c=(tmax + tmin) / 2,
                prcp_mm=draw(st.floats(0, 600)), wet_days=draw(st.one_of(st.just(np.nan), st.floats(0, 28))),
                rhum_pct=draw(st.floats(5, 100)), sun_hours=draw(st.floats(0, 300)),
                cloud_pct=draw(st.floats(0, 100)), wind_kmh=draw(st.one_of(st.just(np.nan), st.floats(0, 80))))


@settings(max_examples=150, deadline=None)
@given(months(), st.sampled_from(["hci_urban", "hci_beach", "tci"]))
def test_scores_stay_in_range(m, idx):
    s = score_atlas(row(**m), idx).iloc[0]
    assert 0 <= s.score <= 100 and 0 <= s.raw_score <= 100 and 0 <= s.coverage <= 1


@settings(max_examples=150, deadline=None)
@given(months(), st.floats(0, 300), st.sampled_from(["hci_urban", "hci_beach", "tci"]))
def test_more_rain_never_raises_a_score(m, extra, idx):
    a = score_atlas(row(**m), idx).iloc[0].score
    b = score_atlas(row(**{**m, "prcp_mm": m["prcp_mm"] + extra}), idx).iloc[0].score
    assert b <= a + 1e-9


@settings(max_examples=150, deadline=None)
@given(months(), st.floats(0, 30), st.floats(0.5, 10), st.floats(0, 5), st.floats(0, 5),
       st.sampled_from(["hci_urban", "hci_beach", "tci"]))
def test_a_wider_band_never_lowers_a_score(m, lo, width, wider_lo, wider_hi, idx):
    narrow = (lo, lo + width)
    wide = (lo - wider_lo, lo + width + wider_hi)
    a = score_atlas(row(**m), idx, comfort_band=narrow).iloc[0].score
    b = score_atlas(row(**m), idx, comfort_band=wide).iloc[0].score
    assert b >= a - 1e-9


def test_snow_days_count_as_wet_days(atlas):
    """Murmansk's table lists 0.1 rainy and 23 snowy days in January: with snow counted as wet (then
    brought to the ≥ 1 mm threshold), its polar-night January no longer outscores Bergen's wet one
    (46.5 above 32.8 before)."""
    m = atlas[(atlas.city_id == "murmansk") & (atlas.month == 1)].iloc[0]
    assert m.wet_days > 12 and m.wet_days_src == "derived"
    s = score_atlas(atlas[atlas.city_id.isin(["murmansk", "bergen"]) & (atlas.month == 1)], "hci_urban")
    by = dict(zip(s["city_id"], s["score"]))
    assert by["murmansk"] < by["bergen"]


# ---------------------------------------------------------------------- pinned by mutation testing
# (scripts/mutation.sh): behaviour the tests above left free.


def test_missing_scores_and_utci_are_unknown():
    assert T.label([np.nan, 50.0]).tolist() == ["unknown", "acceptable"]
    assert T.utci_class([np.nan, 20.0]).tolist() == ["unknown", "no thermal stress"]


def test_utci_afternoon_holds_the_months_vapour_pressure():
    # e = e_s(30 °C) · 80 % = 6.1094 · exp(17.625 · 30 / 273.04) · 0.8 = 6.1094 · 6.9346 · 0.8 = 33.89 hPa,
    # taken at the 35 °C afternoon (not the 50 % reference humidity, e = 56.18 · 0.5 = 28.09 hPa)
    assert float(P.vapour_pressure_hpa(30.0, 80.0)) == pytest.approx(33.89, abs=0.01)
    humid = float(P.utci_afternoon(35.0, 30.0, 80.0, 10.0))
    assert humid == pytest.approx(float(P.utci_from_vapour(35.0, 33.89, 10.0)), abs=0.02)
    assert humid > float(P.utci_from_vapour(35.0, 28.09, 10.0)) + 1.0     # 36.9 against 35.5 °C


def test_expected_precipitation_rating_by_hand():
    urban = T.HCI_URBAN_PRCP_RATINGS     # Scott et al. 2016 Table 5: 0 → 10, < 3 → 9, 3–5 → 8, 6–8 → 5, …
    rating = lambda prcp, wet, month=6: float(I.expected_precip_rating(prcp, wet, month, urban))  # noqa: E731
    # June, 3 mm on half a wet day: that day has 6 mm (→ 5), the other 29.5 are dry (→ 10):
    # 0.5/30 · 5 + 29.5/30 · 10 = 9.9167
    assert rating(3.0, 0.5) == pytest.approx(0.5 / 30 * 5 + 29.5 / 30 * 10)
    # no wet-day count: the month's mean day, 90 mm / 30 d = 3 mm → 8 (February 28 d: 3.2 mm → 8; 56 mm: 2 mm → 9)
    assert rating(90.0, np.nan) == 8.0 and rating(56.0, np.nan, 2) == 9.0
    # more wet days than days (31 in June): every day wet at 150 / 31 = 4.8 mm → 8, not 31/30 of it
    assert rating(150.0, 31.0) == 8.0
    # a vanishing wet-day count: a huge (infinite) intensity on a share ~0 of the days → 10, silently
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rating(100.0, 1e-310) == pytest.approx(10.0)
    assert np.isnan(rating(np.nan, 5.0)) and np.isnan(rating(np.nan, np.nan))


def test_the_monthly_amount_ceiling_by_hand():
    # 10 − mm / 50, within 0–10: 0 → 10, 100 → 8, 400 → 2, 450 → 1, 500 and more → 0
    assert I.monthly_amount_ceiling([0.0, 100.0, 400.0, 450.0, 500.0, 600.0]).tolist() == [10, 8, 2, 1, 0, 0]


def toy(key, style):
    return I.ComfortIndex(key=key, style=style, name="Toy", short="Toy", trip_style="Toy", components=(), top=10.0,
                          optimum=(20.0, 25.0), citation="none")


@pytest.mark.parametrize("key,style", [("toy", "urban"), ("hci_urban", "toy")])
def test_an_index_key_or_style_can_be_registered_once(key, style):
    before = dict(I.INDICES)
    try:
        with pytest.raises(ValueError, match=f"key '{key}' or style '{style}' is already registered"):
            I.register(toy(key, style))
        assert I.INDICES == before and I.index_for("urban").key == "hci_urban"
    finally:
        I.INDICES.clear()
        I.INDICES.update(before)
    I.unregister("no-such-index")           # removing an unknown index is not an error
    assert I.INDICES == before


def varied_rows(n=400, seed=7):
    """City-months across the atlas's ranges, with missing wind and wet-day counts."""
    rng = np.random.default_rng(seed)
    tmax = rng.uniform(-15, 45, n)
    tmin = tmax - rng.uniform(0, 18, n)
    df = pd.DataFrame(dict(city_id=[f"c{k}" for k in range(n)], month=rng.integers(1, 13, n), tmax_c=tmax, tmin_c=tmin,
                           tmean_c=(tmax + tmin) / 2, prcp_mm=rng.uniform(0, 500, n),
                           wet_days=np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 28, n)),
                           rhum_pct=rng.uniform(10, 100, n), sun_hours=rng.uniform(0, 380, n),
                           cloud_pct=rng.uniform(0, 100, n), wind_kmh=np.where(rng.random(n) < 0.3, np.nan, rng.uniform(0, 80, n))))
    for v in ["tmax_c", "tmin_c", "tmean_c", "prcp_mm", "wet_days", "rhum_pct", "sun_hours", "cloud_pct", "wind_kmh"]:
        df[f"{v}_src"] = np.where(df[v].isna(), "missing", "measured")
    return df


# The published parameters of both HCI versions (Scott et al. 2016): weights TC, A, P, W and the tables
# of tables.py; the optimal class of ET; the beach index's heat onset (score.py).
HCI_PARAMETERS = {   # (positional, keyword) arguments of indices._hci, as published
    "hci_urban": (("hci_urban", "urban", "HCI:Urban", "City sightseeing", (4, 2, 3, 1),
                   (T.HCI_URBAN_TC_EDGES, T.HCI_URBAN_TC_RATINGS), (T.HCI_URBAN_CLOUD_EDGES, T.HCI_URBAN_CLOUD_RATINGS),
                   T.HCI_URBAN_PRCP_RATINGS, (22.5, 25.5)), {}),
    "hci_beach": (("hci_beach", "beach", "HCI:Beach", "Beach", (2, 4, 3, 1),
                   (T.HCI_BEACH_TC_EDGES, T.HCI_BEACH_TC_RATINGS), (T.HCI_BEACH_CLOUD_EDGES, T.HCI_BEACH_CLOUD_RATINGS),
                   T.HCI_BEACH_PRCP_RATINGS, (27.5, 30.5)),
                  {"heat_onset_class": "strong heat stress", "felt": I.air_temperature,
                   "citation": "Scott, Rutty, Amelung & Tang 2016, Atmosphere 7(6):80; thermal table on the afternoon "
                               "air temperature after Rutty & Scott 2013, Climate Research 57:259–269"}),
}


@pytest.mark.parametrize("key", list(HCI_PARAMETERS))
def test_the_hci_factory_rebuilds_the_registered_index(key):
    """The registry is built once, at import; calling the factory again with the published
    parameters gives the same index: the same declaration and the same scores on varied months
    (and a mutation of the factory, invisible to tests of the import-time registry, shows here)."""
    args, kwargs = HCI_PARAMETERS[key]
    fresh, registered = I._hci(*args, **kwargs), I.INDICES[key]
    for field in ("key", "style", "name", "short", "trip_style", "top", "optimum", "citation", "utci_gate", "heat_onset_utci"):
        assert getattr(fresh, field) == getattr(registered, field), field
    assert [(c.key, c.weight, c.inputs) for c in fresh.components] == [(c.key, c.weight, c.inputs) for c in registered.components]
    assert fresh.short == "HCI" and fresh.top == 10.0 and fresh.citation.startswith("Scott, Rutty, Amelung & Tang 2016")
    rows = varied_rows()
    pd.testing.assert_frame_equal(score_atlas(rows, fresh), score_atlas(rows, key))
    band = (15.0, 19.0)
    pd.testing.assert_frame_equal(score_atlas(rows, fresh, band), score_atlas(rows, key, band))


def test_the_stress_factor_of_a_missing_utci_is_one():
    from recommender.comfort.score import stress_factor

    assert stress_factor([np.nan, 20.0, 36.0]).tolist() == [1.0, 1.0, pytest.approx(0.55)]   # 1 − 0.9 · (36 − 26) / 20


def test_provenance_codes_of_missing_and_unknown_labels():
    from recommender.comfort.score import provenance_codes

    # PROVENANCE = measured 0, derived 1, gridded 2, imputed 3, missing 4; no column: all missing
    assert provenance_codes(None, 3).tolist() == [4, 4, 4]
    assert provenance_codes(pd.Series(["measured", None, "bogus", "gridded"]), 4).tolist() == [0, 4, 4, 2]


def test_personal_temperature_by_hand():
    # band 18–21 °C onto HCI:Urban's optimal class 22.5–25.5, landing 0.01 inside it (22.51–25.49):
    # 18 → 22.51, 21 → 25.49, 19.5 → 22.51 + 1.5 · 2.98 / 3 = 24.0; outside, shifted by the distance
    # from the band's edge: 16 → 22.51 − 2 = 20.51, 23 → 25.49 + 2 = 27.49
    got = I.personal_temperature([18.0, 21.0, 19.5, 16.0, 23.0], (22.5, 25.5), (18.0, 21.0))
    assert got == pytest.approx([22.51, 25.49, 24.0, 20.51, 27.49])
    with pytest.raises(ValueError, match=r"low < high, got \(20.0, 20.0\)"):
        I.personal_temperature([20.0], (22.5, 25.5), (20.0, 20.0))


@pytest.mark.parametrize("tmin,sigma_tmin", [(23.0, 19.0), (-5.0, 9.0), (np.nan, 19.0)])
def test_the_daily_spread_is_clipped_to_1_5_to_4_degrees(tmin, sigma_tmin):
    # diurnal range 2 °C → σ = max(0.5, 1.5) = 1.5; 30 °C → min(7.5, 4) = 4; no tmin → 1.5 (the
    # by-hand helper is given a tmin that yields that σ)
    urban = lambda et: T.rate(T.whole(et), T.HCI_URBAN_TC_EDGES, T.HCI_URBAN_TC_RATINGS)  # noqa: E731
    s = score_atlas(row(tmax_c=25.0, tmean_c=25.0, tmin_c=tmin), "hci_urban").iloc[0]
    assert s.r_thermal == pytest.approx(afternoons_by_hand(25.0, sigma_tmin, 25.0, 50.0, urban))


def test_score_outputs_are_rounded_as_documented():
    m = dict(tmax_c=33.3, tmean_c=27.7, tmin_c=21.1, rhum_pct=71.0, wind_kmh=23.0)
    s = score_atlas(row(**m), "hci_urban").iloc[0]
    e = P.vapour_pressure_hpa(27.7, 71.0)
    rh = float(P.afternoon_humidity(33.3, e))
    utci = float(P.utci_at_afternoon_maximum(33.3, e, 23.0))          # with the month's wind, not the default
    assert s.rh_afternoon_pct == round(rh) and s.et_c == round(float(P.effective_temperature(33.3, rh)), 1)
    assert s.utci_c == round(utci, 1) and utci != round(utci, 1)
    from recommender.comfort.score import stress_factor

    f = float(stress_factor(utci))
    assert s.stress_factor == round(f, 3) and f != round(f, 3)


def test_a_hopeless_month_scores_zero_not_below():
    # beach: ET far below 10 °C → −10, cloud 100 % → 2, 600 mm → ceiling 0, 80 km/h → −10:
    # 2·(−10) + 4·2 + 3·0 + 1·(−10) = −22 < 0 → clipped to 0
    s = score_atlas(row(tmax_c=-5.0, tmean_c=-8.0, tmin_c=-11.0, cloud_pct=100.0, prcp_mm=600.0, wind_kmh=80.0),
                    "hci_beach").iloc[0]
    assert [s.r_thermal, s.r_aesthetic, s.r_precipitation, s.r_wind] == pytest.approx([-10, 2, 0, -10])
    assert s.raw_score == 0.0 and s.score == 0.0


def test_coverage_of_uneven_weights_is_rounded_to_three_decimals():
    # a toy index of weights 1 and 2: without its wind input, 1/3 of the weight is observed → 0.333
    toy_index = I.ComfortIndex(key="toy", style="toy", name="Toy", short="Toy", trip_style="Toy", top=10.0,
                               optimum=(20.0, 25.0), citation="none", utci_gate=False, components=(
                                   I.Component("cloud", 1, ("cloud_pct",), lambda c: c["cloud_pct"] / 10),
                                   I.Component("wind", 2, ("wind_kmh",), lambda c: c["wind_kmh"] / 10)))
    s = score_atlas(row(cloud_pct=45.0, wind_kmh=np.nan), toy_index).iloc[0]
    assert (s.coverage, s.coverage_missing, s.raw_score, s.stress_factor) == (0.333, 0.667, 45.0, 1.0)


def test_a_month_without_any_input_has_no_score_and_no_warning():
    nothing = {v: np.nan for v in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "wet_days", "rhum_pct", "sun_hours",
                                   "cloud_pct", "wind_kmh")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = score_atlas(row(**nothing), "hci_urban").iloc[0]
    assert np.isnan(s.score) and np.isnan(s.raw_score) and s.coverage == 0.0 and s.coverage_missing == 1.0


@pytest.mark.parametrize("idx", ["hci_urban", "tci"])
def test_the_parallel_path_scores_like_the_serial_one(monkeypatch, idx):
    # Above PARALLEL_ROWS the rows are scored in one chunk per core; the embedded atlas (195,012 rows)
    # stays below it, so lower the threshold: the chunks, put back together, give the same frame.
    from recommender.comfort import score as S

    rows = varied_rows(n=301).set_index(pd.RangeIndex(1000, 1301))
    serial = score_atlas(rows, idx, (18.0, 23.0))
    monkeypatch.setattr(S, "PARALLEL_ROWS", 10)
    monkeypatch.setattr(S.os, "cpu_count", lambda: 3)      # three uneven chunks (100, 100, 101 rows)
    parallel = score_atlas(rows, idx, (18.0, 23.0))
    pd.testing.assert_frame_equal(parallel, serial)
    assert list(parallel.index) == list(range(1000, 1301)) and list(parallel["city_id"]) == list(rows["city_id"])
