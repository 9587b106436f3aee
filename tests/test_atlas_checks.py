"""The atlas's new rules on small inline data (issue 15): cross-source agreement and the tables
it rejects, town elevations checked against the terrain, gridded points on summits left out,
the endpoint cache keyed by country (the Colombo case), districts naming their city, and the
confidence grade."""

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from recommender.climate import agreement as A
from recommender.climate import confidence as C
from recommender.pipelines import build_atlas as B
from recommender.places import elevation as E
from recommender.places.gazetteer import Gazetteer
from recommender.places.matching import EndpointCities, district_parent
from recommender.sources import gridded as G

MONTHS = np.arange(12)


def cycle(mean, amp, peak=6):
    """A seasonal cycle (°C) peaking in month `peak` (0 = January)."""
    return mean + amp * np.cos(2 * np.pi * (MONTHS - peak) / 12)


# ---------------------------------------------------------------------------- agreement


def test_measures_by_hand():
    a = np.vstack([cycle(10, 10), cycle(10, 10), cycle(10, 10, peak=0), cycle(27, 1)])
    b = np.vstack([cycle(10, 10), cycle(13, 10), cycle(10, 10), cycle(27, 1, peak=0)])
    m = A.measures(a, b)
    assert m.annual == pytest.approx([0, 3, 0, 0], abs=1e-9)
    assert m.amplitude == pytest.approx([0, 0, 0, 0], abs=1e-9)
    assert m.correlation[:3] == pytest.approx([1, 1, -1])       # reversed seasons: r = −1
    assert np.isnan(m.correlation[3])                            # a 2 °C range is too flat to judge


def test_tolerances_come_from_the_good_cities_with_floors():
    rng = np.random.default_rng(0)
    truth = np.vstack([cycle(10, 8)] * 200)
    noisy = truth + rng.normal(0, 1.0, truth.shape) + rng.normal(0, 1.0, (200, 1))
    good = np.r_[np.ones(150, bool), np.zeros(50, bool)]
    noisy[150:] += 20                                             # bad pairs are not in the sample
    t = A.Tolerances.from_good(A.measures(noisy, truth), np.abs(noisy - truth), good)
    assert 1.5 <= t.annual_c < 4 and t.n_good == 150
    assert t.month_agree_c < t.month_tolerance_c
    assert t.disagrees(A.measures(noisy, truth))[150:].all()


# ---------------------------------------------------------------------------- a table of another place


def table_frame(tables: dict[int, np.ndarray], lat, lon, elev) -> pd.DataFrame:
    rows = []
    for (r, t), la, lo, el in zip(sorted(tables.items()), lat, lon, elev):
        rows.append(pd.DataFrame({"geo_row": r, "month": np.arange(1, 13), "tmean_c": t, "tmean_c_src": "measured",
                                  "lat": la, "lon": lo, "elevation_m": el}))
    return pd.concat(rows, ignore_index=True)


def grid_points(lats, lons, tmeans):
    v = np.vstack(tmeans)
    return {name: G.Points(name, np.array(lats, float), np.array(lons, float), np.zeros(len(lats)),
                           {"tmean_c": v.copy()}) for name in ("worldclim", "cru")}


def test_a_namesakes_table_and_a_reversed_season_are_not_used():
    # 30 towns whose tables agree with the grid, one carrying a tropical table (Lipa on a Czech
    # town) and one a southern table (seasons reversed), each 5 km from its grid point
    n = 32
    lat = np.linspace(40, 55, n)
    lon = np.linspace(5, 25, n)
    grid_t = [cycle(9, 10) for _ in range(n)]
    tables = {i: cycle(9, 10) + 0.1 * (i % 3) for i in range(n)}
    tables[30] = cycle(27, 1.5)
    tables[31] = cycle(9, 10, peak=0)
    N = table_frame(tables, lat, lon, np.zeros(n))
    places = {i: f"T{i}" for i in range(n)}
    report = B.Report()
    pts = grid_points(lat + 0.045, lon, grid_t)
    out, check = B.check_tables(N, places, pts, report)
    assert set(places) == set(range(30)) and check.n_dropped == 2
    assert set(out["geo_row"]) == set(range(30))
    assert {s for k, s, _ in report.rows if k == "climate_disagrees"} == {"T30", "T31"}


