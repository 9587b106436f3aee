"""What the indices do not rate (recommender/flags.py): hand-checked city-months, the thresholds
pinned at ± epsilon, the regions, and the words on the results, the documents and the exports."""

import numpy as np
import pytest

from recommender import flags as fl
from recommender.present import documents, exports, text
from recommender.recommend import Recommender

EPS = 1e-6


@pytest.fixture(scope="module")
def rec(atlas):
    return Recommender(atlas)


@pytest.mark.parametrize("city, month, expected", [
    ("lhasa", 1, {"cold_nights", "high_altitude"}),          # 3,650 m, mean low −9 °C, "good" 65
    ("la-paz", 7, {"cold_nights", "high_altitude"}),         # 4,058 m
    ("la-paz", 1, {"high_altitude"}),
    ("havana", 9, {"tropical_cyclone"}),                     # North Atlantic, Jun–Nov
    ("sanya", 8, {"tropical_cyclone"}),                      # Western North Pacific, peak Jul–Nov
    ("lahore", 12, {"poor_air"}),                            # Indo-Gangetic Plain, Nov–Jan
    ("new-delhi", 12, {"poor_air"}),
    ("new-delhi", 11, {"poor_air"}),
    ("beijing", 1, {"cold_nights", "poor_air"}),             # North China Plain, Dec–Feb
    ("harbin", 1, {"cold_nights", "snow_and_ice"}),          # the Ice Festival month
    ("kuwait-city", 7, {"very_strong_heat"}),                # UTCI ≈ 48 °C
    ("dubai", 7, {"very_strong_heat"}),                      # the Persian Gulf: no cyclone season
    ("karachi", 7, {"monsoon"}),                             # Pakistan, Jul–Sep
    ("paris", 5, set()),
    ("london", 5, set()),
])
def test_hand_checked_city_months(rec, city, month, expected):
    d = rec.month_detail(city, month)
    assert set(d.flags) == expected
    assert tuple(d.flags) == tuple(c for c in fl.FLAG_CODES if c in expected)   # FLAGS order


def test_the_numbers_behind_the_flags(rec):
    d = rec.month_detail("lhasa", 1)
    assert d.flag_values["cold_nights"] == pytest.approx(d.climate["tmin_c"][0])
    assert d.flag_values["high_altitude"] == 3650.0
    assert rec.month_detail("havana", 9).flag_values["tropical_cyclone"] == ("north_atlantic",)
    assert rec.month_detail("lahore", 1).flag_values["poor_air"] == ("indo_gangetic_plain",)
    assert rec.month_detail("kuwait-city", 7).flag_values["very_strong_heat"] == pytest.approx(
        rec.month_detail("kuwait-city", 7).utci_c)
    assert "tropical_cyclone" not in rec.month_detail("havana", 1).flags        # out of season
    assert "poor_air" not in rec.month_detail("lahore", 4).flags


def _places(n, lat=45.0, lon=10.0, elevation=100.0, src="station", country="FR"):
    return fl.places(np.full(n, lat), np.full(n, lon), np.full(n, country, dtype=object), np.full(n, elevation),
                     np.full(n, src, dtype=object))


def test_the_thresholds_at_plus_and_minus_epsilon():
    t = np.array([[fl.COLD_NIGHTS_C - EPS] * 12, [fl.COLD_NIGHTS_C] * 12, [fl.COLD_NIGHTS_C + EPS] * 12])
    f = fl.masks(t, t + 20, np.zeros((3, 12)), _places(3))
    assert f.masks["cold_nights"][:, 0].tolist() == [True, False, False]        # strictly below 0 °C
    f = fl.masks(t + 10, t, np.zeros((3, 12)), _places(3))
    assert f.masks["snow_and_ice"][:, 0].tolist() == [True, False, False]       # afternoons strictly below 0 °C
    u = np.array([[fl.VERY_STRONG_HEAT_UTCI_C - EPS] * 12, [fl.VERY_STRONG_HEAT_UTCI_C] * 12,
                  [fl.VERY_STRONG_HEAT_UTCI_C + EPS] * 12])
    f = fl.masks(np.full((3, 12), 20.0), np.full((3, 12), 30.0), u, _places(3))
    assert f.masks["very_strong_heat"][:, 0].tolist() == [False, True, True]    # from 38 °C
    elev = np.array([fl.HIGH_ALTITUDE_M - EPS, fl.HIGH_ALTITUDE_M, fl.HIGH_ALTITUDE_M + EPS])
    pl = fl.places(np.full(3, 45.0), np.full(3, 10.0), np.full(3, "FR", dtype=object), elev,
                   np.full(3, "terrain", dtype=object))
    f = fl.masks(np.full((3, 12), 5.0), np.full((3, 12), 15.0), np.zeros((3, 12)), pl)
    assert f.masks["high_altitude"].all(axis=1).tolist() == [False, True, True]  # from 2,500 m, every month
    assert fl.HIGH_ALTITUDE_M == 2500.0 and fl.COLD_NIGHTS_C == 0.0 and fl.VERY_STRONG_HEAT_UTCI_C == 38.0


def test_an_untrusted_elevation_and_missing_figures_raise_no_flag():
    pl = _places(1, elevation=4000.0, src="unknown")
    nan = np.full((1, 12), np.nan)
    f = fl.masks(nan, nan, nan, pl)
    assert not any(m.any() for m in f.masks.values())


