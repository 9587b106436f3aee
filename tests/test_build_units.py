"""The build's stages one by one, on a small world written inline (no ../shared needed):
geocoding with qualifiers and namesakes, the hemisphere check, value checks, endpoint matching,
pairs, ids, proxies and station context."""

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from recommender.pipelines import build_atlas as B
from recommender.places.gazetteer import Gazetteer
from recommender.places.matching import assign_ids


def rec(gid, name, lat, lon, cc, pop, admin1="", alts=()):
    return dict(geonameid=gid, name=name, latitude=lat, longitude=lon, countrycode=cc, population=pop,
                timezone="UTC", admin1code=admin1, alternatenames=list(alts))


@pytest.fixture
def gaz():
    return Gazetteer.from_records([
        rec(1, "Hyderabad", 17.38, 78.46, "IN", 6_800_000, "40"),
        rec(2, "Hyderabad", 25.39, 68.37, "PK", 1_400_000, "05"),
        rec(3, "Karachi", 24.86, 67.01, "PK", 11_600_000, "05", ["Karatschi", "کراچی"]),
        rec(4, "Urumqi", 43.80, 87.60, "CN", 3_000_000, "13", ["Ürümqi", "Wulumuqi"]),
        rec(5, "Springfield", 39.80, -89.64, "US", 116_000, "IL"),
        rec(6, "Springfield", 37.21, -93.29, "US", 160_000, "MO"),
        rec(7, "Gwadar", 25.12, 62.32, "PK", 51_000, "02"),
    ], {"pakistan": "PK", "china": "CN", "india": "IN", "united states": "US"}, {"illinois": "IL", "missouri": "MO"})


def table(peak_month: int, mean: float = 20.0, amp: float = 8.0, **extra):
    m = np.arange(1, 13)
    tmax = mean + 5 + amp * np.cos(2 * np.pi * (m - peak_month) / 12)
    out = {"tmax_c": tmax, "tmin_c": tmax - 10, "prcp_mm": np.full(12, 30.0), "wet_days": np.full(12, 4.0),
           "rhum_pct": np.full(12, 55.0), "sun_hours": np.full(12, 200.0)}
    out.update(extra)
    return out


@pytest.fixture
def climate():
    return {
        "Hyderabad": table(5), "Hyderabad, Sindh": table(6), "Karachi": table(6, rhum_pct=np.r_[120.0, np.full(11, 60.0)]),
        "Ürümqi": table(7, mean=5, amp=18), "Springfield": table(7), "Springfield, Missouri": table(7),
        "Gwadar": table(1), "Nowhere": table(7),
    }


def test_geocoding_stage_follows_the_rules(gaz, climate):
    report = B.Report()
    places = B.geocode_climate_table(gaz, climate, {}, report)
    G = gaz.cities
    got = {name: (G.at[r, "country"], G.at[r, "admin1"]) for r, name in places.items()}
    assert got == {"Hyderabad": ("IN", "40"), "Hyderabad, Sindh": ("PK", "05"), "Karachi": ("PK", "05"),
                   "Ürümqi": ("CN", "13"), "Springfield, Missouri": ("US", "MO")}
    kinds = {(k, s) for k, s, _ in report.rows}
    assert ("climate_unmatched", "Nowhere") in kinds and ("climate_unmatched", "Springfield") in kinds
    assert ("climate_rejected", "Gwadar") in kinds                  # warmest in January at 25 °N: wrong place
    assert ("climate_choice", "Hyderabad") in kinds                 # the most populous of two namesakes


def test_value_checks_remove_impossible_values_and_cities(gaz, climate):
    climate["Springfield, Missouri"]["tmin_c"] = climate["Springfield, Missouri"]["tmax_c"] + 3   # tmin above tmax
    report = B.Report()
    places = B.geocode_climate_table(gaz, climate, {}, report)
    N = B.climate_rows(places, climate, gaz.cities, {r: 10.0 for r in places})
    assert len(N) == 12 * len(places) and set(N["tmean_c_src"]) == {"derived"}
    N = B.drop_invalid(N, places, report)
    assert "Springfield, Missouri" not in places.values() and len(N) == 12 * len(places)
    karachi = N[N.geo_row == 2].set_index("month")
    assert np.isnan(karachi.at[1, "rhum_pct"]) and karachi.at[1, "rhum_pct_src"] == "missing"
    assert any(k == "value_removed" and s == "Karachi month 1" for k, s, _ in report.rows)
    assert any(k == "row_dropped" and s.startswith("Springfield, Missouri") for k, s, _ in report.rows)