def test_a_table_with_no_grid_near_is_checked_against_its_neighbours():
    n = 12
    lat, lon = np.linspace(48, 50, n), np.linspace(14, 16, n)
    tables = {i: cycle(8, 10) for i in range(n)}
    tables[11] = cycle(27, 1.5)                  # the Lipa table, 100 km from any grid point
    N = table_frame(tables, lat, lon, np.full(n, 300.0))
    places = {i: f"T{i}" for i in range(n)}
    pts = grid_points(lat[:8] + 0.045, lon[:8], [cycle(8, 10)] * 8)   # only the first 8 have a point
    pts = {k: G.Points(k, p.lat, p.lon, np.full(8, 300.0), p.values) for k, p in pts.items()}
    report = B.Report()
    out, check = B.check_tables(N, places, pts, report)
    assert 11 not in places and check.n_dropped_by_neighbours == 1
    assert {8, 9, 10} <= set(places)


# ---------------------------------------------------------------------------- elevations


def tiny_grid():
    """A 5′ grid of 1,000 m hills everywhere, a sea cell at (0.04°N, 0.04°E) and a 100 m plain
    around 10°N 10°E."""
    g = np.full((2160, 4320), 1000.0, dtype=np.float32)
    i, j = int((90 - 0.04) * 12), int((180 + 0.04) * 12)
    g[i, j] = np.nan
    ii, jj = int((90 - 10.0) * 12), int((180 + 10.0) * 12)
    g[ii - 2:ii + 3, jj - 2:jj + 3] = 100.0
    return g


def test_town_elevation_rejects_summits_and_placeholders():
    g = tiny_grid()
    lat, lon = np.array([10.0, 10.0, 10.0, 45.0, 0.04]), np.array([10.0, 10.0, 10.0, 45.0, 0.04])
    km = np.array([[5, 9], [20, 30], [3, 4], [1, 2], [50, 60]], float)
    st = np.array([[1900, 120], [120, 130], [0, 80], [0, 1000], [5, 5]], float)
    elev, src = E.town_elevation(lat, lon, km, st, grid=g)
    assert (elev[0], src[0]) == (120, "station")      # the summit station at 5 km is skipped for the one at 9 km
    assert (elev[1], src[1]) == (100, "terrain")      # stations beyond 15 km say nothing: the terrain
    assert (elev[2], src[2]) == (0, "station")        # 0 m fits a plain of 100 m cells (900 m below allowed)
    assert (elev[3], src[3]) == (1000, "station")     # a placeholder 0 in the hills is never used
    assert src[4] == "terrain" and elev[4] == 1000    # a sea cell: its lowest land neighbour, not 0


def test_gridded_points_far_above_the_town_are_left_out():
    # two points: one on a summit 3 km away (2,000 m), one 20 km away at the town's level
    p = G.Points("t", np.array([45.027, 45.18]), np.array([7.0, 7.0]), np.array([2000.0, 50.0]),
                 {"tmean_c": np.array([[2.0] * 12, [15.0] * 12])})
    s = G.sample(p, [45.0], [7.0], [60.0], k=2)
    assert s.values["tmean_c"][0, 0] == pytest.approx(15.0 - 0.065, abs=0.01)   # the level point alone
    assert s.n_points[0] == 1 and s.dz_m[0] == pytest.approx(10.0)
    alone = G.sample(p, [45.0], [7.0], [1900.0], k=2)   # a town near the summit keeps it
    assert alone.n_points[0] == 1 and alone.values["tmean_c"][0, 0] == pytest.approx(2.0 + 0.65, abs=0.01)


# ---------------------------------------------------------------------------- matching


def gazetteer():
    rec = lambda gid, name, lat, lon, cc, pop: dict(geonameid=gid, name=name, latitude=lat, longitude=lon,  # noqa: E731
                                                   countrycode=cc, population=pop, timezone="UTC", admin1code="",
                                                   alternatenames=[])
    return Gazetteer.from_records([
        rec(1, "Colombo", 6.93, 79.85, "LK", 648_000), rec(2, "Colombo", -25.29, -49.22, "BR", 232_000),
        rec(3, "Heze", 35.23, 115.48, "CN", 1_000_000), rec(4, "Shanghai", 31.22, 121.46, "CN", 24_000_000),
        rec(5, "Vienna", 48.21, 16.37, "AT", 1_690_000), rec(6, "Budapest", 47.50, 19.04, "HU", 1_700_000),
        rec(7, "Gifu", 35.42, 136.76, "JP", 400_000), rec(8, "Altena", 51.30, 7.67, "DE", 17_000),
        rec(9, "Enschede", 52.22, 6.90, "NL", 158_000), rec(10, "Nogales", 31.31, -110.94, "MX", 220_000),
        rec(11, "Nogales", 31.34, -110.93, "US", 20_000),
    ], {"sri lanka": "LK", "brazil": "BR", "china": "CN", "austria": "AT", "hungary": "HU", "japan": "JP",
        "germany": "DE", "netherlands": "NL", "mexico": "MX", "united states": "US"}, {})