def test_regional_seasons_follow_the_declared_boxes_and_months():
    # Havana's coast, 100 km inland of nowhere: the North Atlantic box; Mexico City: inland; Dubai: the Gulf.
    lat, lon = np.array([23.133, 19.43, 25.08, 29.65]), np.array([-82.383, -99.13, 55.31, 91.1])
    pl = fl.places(lat, lon, np.array(["CU", "MX", "AE", "CN"], dtype=object), np.zeros(4),
                   np.full(4, "station", dtype=object))
    assert pl.coast_km[0] < fl.COAST_KM and pl.coast_km[1] > fl.COAST_KM
    f = fl.masks(np.full((4, 12), 20.0), np.full((4, 12), 30.0), np.zeros((4, 12)), pl)
    assert fl.mask_months(f.masks["tropical_cyclone"][0]) == [6, 7, 8, 9, 10, 11]
    assert not f.masks["tropical_cyclone"][1:].any()
    igp = fl.AIR_REGIONS[0]
    assert igp.contains([24.0, 32.5, 23.99], [71.0, 88.5, 80.0], ["IN"] * 3).tolist() == [True, True, False]


def test_every_flag_has_words_and_a_definition_in_the_method_text():
    shown = " ".join(text.method_paragraphs("°C", "en"))
    for phrase in ("What the indices do not rate.", "mean minimum below 0 °C", "2,500 m or higher",
                   "UTCI at 38 °C or more", "afternoons below 0 °C", "within 100 km of the sea",
                   "North Atlantic (5°N–35°N, 100°W–20°W): Jun–Nov", "Western North Pacific (5°N–35°N, 100°E–180°E): Jul–Nov",
                   "Indo-Gangetic Plain (24°N–32.5°N, 71°E–88.5°E): Nov–Jan",
                   "North China Plain (34°N–41°N, 113°E–120°E): Dec–Feb", "Pakistan: Jul–Sep",
                   "a regional rule, not measured air-quality data", "Not rated at all:", "snow sports"):
        assert phrase in shown, phrase
    for f in fl.FLAGS:
        assert f.citation in shown
    assert "32 °F" in " ".join(text.method_paragraphs("°F", "en"))


def test_the_words_of_the_flags(rec):
    assert text.flag_text("cold_nights", -9.0) == "cold nights (mean low −9 °C)"
    assert text.flag_text("cold_nights", -9.0, "°F") == "cold nights (mean low 16 °F)"
    assert text.flag_text("high_altitude", 3650.0) == "high altitude (3,650 m)"
    assert text.flag_text("tropical_cyclone", ("north_atlantic",)) == (
        "tropical-cyclone season (North Atlantic; a regional season)")
    harbin = text.flags_detail(rec.month_detail("harbin", 1))
    assert "the indices rate warm-season sightseeing and beach trips, not snow and ice" in harbin
    for lang in ("zh", "ur"):
        assert text.flags_detail(rec.month_detail("harbin", 1), "°C", lang)
    assert "no flag" in text.flags_detail(rec.month_detail("paris", 5))


def test_results_documents_and_exports_carry_the_codes(rec):
    res = rec.recommend("harbin", 1)
    assert res.home_flags == ("cold_nights", "snow_and_ice")
    caption = text.flag_caption(res)
    assert caption.startswith("At home (Harbin, January), not rated by the index: cold nights") and "snow and ice" in caption
    doc = documents.document(res)
    assert doc["home"]["flags"] == ["cold_nights", "snow_and_ice"]
    assert all(isinstance(p["flags"], list) for p in doc["partners"])
    y = rec.year("urumqi", country="PK")
    karachi = y.partner("karachi")
    assert karachi.flags[6] == ("monsoon",)
    table = exports.recommendations_table(y)
    assert list(table.columns)[-1] == "flags"
    assert table.loc[(table.partner_id == "karachi") & (table.month == 7), "flags"].item() == "monsoon"
    months = documents.document(y)["partners"][0]["months"]
    assert all("flags" in m for m in months)
    prof = documents.document(rec.profile("lhasa"))
    assert prof["months"][0]["flags"] == ["cold_nights", "high_altitude"]
    rows = text.partner_rows(rec.recommend("urumqi", 7, country="PK"))
    assert "not rated" in rows[0]


def test_a_hazard_of_the_top_pick_is_named_under_the_headline(rec):
    res = rec.recommend("urumqi", 7, country="PK")
    best = res.ranked[0]
    caption = text.flag_caption(res)
    if any(c in fl.HAZARDS for c in best.flags):
        assert caption.startswith(f"{best.city.name} in July, not rated by the index:")
    # a hand-made case: the top pick in very strong heat
    from dataclasses import replace
    hot = replace(best, flags=("very_strong_heat",), flag_values={"very_strong_heat": 41.0})
    res2 = replace(res, partners=(hot,), home_flags=(), home_flag_values={})
    assert text.flag_caption(res2) == f"{best.city.name} in July, not rated by the index: very strong heat stress (feels like 41 °C)."


def test_the_html_report_names_the_flags(rec):
    html = exports.report_html(rec.recommend("harbin", 1), {}, "headline").decode()
    assert "<th>not rated</th>" in html and "At home (Harbin, January), not rated by the index" in html
    assert "What the indices do not rate." in html
