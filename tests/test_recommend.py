"""Ranking, windows, the exchange calendar and season types — on the embedded atlas (the story)
and as invariants (hypothesis)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from conftest import REPO
from recommender import RecommenderError, UnknownCityError
from recommender.atlas import load_cities
from recommender.recommend import Recommender, circular_runs, season_type


@pytest.fixture(scope="module")
def rec(atlas):
    return Recommender(atlas)


def by_id(res):
    return {p.city.id: p for p in res.partners}


def test_urumqi_in_january_goes_to_karachi(rec):
    res = rec.recommend("Ürümqi", 1)
    p = by_id(res)
    assert res.home.id == "urumqi" and res.month == 1 and res.index.name == "HCI:Urban" and res.band is None
    assert p["karachi"].score >= res.home_score + 30          # far above home
    assert p["karachi"].score > p["peshawar"].score            # and above Peshawar
    assert 1 in p["karachi"].window
    temp = next(r for r in p["karachi"].reasons if r.code == "temperature")
    assert temp.values["home_tmax_c"] == pytest.approx(-7.4, abs=0.05) and temp.values["tmax_c"] > 25
    scores = [x.score for x in res.ranked]
    assert scores == sorted(scores, reverse=True)
    only_pk = rec.recommend("urumqi", 1, country="PK")
    assert only_pk.partners[0].city.id == "karachi" and only_pk.country == "PK"
    assert {x.city.country for x in only_pk.partners} == {"PK"}


def test_results_carry_codes_and_numbers_not_sentences(rec):
    res = rec.recommend("urumqi", 1, style="tci", comfort_band=(18, 24))
    assert res.index.key == "tci" and res.band == (18.0, 24.0)
    codes = {"thermal_stress", "temperature", "dry", "rainy_days", "wet", "sunny", "grey", "humid", "escapes_home_stress"}
    for p in res.ranked:
        for r in p.reasons:
            assert r.code in codes
            assert all(isinstance(v, (int, float, type(None))) or k.endswith("_class") for k, v in r.values.items())


def test_karachi_in_july_goes_to_urumqi(rec):
    res = rec.recommend("karachi", 7, country="China")
    assert res.partners[0].city.id == "urumqi"
    assert res.partners[0].score >= res.home_score + 25


def test_seasonal_shapes_of_the_two_cities(rec):
    u = {m.month: m.score for m in rec.profile("urumqi").months}
    k = {m.month: m.score for m in rec.profile("karachi").months}
    best_u = max(u, key=u.get)
    assert 5 <= best_u <= 9 and min(u, key=u.get) in (12, 1, 2)
    assert max(k, key=k.get) in (11, 12, 1, 2, 3) and min(k, key=k.get) in range(4, 11)
    assert rec.profile("urumqi").season_type == "summer peak"
    assert rec.profile("karachi").season_type == "winter peak"


def test_exchange_calendar_runs_both_ways(rec):
    ex = rec.exchange("urumqi", "karachi")
    assert ex.sister_cities and ex.index.name == "HCI:Urban"
    assert ex.a_to_b == [[11, 12, 1, 2, 3]]          # Ürümqi → Karachi in winter
    assert any(7 in run for run in ex.b_to_a)        # Karachi → Ürümqi in summer
    flat_a = {m for r in ex.a_to_b for m in r}
    flat_b = {m for r in ex.b_to_a for m in r}
    assert not flat_a & flat_b


def test_second_degree_partners(rec):
    res = rec.recommend("urumqi", 7, second_degree=True)
    deg2 = [p for p in res.partners if p.degree == 2]
    assert deg2 and all(p.via for p in deg2)
    direct = {p.city.id for p in res.partners if p.degree == 1}
    assert not direct & {p.city.id for p in deg2} and "urumqi" not in {p.city.id for p in deg2}


def test_partner_without_climate_is_listed_not_ranked(rec):
    res = rec.recommend("haworth", 1)   # its sister cities have no climate data within 75 km
    assert res.partners and all(p.score is None and p.label is None for p in res.partners)
    res = rec.recommend("aljezur", 1)   # home without climate data
    assert res.home_score is None and res.partners
    assert rec.profile("aljezur").season_type is None and rec.month_detail("aljezur", 1) is None


def test_the_wind_fallback_is_stated(rec):
    from recommender.present import text

    cities = load_cities()
    proxy = cities.loc[cities["climate_note"].str.startswith("proxy"), "city_id"].iloc[0]
    d = rec.month_detail(proxy, 1)              # no gridded point: no wind
    assert d.climate["wind_kmh"] == (None, "missing")
    assert "assumes a light 2 m/s breeze" in text.method_tables(d)[1]
    assert "assumes" not in text.method_tables(rec.month_detail("karachi", 1))[1]


def test_month_detail_names_every_component_and_variable(rec):
    d = rec.month_detail("karachi", 6, style="urban")
    assert [c[0] for c in d.components] == ["thermal", "aesthetic", "precipitation", "wind"]
    assert d.score <= d.raw_score and d.stress_factor < 1 and d.data_source == "wikipedia"
    assert d.climate["rhum_pct"][1] == "gridded" and d.climate["tmax_c"][1] == "measured"
    assert d.climate["wind_kmh"][1] == "gridded" and 0 < d.climate["wind_kmh"][0] < 40


def test_bad_inputs_raise_clear_errors(rec):
    with pytest.raises(RecommenderError, match="1 \\(January\\) to 12"):
        rec.recommend("urumqi", 13)
    for bad in ("³", "١٢", "１２", "9" * 5000, "jan uary", True, 1.5):
        with pytest.raises(RecommenderError, match="1 \\(January\\) to 12"):
            rec.recommend("urumqi", bad)
    assert rec.recommend("urumqi", "jan").month == 1 and rec.recommend("urumqi", " 12 ").month == 12
    with pytest.raises(UnknownCityError, match="karachi"):
        rec.recommend("Karachy", 1)
    with pytest.raises(RecommenderError, match="trip style"):
        rec.recommend("urumqi", 1, style="ski")


def test_circular_runs():
    assert circular_runs([11, 12, 1, 2]) == [[11, 12, 1, 2]]
    assert circular_runs([3, 4, 9]) == [[3, 4], [9]]
    assert circular_runs(list(range(1, 13))) == [list(range(1, 13))]
    assert circular_runs([]) == []
    assert circular_runs([1, 12, 6]) == [[12, 1], [6]]  # a run wrapping the new year comes first


def test_season_types():
    m = np.arange(1, 13)
    summer = 50 + 40 * np.cos(2 * np.pi * (m - 7) / 12)
    assert season_type(summer, 45, np.full(12, 50)) == "summer peak"
    assert season_type(summer, -35, np.full(12, 50)) == "winter peak"
    assert season_type(np.full(12, 85.0), 10, np.full(12, 50)) == "year-round"
    assert season_type(np.full(12, 30.0), 10, np.full(12, 50)) == "poor"
    bimodal = np.array([40, 50, 70, 88, 80, 55, 45, 50, 82, 86, 60, 40.0])
    assert season_type(bimodal, 40, np.full(12, 50)) == "bimodal shoulder peak"
    dry = np.array([85, 88, 80, 60, 50, 45, 40, 40, 45, 55, 70, 82.0])
    rain = np.array([5, 5, 10, 80, 200, 300, 300, 300, 200, 100, 20, 5.0])
    assert season_type(dry, 12, rain) == "dry-season peak"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=12, max_size=12), st.lists(st.floats(0, 100), min_size=12, max_size=12),
       st.floats(0, 30), st.floats(0, 100))
def test_a_window_never_contains_a_month_where_home_is_better(home, partner, margin, good):
    """The window holds exactly the months where the partner is ≥ good and ≥ margin above home
    (ignoring the margin, or the good threshold, makes this fail)."""
    from recommender.rules import window_runs

    months = [m for run in window_runs(partner, home, good=good, margin=margin) for m in run]
    expected = [m for m in range(1, 13) if partner[m - 1] >= good and partner[m - 1] - home[m - 1] >= margin]
    assert sorted(months) == expected
    for m in months:
        assert partner[m - 1] >= home[m - 1] + margin and partner[m - 1] >= good


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "recommender", *args], capture_output=True, text=True, cwd=REPO)


def test_cli_recommend_json_contract():
    p = run_cli("recommend", "--home", "urumqi", "--month", "1", "--format", "json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d) >= {"home", "month", "index", "partners"}
    assert set(d["home"]) >= {"id", "name", "country", "score"}
    for x in d["partners"]:
        assert set(x) >= {"id", "name", "country", "score", "label", "delta", "window", "reasons", "coverage",
                          "confidence"}
        assert x["confidence"]["grade"] in ("high", "medium", "low") and x["confidence"]["reason"]
    ranked = [x["score"] for x in d["partners"] if x["score"] is not None]
    assert ranked == sorted(ranked, reverse=True)
    assert d["partners"][0]["id"] == "karachi"


def test_cli_profile_and_windows_json_contract():
    p = run_cli("profile", "--city", "Ürümqi", "--format", "json", "--style", "tci")
    d = json.loads(p.stdout)
    assert d["city"]["id"] == "urumqi" and d["index"] == "TCI" and len(d["months"]) == 12
    assert set(d["months"][0]) >= {"month", "score", "label", "components", "coverage", "confidence"}
    assert "season_type" in d and set(d["months"][0]["confidence"]) == {"grade", "reason"}
    p = run_cli("windows", "--home", "URUMQI", "--partner", "karachi", "--format", "json")
    d = json.loads(p.stdout)
    assert set(d) >= {"a", "b", "a_to_b", "b_to_a"} and d["a"]["id"] == "urumqi"
    assert all(isinstance(run, list) for run in d["a_to_b"])


def test_cli_band_accepts_a_negative_low_end():
    p = run_cli("recommend", "--home", "urumqi", "--month", "1", "--band=-5-10", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["partners"]


def test_cli_csv_and_table():
    p = run_cli("recommend", "--home", "karachi", "--month", "7", "--format", "csv")
    rows = p.stdout.strip().splitlines()
    assert rows[0].startswith("rank,city,id,country,score") and len(rows) > 5
    assert rows[0].endswith(",confidence,confidence_reason,flags")   # flags (codes): issue 17, appended
    p = run_cli("recommend", "--home", "karachi", "--month", "7")
    assert "July from Karachi" in p.stdout
    header, first = p.stdout.splitlines()[2:4]
    assert header.split()[-2:] == ["confidence", "flags"] and any(mark in first for mark in "●◐○")   # flags: issue 17
    assert p.stdout.rstrip().splitlines()[-1] == "At home (Karachi, July), not rated by the index: monsoon season (Pakistan; a regional season)."


@pytest.mark.parametrize("args,needle", [
    (("recommend", "--home", "Atlantis City", "--month", "1"), "Unknown city"),
    (("recommend", "--home", "urumqi", "--month", "0"), "1 (January) to 12"),
    (("recommend", "--home", "urumqi", "--month", "x"), "1 (January) to 12"),
    (("recommend", "--home", "urumqi", "--month", "1", "--style", "ski"), "invalid choice"),
    (("recommend", "--home", "urumqi", "--month", "1", "--band", "abc"), "--band"),
    (("recommend", "--home", "urumqi", "--month", "1", "--band", "24-18"), "LOW < HIGH"),
    (("recommend", "--home", "urumqi", "--month", "1", "--country", "Narnia"), "is not a country of the registry"),
    (("profile",), "required"),
])
def test_cli_errors_are_clear(args, needle):
    p = run_cli(*args)
    assert p.returncode == 2
    assert needle in p.stderr and "Traceback" not in p.stderr


# ---------------------------------------------------------------------------- confidence of a city-month


def graded(atlas, grades: dict) -> Recommender:
    """A Recommender over the atlas with some city-months' confidence forced: {(city, month): (grade, reason)}."""
    a = atlas.copy()
    a["confidence"] = a["confidence"].astype(str)
    for (cid, month), (grade, reason) in grades.items():
        at = (a["city_id"] == cid) & (a["month"] == month)
        a.loc[at, ["confidence", "confidence_reason"]] = [grade, reason]
    return Recommender(a)