def hekman(rows):
    return pd.DataFrame(rows, columns=["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]).astype(str)


def test_a_wrong_country_does_not_cost_the_city_its_other_pairs():
    gaz = gazetteer()
    matcher = B.endpoint_matcher({}, gaz)
    hek = hekman([("Colombo", "Brazil", 6.9344, 79.8428, "Heze", "China", 35.2343, 115.4796),      # wrong country first
                  ("Shanghai", "China", 31.2286, 121.4747, "Colombo", "Sri Lanka", 6.9344, 79.8428)])
    pairs: dict = defaultdict(set)
    cities = EndpointCities(gaz)
    B.match_hekman(hek, matcher, pairs, cities)
    assert ("ep:CN:shanghai", "ep:LK:colombo") in pairs
    # the row naming Brazil sits at Colombo, Sri Lanka's coordinates: the coordinates decide
    assert ("ep:CN:heze", "ep:LK:colombo") in pairs
    assert any(k == "endpoint_country" and "Colombo, Brazil" in s for k, s, _ in cities.rejected)


def test_coordinates_at_a_named_place_decide_over_a_country_that_would_pass():
    # "Altena, Netherlands" at Altena, Germany: a Dutch city lies within 150 km, so the Dutch
    # reading would pass the country check; the German Altena at the coordinates decides
    gaz = gazetteer()
    hek = hekman([("Altena", "Netherlands", 51.3, 7.6667, "Heze", "China", 35.2343, 115.4796),
                  ("Altena", "Germany", 51.3, 7.6667, "Gifu", "Japan", 35.4232, 136.7608)])
    pairs: dict = defaultdict(set)
    cities = EndpointCities(gaz)
    B.match_hekman(hek, B.endpoint_matcher({}, gaz), pairs, cities)
    assert {k for k in cities.entries if "altena" in k} == {"ep:DE:altena"}
    assert ("ep:CN:heze", "ep:DE:altena") in pairs and ("ep:DE:altena", "ep:JP:gifu") in pairs


def test_a_wrong_country_takes_the_place_another_row_accepted_at_those_coordinates():
    # Saint-Valentin (France) is too small for GeoNames; the row calling it Canadian comes first
    rec = lambda gid, name, lat, lon, cc: dict(geonameid=gid, name=name, latitude=lat, longitude=lon,  # noqa: E731
                                               countrycode=cc, population=100_000, timezone="UTC", admin1code="",
                                               alternatenames=[])
    gaz = Gazetteer.from_records([rec(1, "Bourges", 47.08, 2.40, "FR"), rec(2, "Gifu", 35.42, 136.76, "JP"),
                                  rec(3, "Heze", 35.23, 115.48, "CN"), rec(4, "Montreal", 45.50, -73.57, "CA")],
                                 {"france": "FR", "japan": "JP", "china": "CN", "canada": "CA"}, {})
    hek = hekman([("Saint-Valentin", "Canada", 46.9765, 1.8656, "Gifu", "Japan", 35.4232, 136.7608),
                  ("Saint-Valentin", "France", 46.9765, 1.8656, "Heze", "China", 35.2343, 115.4796)])
    pairs: dict = defaultdict(set)
    cities = EndpointCities(gaz)
    B.match_hekman(hek, B.endpoint_matcher({}, gaz), pairs, cities)
    assert ("ep:FR:st valentin", "ep:JP:gifu") in pairs and ("ep:CN:heze", "ep:FR:st valentin") in pairs
    assert any(k == "endpoint_country" and "Saint-Valentin, Canada" in s for k, s, _ in cities.rejected)


def test_twin_towns_across_a_border_keep_their_countries():
    gaz = gazetteer()
    hek = hekman([("Nogales", "Mexico", 31.3086, -110.9422, "Nogales", "United States", 31.3404, -110.9343)])
    pairs: dict = defaultdict(set)
    B.match_hekman(hek, B.endpoint_matcher({}, gaz), pairs, EndpointCities(gaz))
    assert set(pairs) == {("ep:MX:nogales", "ep:US:nogales")}


def test_district_names_point_to_their_city():
    assert district_parent("Vienna 1 – Innere Stadt") == "Vienna"
    assert district_parent("Alsergrund (Vienna)") == "Vienna"
    assert district_parent("Budapest XIII (Budapest)") == "Budapest"
    assert district_parent("Stratford-upon-Avon") is None and district_parent("Wiener Neustadt") is None


def test_a_city_named_only_by_its_districts_joins_with_their_partners():
    gaz = gazetteer()
    matcher = B.endpoint_matcher({}, gaz)
    hek = hekman([("Vienna 1 – Innere Stadt", "Austria", 48.2108, 16.3566, "Budavár (Budapest)", "Hungary", 47.5049, 19.0303),
                  ("Vienna 12 – Meidling", "Austria", 48.1617, 16.3217, "Gifu", "Japan", 35.4232, 136.7608),
                  ("Budapest", "Hungary", 47.50, 19.04, "Gifu", "Japan", 35.42, 136.76)])
    pairs: dict = defaultdict(set)
    cities = EndpointCities(gaz)
    seen = B.match_hekman(hek, matcher, pairs, cities)
    report = B.Report()
    added = B.add_district_parents(seen, matcher, gaz, pairs, cities, report)
    vienna = "ep:AT:vienna"
    assert set(added) == {vienna} and cities.entries[vienna]["name"] == "Vienna"
    partners = {b if a == vienna else a for a, b in pairs if vienna in (a, b)}
    assert partners == {"ep:HU:budavar budapest", "ep:JP:gifu"}
    assert pairs[tuple(sorted((vienna, "ep:JP:gifu")))] == {B.DISTRICT_SOURCE}
    # the districts keep their own pairs; Budapest, which the list names itself, gets no parent entry
    assert ("ep:AT:vienna 12 meidling", "ep:JP:gifu") in pairs
    assert not any("Budapest" in s for k, s, _ in report.rows if k == "district_parent")


# ---------------------------------------------------------------------------- confidence


def test_confidence_grades_follow_the_worst_reason():
    tol = {"agree_c": 1.0, "tolerance_c": 2.5}
    f = pd.DataFrame({
        "check_c": [0.3, 1.8, 4.0, np.nan, 0.2, 0.2, np.nan],
        "gridded_km": [5.0, 5.0, 5.0, 5.0, 30.0, 60.0, np.nan],
        "climate_note": ["gridded", "gridded", "wikipedia", "wikipedia", "gridded", "gridded", "proxy: X, 40 km"],
        "data_source": ["gridded"] * 7,
        **{f"{v}_src": ["measured"] * 7 for v in C.INPUTS},
    })
    g = C.grade(f, tol)
    assert list(g["confidence_reason"]) == ["agree", "near_agree", "disagree", "unchecked", "far", "very_far", "proxy"]
    assert list(g["confidence"].astype(str)) == ["high", "medium", "low", "medium", "medium", "low", "low"]
    f.loc[0, "rhum_pct_src"] = "imputed"
    f.loc[1, "tmax_c_src"] = "imputed"
    g = C.grade(f, tol)
    assert (g.at[0, "confidence"], g.at[0, "confidence_reason"]) == ("medium", "imputed")
    assert (g.at[1, "confidence"], g.at[1, "confidence_reason"]) == ("low", "mostly_imputed")


# ---------------------------------------------------------------------------- builds without a climatology


def test_a_build_without_worldclim_takes_cru_and_one_without_both_has_no_gridded_values():
    assert G.choice({"worldclim", "cru"})["tmean_c"] == "worldclim"
    assert G.choice({"cru"})["tmean_c"] == "cru" and G.choice({"cru"})["rhum_pct"] == "cru"
    assert G.choice(set()) == {}
    p = G.Points("cru", np.array([45.0]), np.array([7.0]), np.array([200.0]),
                 {q: np.full((1, 12), 10.0) for q in G.PREFERENCE})
    s = G.sample_chosen({"cru": p}, [45.0], [7.0], [200.0])
    assert s.values["tmean_c"][0, 0] == 10.0 and s.distance_km[0] < 1
    none = G.sample_chosen({}, [45.0, 46.0], [7.0, 7.0], [200.0, 200.0])
    assert np.isnan(none.values["tmean_c"]).all() and np.isnan(none.distance_km).all()


def test_without_gridded_data_the_tables_check_each_other():
    n = 10
    lat, lon = np.linspace(48, 49, n), np.linspace(14, 15, n)
    tables = {i: cycle(8, 10) for i in range(n)}
    tables[9] = cycle(27, 1.5)
    N = table_frame(tables, lat, lon, np.full(n, 300.0))
    places = {i: f"T{i}" for i in range(n)}
    out, check = B.check_tables(N, places, {}, B.Report())
    assert 9 not in places and check.n_dropped == 1 and check.tolerances is A.FALLBACK
    assert not check.unlendable          # every kept table was checked by its neighbours
