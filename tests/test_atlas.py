"""The embedded atlas and registry: contents, validation on load, the loader's error paths."""

import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import REPO, SHARED
from recommender import AtlasError, UnknownCityError, load_atlas, load_cities, load_pairs, resolve_city
from recommender.atlas import load_names
from recommender.climate.variables import VARIABLES

DATA = REPO / "data"


def test_registry_size_and_columns():
    cities = load_cities()
    pairs = load_pairs()
    assert len(cities) >= 1000
    assert len(pairs) >= 2000
    for col in ["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "timezone",
                "station_ids"]:
        assert col in cities.columns
    assert cities["city_id"].is_unique
    assert cities["city_id"].str.fullmatch(r"[a-z0-9-]+").all()
    assert cities["country"].str.fullmatch(r"[A-Z]{2}").all()
    # every pair once, both ends in the registry, no self-pairs
    assert not pairs[["city_a", "city_b"]].duplicated().any()
    assert (pairs["city_a"] < pairs["city_b"]).all()
    assert pairs["city_a"].isin(cities["city_id"]).all() and pairs["city_b"].isin(cities["city_id"]).all()


def test_names_as_people_write_them():
    c = load_cities().set_index("city_id")
    assert c.at["urumqi", "name"] == "Ürümqi"
    assert c.at["urumqi", "ascii_name"] == "Urumqi"
    names = load_names().set_index(["city_id", "lang"])["name"]
    assert names["urumqi", "zh"] == "乌鲁木齐"
    assert names["karachi", "ur"] == "کراچی"
    assert c.at["karachi", "timezone"] == "Asia/Karachi"
    assert "41780" in c.at["karachi", "station_ids"].split(";")
    assert "51463" in c.at["urumqi", "station_ids"].split(";")
    # the climate table's "Hyderabad" is the Indian city, not Hyderabad, Sindh
    assert c.at["hyderabad", "country"] == "IN"


CPK_EXPECTED = {
    ("kashgar", "abbottabad"), ("qingdao", "faisalabad"), ("puyang", "gwadar"), ("zhuhai", "gwadar-district"),
    ("beijing", "islamabad"), ("haikou", "islamabad"), ("tianjin", "islamabad"), ("shanghai", "karachi"),
    ("shenyang", "karachi"), ("tianjin", "karachi"), ("urumqi", "karachi"), ("chengdu", "lahore"),
    ("haikou", "lahore"), ("jining", "lahore"), ("tianjin", "lahore"), ("xi-an", "lahore"),
    ("shihezi", "multan"), ("xi-an", "multan"), ("urumqi", "peshawar"),
}


def test_all_china_pakistan_pairs_present():
    pairs = load_pairs()
    have = {frozenset(p) for p in zip(pairs["city_a"], pairs["city_b"])}
    assert {frozenset(p) for p in CPK_EXPECTED} <= have
    cpk = pairs[pairs["source"].str.contains("china_pakistan_pairs")]
    assert len(cpk) == 19
    if (SHARED / "sister_cities" / "china_pakistan_pairs.csv").exists():
        src = pd.read_csv(SHARED / "sister_cities" / "china_pakistan_pairs.csv")
        assert len(src) == 19


def test_atlas_is_valid_and_complete_for_the_story(atlas):
    assert atlas.groupby("city_id")["month"].apply(lambda m: sorted(m) == list(range(1, 13))).all()
    for city in ("urumqi", "karachi"):
        rows = atlas[atlas.city_id == city]
        for v in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "rhum_pct", "sun_hours", "cloud_pct"):
            assert rows[v].notna().all(), (city, v)
            assert rows[f"{v}_src"].isin(["measured", "derived", "gridded"]).all()
    k = atlas[atlas.city_id == "karachi"].set_index("month")
    u = atlas[atlas.city_id == "urumqi"].set_index("month")
    assert k.at[1, "tmax_c"] > 25 and u.at[1, "tmax_c"] < -5    # pleasant vs bitterly cold January
    assert k.at[7, "rhum_pct"] > 60 and k.at[7, "rhum_pct_src"] == "gridded"  # humid Karachi summer
    assert (k["rhum_pct_src"] == "gridded").all()  # Wikipedia has no humidity for Karachi: CRU's, not a model's
    assert (k["wind_kmh_src"] == "gridded").all() and (k["tmax_c_src"] == "measured").all()
    g = atlas[atlas.city_id == "gwadar"]      # no station table: the gridded climatology at its coordinates
    assert len(g) == 12 and (g["tmax_c_src"] == "gridded").all() and (g["data_source"] == "gridded").all()


def test_provenance_agrees_with_values(atlas):
    for v in VARIABLES:
        assert ((atlas[f"{v}_src"] == "missing") == atlas[v].isna()).all()
    assert set(atlas["wind_kmh_src"].unique()) <= {"gridded", "imputed", "missing"}  # no table has wind
    assert (atlas["wind_kmh_src"] == "gridded").mean() > 0.95
    assert (atlas["tmin_c"] <= atlas["tmean_c"] + 0.05).all() and (atlas["tmean_c"] <= atlas["tmax_c"] + 0.05).all()