def test_every_score_carries_its_city_months_confidence(rec, atlas):
    from recommender.climate.confidence import REASONS
    from recommender.recommend import Confidence

    expected = atlas.set_index(["city_id", "month"])[["confidence", "confidence_reason"]]

    def grade_of(cid, month):
        g = expected.loc[(cid, month)]
        return Confidence(str(g["confidence"]), str(g["confidence_reason"]))

    res = rec.recommend("urumqi", 1)
    assert res.home_confidence == grade_of("urumqi", 1)
    for p in res.ranked:
        assert p.confidence == grade_of(p.city.id, 1) and REASONS[p.confidence.reason] == p.confidence.grade
    assert all(p.confidence is None for p in rec.recommend("haworth", 1).partners)   # no climate data
    assert [m.confidence for m in rec.profile("karachi").months] == [grade_of("karachi", m) for m in range(1, 13)]
    assert rec.month_detail("karachi", 7).confidence == grade_of("karachi", 7)
    sc = rec.scored("urban")
    assert sc.grade.shape == sc.score.shape == sc.grade_reason.shape      # (city, month) arrays like the scores


def test_an_atlas_without_grades_is_graded_by_the_recommender(atlas):
    bare = Recommender(atlas.drop(columns=["confidence", "confidence_reason"]))
    p = bare.recommend("urumqi", 1).partners[0]
    assert p.confidence is not None and p.confidence.grade in ("high", "medium", "low")