def test_endpoints_join_by_name_and_distance_and_pairs_are_listed_once(gaz, climate):
    places = B.geocode_climate_table(gaz, climate, {}, B.Report())
    matcher = B.endpoint_matcher(places, gaz)
    hek = pd.DataFrame([
        ("Karachi", "Pakistan", "24.90", "67.05", "Ürümqi", "China", "43.82", "87.58"),
        ("Urumqi", "China", "43.80", "87.60", "Karatschi", "Pakistan", "24.86", "67.01"),   # the same pair again
        ("Hyderabad", "Pakistan", "25.39", "68.37", "Karachi", "Pakistan", "24.86", "67.01"),
        ("Karachi", "Nowhere", "0.0", "0.0", "Hyderabad", "India", "17.38", "78.46"),       # a far namesake
    ], columns=["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]).astype(str)
    pairs: dict = defaultdict(set)
    seen = B.match_hekman(hek, matcher, pairs)
    assert len(seen) == 8
    assert set(pairs) == {(2, 3), (1, 2)} and pairs[(2, 3)] == {"hekman"}   # geo rows: 1 Hyd PK, 2 Karachi, 3 Urumqi
    assert len(matcher.rejected) == 1 and "Karachi (0.000, 0.000)" in matcher.rejected[0][0]
    B.match_adjacency([["Karachi, Pakistan", "Urumqi, China", "Atlantis, Nowhere", ""]], matcher, gaz.country, pairs)
    assert pairs[(2, 3)] == {"hekman", "kaierikniermann"}
    ids = {1: "hyderabad-pk", 2: "karachi", 3: "urumqi"}
    t = B.pairs_table(pairs, ids)
    assert t.values.tolist() == [["hyderabad-pk", "karachi", "hekman"], ["karachi", "urumqi", "hekman;kaierikniermann"]]


def test_ids_are_stable_slugs_and_namesakes_get_their_country():
    assert assign_ids(["Hyderabad", "Hyderabad", "Ürümqi", "Hyderabad"], ["IN", "PK", "CN", "PK"],
                      [17.4, 25.4, 43.8, 30.1], [78.5, 68.4, 87.6, 70.2]) == \
        ["hyderabad", "hyderabad-pk", "urumqi", "hyderabad-pk-30-70"]


def test_proxies_and_registry_normals(gaz, climate):
    report = B.Report()
    places = B.geocode_climate_table(gaz, climate, {}, report)
    elevation = {r: 10.0 for r in places}
    N = B.climate_rows(places, climate, gaz.cities, elevation)
    N["period"] = "p"
    R = pd.DataFrame({"key": [2, "custom:Keamari", "custom:Far"], "city_id": ["karachi", "keamari", "far"],
                      "name": ["Karachi", "Keamari", "Far"], "lat": [24.86, 24.81, 10.0], "lon": [67.01, 66.98, 10.0],
                      "elevation_m": [10.0, 60.0, 0.0], "climate_note": ["wikipedia", "none", "none"]})
    proxy = B.assign_proxies(R, places, gaz.cities, elevation, report)
    assert proxy == {"keamari": 2} and R.at[1, "climate_note"].startswith("proxy: Karachi")
    assert any(k == "no_climate" and s == "Far" for k, s, _ in report.rows)
    normals = B.registry_normals(R, N, proxy)
    assert sorted(normals["city_id"].unique()) == ["karachi", "keamari"]
    k = normals[normals.city_id == "keamari"]
    assert set(k["tmax_c_src"]) == {"imputed"} and set(k["wind_kmh_src"]) == {"missing"}


def test_station_context():
    stations = pd.DataFrame({"id": ["A", "B", "C"], "lat": [24.9, 25.2, 40.0], "lon": [67.0, 67.0, 67.0],
                             "elevation": [20.0, 30.0, 900.0]})
    ids, elev, src = B.station_context(stations, [24.86, 39.0], [67.01, 67.0])
    assert ids == ["A;B", ""]
    assert elev[0] == 20.0 and src[0] == "station"        # A fits Karachi's terrain (a 26 m cell)
    assert src[1] == "terrain" and elev[1] > 500           # C is 111 km away: the terrain cell, never 0


def test_outputs_are_checked_before_the_work(tmp_path):
    f = tmp_path / "a-file"
    f.write_text("x")
    assert "is a file" in B.output_problem(f)
    assert B.output_problem(tmp_path / "new" / "folder") is None
    assert "is a file" in B.output_problem(f / "sub")
