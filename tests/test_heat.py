"""Issue 17, the science: heat rated truthfully under every index, and no score without its
thermal part. Hand-checked values come from the published tables (tables.py) and the formulas
written out in the comments."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from recommender.comfort import INDICES, physics as P, score_atlas, tables as T
from recommender.comfort.indices import air_temperature
from recommender.comfort.score import HEAT_ONSET_C, HEAT_SPAN_C, MAX_PENALTY, stress_factor
from recommender.recommend import Recommender

VARS = ["tmax_c", "tmin_c", "tmean_c", "prcp_mm", "wet_days", "rhum_pct", "sun_hours", "cloud_pct", "wind_kmh"]


def rows(*months):
    base = dict(city_id="x", month=7, tmax_c=30.0, tmin_c=22.0, tmean_c=26.0, prcp_mm=0.0, wet_days=0.0,
                rhum_pct=40.0, sun_hours=330.0, cloud_pct=20.0, wind_kmh=12.0)
    df = pd.DataFrame([{**base, **m} for m in months])
    for v in VARS:
        df[f"{v}_src"] = np.where(df[v].isna(), "missing", "measured")
    return df


# ------------------------------------------------------------------ the UTCI classes and the penalty
def test_the_onsets_are_where_the_published_utci_classes_start():
    # Bröde et al. 2012 / Błażejczyk et al. 2013: moderate heat 26–32, strong 32–38, very strong
    # 38–46, extreme > 46 °C; slight cold 0–9, extreme cold < −40 °C.
    assert [T.utci_class_start(c) for c in ("moderate heat stress", "strong heat stress", "very strong heat stress",
                                            "extreme heat stress", "slight cold stress", "extreme cold stress")] \
        == [26.0, 32.0, 38.0, 46.0, 9.0, -40.0]
    with pytest.raises(ValueError):
        T.utci_class_start("no thermal stress")
    assert INDICES["hci_urban"].heat_onset_utci == INDICES["tci"].heat_onset_utci == HEAT_ONSET_C == 26.0
    assert INDICES["hci_beach"].heat_onset_utci == 32.0 and HEAT_SPAN_C == 20.0


def test_the_heat_penalty_by_hand():
    # factor = 1 − 0.9·(UTCI − onset)/20: sightseeing at 38 °C → 1 − 0.9·12/20 = 0.46; the beach
    # (onset 32) at 31.9 → 1, at 38 → 1 − 0.9·6/20 = 0.73, at 46 → 1 − 0.9·14/20 = 0.37.
    assert stress_factor(38.0) == pytest.approx(0.46)
    assert stress_factor(31.9, 32.0) == 1.0 and stress_factor(38.0, 32.0) == pytest.approx(0.73)
    assert stress_factor(46.0, 32.0) == pytest.approx(0.37) and stress_factor(60.0, 32.0) == pytest.approx(1 - MAX_PENALTY)
    # so no month whose typical afternoon is in very strong heat stress can score 80 under the beach index
    assert 100 * stress_factor(38.0, 32.0) < 80


def test_dry_heat_is_not_discounted_by_the_beach_table():
    # Missenard: 42 °C at 20 % → ET = 42 − 0.4·32·0.8 = 31.76 → beach TC 9 ("the optimum" — the bug);
    # the afternoon air temperature 42 °C → TC 0 (≥ 39 °C, Scott et al. 2016's beach table).
    beach = lambda t: float(T.rate(T.whole(t), T.HCI_BEACH_TC_EDGES, T.HCI_BEACH_TC_RATINGS))  # noqa: E731
    assert P.effective_temperature(42.0, 20.0) == pytest.approx(31.76)
    assert beach(P.effective_temperature(42.0, 20.0)) == 9 and beach(float(air_temperature(42.0, 20.0))) == 0
    assert np.isnan(air_temperature(30.0, np.nan))          # no vapour pressure: no rating


def test_a_gulf_summer_month_is_not_excellent_and_the_beach_optimum_is():
    # Doha-like September: 39 °C afternoons, 30 °C nights, humid (RH 60 % at 34 °C), sunny, dry.
    gulf, optimum = score_atlas(rows(dict(tmax_c=39.0, tmin_c=30.0, tmean_c=34.0, rhum_pct=60.0),
                                     dict(tmax_c=29.0, tmin_c=22.0, tmean_c=25.5, rhum_pct=45.0)),
                                "hci_beach").itertuples()
    assert gulf.utci_c >= 38 and gulf.score < 60          # was 95 ("ideal") before issue 17
    assert optimum.utci_c < 32 and optimum.stress_factor == 1.0 and optimum.score >= 95
    for idx in INDICES:
        s = score_atlas(rows(dict(tmax_c=39.0, tmin_c=30.0, tmean_c=34.0, rhum_pct=60.0)), idx).iloc[0]
        assert s.score < 80, idx


# ------------------------------------------------------------------ humidity missing: estimated, not dropped
def test_the_dew_point_estimate_by_hand():
    # FAO-56 Eq. 48: e_a = e°(Tmin); Magnus e°(10 °C) = 6.1094·exp(17.625·10/253.04) = 12.260 hPa.
    # A dry month (< 10 mm): Td = Tmin − 2 °C (FAO-56 Annex 6's arid K_o): e°(8 °C) = 10.713 hPa.
    e, est = P.vapour_pressure_or_estimate_hpa([20.0, 20.0, 20.0], [np.nan, np.nan, 60.0], [10.0, 10.0, 10.0],
                                               [50.0, 5.0, 5.0])
    assert e[0] == pytest.approx(12.260, abs=1e-3) and e[1] == pytest.approx(10.713, abs=1e-3)
    assert e[2] == pytest.approx(0.6 * P.saturation_vapour_pressure_hpa(20.0)) and list(est) == [True, True, False]
    assert P.dew_point_estimate(np.nan, np.nan) != P.dew_point_estimate(np.nan, np.nan)   # NaN in, NaN out


def test_a_month_without_humidity_is_rated_on_the_estimate_and_says_so():
    # the same month with the humidity the estimate implies (e = 12.26 hPa at 20 °C → 52.4 %)
    implied = 100 * 12.260206 / P.saturation_vapour_pressure_hpa(20.0)
    for idx in INDICES:
        s = score_atlas(rows(dict(tmax_c=25.0, tmin_c=10.0, tmean_c=20.0, prcp_mm=50.0, wet_days=5.0,
                                  rhum_pct=np.nan),
                             dict(tmax_c=25.0, tmin_c=10.0, tmean_c=20.0, prcp_mm=50.0, wet_days=5.0,
                                  rhum_pct=implied)), idx)
        est, obs = s.iloc[0], s.iloc[1]
        thermal = [c.key for c in INDICES[idx].components if c.thermal]
        for k in thermal:
            assert not math.isnan(est[f"r_{k}"]) and est[f"src_{k}"] == "imputed", (idx, k)
            assert est[f"r_{k}"] == pytest.approx(obs[f"r_{k}"], abs=1e-6)
        assert est.score == pytest.approx(obs.score, abs=0.11) and est.coverage_imputed > 0


def test_nordkapp_january_is_rated_on_its_cold():
    """Issue 17: scored on rain and sky alone, Nordkapp's January (humidity missing) was
    'acceptable' (HCI 54.5). With the humidity estimated its thermal part counts."""
    from conftest import REPO
    from recommender import load_atlas

    a = load_atlas(store_dir=REPO / "tests" / "no-store-here")
    jan = a[(a.city_id == "nordkapp") & (a.month == 1)]
    assert jan["rhum_pct"].isna().all()
    for idx in INDICES:
        s = score_atlas(jan, idx).iloc[0]
        assert s.score < 40 and s.label in ("unfavourable", "very unfavourable", "extremely unfavourable", "impossible")
        assert all(s[f"src_{c.key}"] == "imputed" for c in INDICES[idx].components if c.thermal)


# ------------------------------------------------------------------ no score without a thermal rating
@st.composite
def months(draw):
    tmax = draw(st.one_of(st.just(np.nan), st.floats(-30, 48)))
    tmin = draw(st.one_of(st.just(np.nan), st.floats(-40, 35)))
    return dict(month=draw(st.integers(1, 12)), tmax_c=tmax, tmin_c=tmin,
                tmean_c=draw(st.one_of(st.just(np.nan), st.floats(-35, 40))),
                prcp_mm=draw(st.one_of(st.just(np.nan), st.floats(0, 600))),
                wet_days=draw(st.one_of(st.just(np.nan), st.floats(0, 28))),
                rhum_pct=draw(st.one_of(st.just(np.nan), st.floats(5, 100))),
                sun_hours=draw(st.one_of(st.just(np.nan), st.floats(0, 300))),
                cloud_pct=draw(st.one_of(st.just(np.nan), st.floats(0, 100))),
                wind_kmh=draw(st.one_of(st.just(np.nan), st.floats(0, 80))))


@settings(max_examples=200, deadline=None)
@given(months(), st.sampled_from(sorted(INDICES)))
def test_no_score_without_a_thermal_rating(m, idx):
    s = score_atlas(rows(m), idx).iloc[0]
    thermal = [c.key for c in INDICES[idx].components if c.thermal]
    rated = all(not math.isnan(s[f"r_{k}"]) for k in thermal)
    if rated:
        assert 0 <= s.score <= 100 and 0 <= s.raw_score <= 100 and s.label in T.LABEL_ORDER
    else:
        assert math.isnan(s.score) and math.isnan(s.raw_score) and s.label == T.NO_SCORE
    # a thermal rating needs the afternoon maximum, and humidity or the night minimum to estimate it
    if not math.isnan(m["tmax_c"]) and not math.isnan(m["tmean_c"]) and not (
            math.isnan(m["rhum_pct"]) and math.isnan(m["tmin_c"])):
        assert rated


# ------------------------------------------------------------------ the measured goals (issue 17)
@pytest.fixture(scope="module")
def scored(atlas):
    return {idx: score_atlas(atlas, idx) for idx in INDICES}


@pytest.mark.parametrize("idx", ["hci_urban", "hci_beach", "tci"])
def test_at_most_five_percent_of_dangerous_heat_scores_80(atlas, scored, idx):
    s = scored[idx]
    hot = atlas["tmax_c"].to_numpy() >= 40
    stress = s["utci_c"].to_numpy() >= 38
    assert hot.sum() > 100 and stress.sum() > 300      # the atlas has them (223 and 516)
    assert np.mean(s["score"].to_numpy()[hot] >= 80) <= 0.05
    assert np.mean(s["score"].to_numpy()[stress] >= 80) <= 0.05


@pytest.mark.parametrize("idx", ["hci_urban", "hci_beach", "tci"])
def test_zero_city_months_scored_without_a_thermal_rating(scored, idx):
    s = scored[idx]
    no_thermal = np.zeros(len(s), dtype=bool)
    for c in INDICES[idx].components:
        if c.thermal:
            no_thermal |= s[f"r_{c.key}"].isna().to_numpy()
    assert not (no_thermal & s["score"].notna().to_numpy()).any()
    assert s["score"].notna().all()          # the embedded atlas has every month's maximum and minimum


# ------------------------------------------------------------------ a month without a score downstream
def test_a_month_without_a_score_is_never_ranked_nor_in_a_window(atlas):
    a = atlas.copy()
    a.loc[(a.city_id == "karachi") & a.month.isin([1, 2]), "tmax_c"] = np.nan
    rec = Recommender(a)
    res = rec.recommend("urumqi", 1)
    k = next(p for p in res.partners if p.city.id == "karachi")
    assert k.score is None and k.label == T.NO_SCORE and k.delta is None and k.reasons == ()
    assert 1 not in k.window and 2 not in k.window and k not in res.ranked
    year = rec.year("urumqi")
    assert "karachi" not in [p.city.id for p in year.ranked(1)] and "karachi" in [p.city.id for p in year.ranked(3)]
    assert rec.exchange("urumqi", "karachi").a_to_b == [[3], [11, 12]]
    home = rec.recommend("karachi", 1)
    assert home.home_score is None and home.home_label == T.NO_SCORE
    from recommender.present import documents, text

    for doc in (documents.document(res), documents.document(year), documents.document(rec.profile("karachi")),
                documents.document(home)):
        json.dumps(doc, allow_nan=False)      # no NaN in the JSON contract
    assert "not enough data" in text.headline(home)
    assert rec.month_detail("karachi", 1).score is None