def test_recommendation_json_has_the_confidence_of_every_partner(rec):
    from recommender.present.documents import document

    res = rec.recommend("urumqi", 7, second_degree=True)
    doc = document(res)
    assert doc["home"]["confidence"] == {"grade": res.home_confidence.grade, "reason": res.home_confidence.reason}
    for p, x in zip(res.partners, doc["partners"]):
        assert x["id"] == p.city.id
        if p.score is None:
            assert x["confidence"] is None
        else:
            assert x["confidence"] == {"grade": p.confidence.grade, "reason": p.confidence.reason}
    months = document(rec.profile("urumqi"))["months"]
    assert all(set(m["confidence"]) == {"grade", "reason"} for m in months)


def test_a_low_confidence_pick_is_never_the_headline_without_saying_so(atlas):
    from recommender.present import text

    sure = {("karachi", 1): ("medium", "unchecked"), ("urumqi", 1): ("medium", "unchecked")}
    res = graded(atlas, sure).recommend("urumqi", 1)
    assert res.partners[0].city.id == "karachi" and "confidence" not in text.headline(res)
    doubtful = graded(atlas, sure | {("karachi", 1): ("low", "disagree")}).recommend("urumqi", 1)
    best = doubtful.partners[0]
    assert best.city.id == "karachi" and (best.confidence.grade, best.confidence.reason) == ("low", "disagree")
    head = text.headline(doubtful)
    assert head.startswith("In January, of Ürümqi's sister cities, Karachi is the most comfortable")
    assert "; low confidence: the sources disagree) — at home" in head and head.count("low confidence") == 1
    assert "可信度低：各来源不一致" in text.headline(doubtful, lang="zh")
    assert "کم اعتماد: ذرائع میں اختلاف ہے" in text.headline(doubtful, lang="ur")
    home_low = graded(atlas, sure | {("urumqi", 1): ("low", "proxy")}).recommend("urumqi", 1)
    assert "at home it is" in text.headline(home_low) and "low confidence: borrowed from a nearby city)." in \
        text.headline(home_low)


def test_a_year_ranks_partners_as_the_month_does(rec):
    year = rec.year("urumqi")
    for month in (1, 7):
        res = rec.recommend("urumqi", month)
        assert [p.city.id for p in year.ranked(month)] == [p.city.id for p in res.ranked]


def test_a_pair_year_says_how_the_two_cities_are_linked(rec):
    twinned = rec.pair_year("urumqi", "karachi")
    assert twinned.home.city.id == "urumqi" and [p.degree for p in twinned.partners] == [1]
    assert twinned.partners[0].windows == rec.travel_windows("urumqi", "karachi")
    second = {p for p, d, _ in rec.partners("karachi", second_degree=True) if d == 2}
    for other in ("london", "reykjavik", "lahore"):
        expected = 1 if rec.graph.twinned("karachi", other) else 2 if other in second else 3
        assert rec.pair_year("karachi", other).partners[0].degree == expected