def test_cities_without_climate_stay_in_registry_flagged():
    c = load_cities().set_index("city_id")
    assert not c.at["aljezur", "has_climate"] and c.at["aljezur", "climate_note"] == "none"
    assert np.isnan(c.at["aljezur", "gridded_km"])      # no gridded point within the rule's distance
    assert "aljezur" not in set(load_atlas()["city_id"])


def test_the_whole_registry_is_served():
    cities, pairs = load_cities(), load_pairs()
    assert len(cities) >= 15_000
    ok = set(cities.loc[cities["has_climate"], "city_id"])
    served = pairs["city_a"].isin(ok) & pairs["city_b"].isin(ok)
    assert served.mean() >= 0.85
    for cid in ("paris", "berlin", "prague", "lyon", "dresden", "graz", "bergen", "vienna-1-innere-stadt"):
        assert cid in ok, cid


def test_load_atlas_is_fast_enough_to_call_freely():
    import time

    load_atlas()
    t = time.perf_counter()
    load_atlas()
    assert time.perf_counter() - t < 1.0  # cached: a repeated call is a copy, not a re-read


def test_resolve_city_accepts_ids_names_and_ascii():
    assert resolve_city("urumqi") == "urumqi"
    assert resolve_city("Ürümqi") == "urumqi"
    assert resolve_city("URUMQI") == "urumqi"
    assert resolve_city(" Karachi ") == "karachi"
    with pytest.raises(UnknownCityError) as e:
        resolve_city("Karachy")
    assert "karachi" in str(e.value)
    with pytest.raises(UnknownCityError):
        resolve_city("Atlantis")


def test_ambiguous_names_list_the_candidates():
    with pytest.raises(UnknownCityError) as e:
        resolve_city("San José")
    assert e.value.ambiguous
    assert "san-jose (San Jose, US)" in str(e.value) and "san-jose-cr (San José, CR)" in str(e.value)
    assert resolve_city("san-jose-cr") == "san-jose-cr"   # the id is always exact


def _copy_data(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(DATA, d, ignore=shutil.ignore_patterns("build_report.csv"))
    return d


def _normals(d):
    return pd.read_parquet(d / "normals.parquet")


def test_loader_names_city_month_and_column_of_a_bad_value(tmp_path):
    d = _copy_data(tmp_path)
    n = _normals(d)
    i = n.index[(n.city_id == "karachi") & (n.month == 3)][0]
    n.at[i, "rhum_pct"] = 140.0
    n.to_parquet(d / "normals.parquet", index=False)
    with pytest.raises(AtlasError, match=r"karachi.*month 3.*rhum_pct"):
        load_atlas(data_dir=d, store_dir=tmp_path / "store")


def test_loader_rejects_a_missing_month(tmp_path):
    d = _copy_data(tmp_path)
    n = _normals(d)
    n[~((n.city_id == "urumqi") & (n.month == 7))].to_parquet(d / "normals.parquet", index=False)
    with pytest.raises(AtlasError, match=r"urumqi.*11 monthly rows"):
        load_atlas(data_dir=d, store_dir=tmp_path / "store")


def test_loader_reports_malformed_files_and_missing_columns(tmp_path):
    d = _copy_data(tmp_path)
    (d / "normals.parquet").write_bytes(b"PAR1 torn")
    with pytest.raises(AtlasError, match="Cannot read"):
        load_atlas(data_dir=d, store_dir=tmp_path / "store")
    _normals(DATA).drop(columns=["sun_hours"]).to_parquet(d / "normals.parquet", index=False)
    with pytest.raises(AtlasError, match="sun_hours"):
        load_atlas(data_dir=d, store_dir=tmp_path / "store")
    (d / "cities.csv").write_bytes(b"city_id,name\n\"unclosed,1\n")
    with pytest.raises(AtlasError):
        load_atlas(data_dir=d, store_dir=tmp_path / "store")


def _store_rows(city="karachi", month_tmax=None):
    n = _normals(DATA)
    rows = n[n.city_id == city].copy()
    rows["tmax_c"] = rows["tmax_c"] + 1.0 if month_tmax is None else month_tmax
    rows["period"] = "2019-2020"
    return rows


def test_refreshed_store_overrides_embedded_rows(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    rows = _store_rows()
    rows.to_parquet(store / "normals.parquet", index=False)
    a = load_atlas(store_dir=store)
    k = a[a.city_id == "karachi"]
    assert (k["data_source"] == "meteostat").all() and (k["period"] == "2019-2020").all()
    assert np.allclose(k["tmax_c"].to_numpy(), rows["tmax_c"].to_numpy())
    assert (a[a.city_id == "urumqi"]["data_source"] == "wikipedia").all()


def test_corrupted_store_is_skipped_with_a_warning(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "normals.parquet").write_bytes(b"PAR1 this is not parquet")
    a = load_atlas(store_dir=store)
    assert set(a["data_source"]) == {"wikipedia", "gridded"}
    assert any("unreadable" in w for w in a.attrs["warnings"])
    assert (store / "normals.parquet").read_bytes() == b"PAR1 this is not parquet"  # not touched
