"""The curated pairs (sources/curated_pairs.py and the build stage add_curated_pairs) and the
native-names stage (build_atlas.native_names), on small inline data: countries from the table's
columns, time zones from the gazetteer, names as a long table keyed by language."""

from collections import defaultdict

import pandas as pd
import pytest

from recommender.errors import AtlasError
from recommender.pipelines import build_atlas as B
from recommender.places.gazetteer import Gazetteer
from recommender.places.matching import EndpointCities
from recommender.sources import curated_pairs


def rec(gid, name, lat, lon, cc, pop, tz):
    return dict(geonameid=gid, name=name, latitude=lat, longitude=lon, countrycode=cc, population=pop,
                timezone=tz, admin1code="", alternatenames=[])


@pytest.fixture
def gaz():
    return Gazetteer.from_records([
        rec(1, "Karachi", 24.86, 67.01, "PK", 11_600_000, "Asia/Karachi"),
        rec(2, "Urumqi", 43.80, 87.60, "CN", 3_000_000, "Asia/Urumqi"),
        rec(3, "Kashgar", 39.47, 75.99, "CN", 500_000, "Asia/Kashgar"),
        rec(4, "Quetta", 30.19, 67.01, "PK", 1_000_000, "Asia/Karachi"),
    ], {"pakistan": "PK", "china": "CN"}, {})


TABLE = pd.DataFrame({
    "cn_city": ["Urumqi", "Kashgar", "Urumqi"], "cn_lat": ["43.80", "39.47", ""], "cn_lon": ["87.60", "75.99", ""],
    "pk_city": ["Karachi", "Smalltown", "Karachi"], "pk_lat": ["24.86", "30.30", ""], "pk_lon": ["67.01", "67.10", ""],
    "in_hekman": ["True", "False", "True"],
})


def test_the_table_names_its_countries_in_its_columns():
    cp = curated_pairs.parse(TABLE, "china_pakistan_pairs")
    assert cp.source == "china_pakistan_pairs" and cp.countries == ("CN", "PK")
    a, b = cp.pairs[0]
    assert (a.name, a.country, a.lat, a.lon) == ("Urumqi", "CN", 43.80, 87.60) and b.country == "PK"
    assert cp.pairs[2][0].lat is None                       # no coordinates in that row
    with pytest.raises(AtlasError, match="two ends"):
        curated_pairs.parse(TABLE.drop(columns=["pk_lat"]), "broken")


def test_curated_pairs_are_always_present_under_the_tables_label(gaz):
    cp = curated_pairs.parse(TABLE, "china_pakistan_pairs")
    pairs: dict = defaultdict(set)
    report = B.Report()
    extra = B.add_curated_pairs(cp, B.endpoint_matcher({}, gaz), gaz, pairs, report)
    # no atlas places: every end is an extra entry, from GeoNames where it lists the place
    assert set(extra) == {"geo:1", "geo:2", "geo:3", "custom:Smalltown"}
    assert extra["geo:2"]["timezone"] == "Asia/Urumqi" and extra["geo:2"]["country"] == "CN"
    # a place GeoNames does not list: the table's coordinates, the time zone of the nearest
    # GeoNames city of its country (Quetta, not Kashgar across the border)
    small = extra["custom:Smalltown"]
    assert (small["lat"], small["lon"], small["country"], small["timezone"]) == (30.30, 67.10, "PK", "Asia/Karachi")
    assert [k for k, _, _ in report.rows] == ["registry_note"]
    assert pairs == {("geo:1", "geo:2"): {"china_pakistan_pairs"}, ("custom:Smalltown", "geo:3"): {"china_pakistan_pairs"}}


def test_curated_ends_join_the_endpoint_cities(gaz):
    cp = curated_pairs.parse(TABLE.iloc[:1], "cpk")
    cities = EndpointCities(gaz)
    pairs: dict = defaultdict(set)
    extra = B.add_curated_pairs(cp, B.endpoint_matcher({}, gaz), gaz, pairs, B.Report(), cities)
    assert extra == {} and set(cities.entries) == {"ep:CN:urumqi", "ep:PK:karachi"}
    assert pairs == {("ep:CN:urumqi", "ep:PK:karachi"): {"cpk"}}


def test_country_timezone_without_a_city_of_that_country_is_empty(gaz):
    assert B.country_timezone(gaz.cities, "CN", 40.0, 76.0) == "Asia/Kashgar"
    assert B.country_timezone(gaz.cities, "IN", 20.0, 78.0) == ""


def test_native_names_are_a_long_table_in_the_declared_language_order():
    R = pd.DataFrame({"city_id": ["karachi", "urumqi", "urumqi-2", "lahore"],
                      "ascii_name": ["Karachi", "Urumqi", "Urumqi", "Lahore"], "country": ["PK", "CN", "CN", "PK"]})
    natives = pd.DataFrame({"ascii_name": ["Urumqi", "Karachi", "Lahore"], "country": ["CN", "PK", "PK"],
                            "name_ur": ["ارومچی", "کراچی", ""], "name_zh": ["乌鲁木齐", "卡拉奇", "拉合尔"]})
    names = B.native_names(R, natives, languages=("en", "zh", "ur"))
    assert list(names.columns) == ["city_id", "lang", "name", "source"]
    assert names[["city_id", "lang"]].values.tolist() == [
        ["karachi", "zh"], ["karachi", "ur"], ["lahore", "zh"], ["urumqi", "zh"], ["urumqi", "ur"],
        ["urumqi-2", "zh"], ["urumqi-2", "ur"]]           # every registry city of that ASCII name and country
    assert set(names["source"]) == {B.NATIVE_NAMES}
    with_source = natives.assign(source=["a survey", "", "an atlas"])
    got = B.native_names(R, with_source, languages=("zh", "ur")).set_index(["city_id", "lang"])["source"]
    assert got["urumqi", "ur"] == "a survey" and got["karachi", "zh"] == B.NATIVE_NAMES and got["lahore", "zh"] == "an atlas"


def test_native_names_default_to_the_products_languages():
    from recommender.present.i18n import LANGUAGES

    R = pd.DataFrame({"city_id": ["karachi"], "ascii_name": ["Karachi"], "country": ["PK"]})
    natives = pd.DataFrame({"ascii_name": ["Karachi"], "country": ["PK"], "name_ur": ["کراچی"], "name_zh": ["卡拉奇"],
                            "name_fa": ["کراچی"]})
    langs = B.native_names(R, natives)["lang"].tolist()
    declared = [x for x in LANGUAGES if x in ("zh", "ur")]
    assert langs == declared + ["fa"]                        # undeclared languages last


def test_cldr_exemplar_cities_fill_the_languages_the_curated_table_lacks():
    R = pd.DataFrame({"city_id": ["karachi", "karachi-2", "hyderabad"], "ascii_name": ["Karachi", "Karachi", "Hyderabad"],
                      "country": ["PK", "PK", "PK"], "timezone": ["Asia/Karachi", "Asia/Karachi", "Asia/Karachi"],
                      "population": ["14910352", "1000", "1386330"]})
    natives = pd.DataFrame({"ascii_name": ["Karachi"], "country": ["PK"], "name_zh": ["卡拉奇"]})
    names = B.native_names(R, natives, languages=("en", "ru", "ja", "zh"))
    got = {(c, lang): (n, s) for c, lang, n, s in names.itertuples(index=False)}
    assert got[("karachi", "zh")] == ("卡拉奇", B.NATIVE_NAMES)                  # the curated name wins
    assert got[("karachi", "ru")][0] == "Карачи" and got[("karachi", "ja")][0] == "カラチ"
    assert got[("karachi", "ru")][1].startswith("CLDR exemplar city (Babel ")
    assert not any(c in ("karachi-2", "hyderabad") and s != B.NATIVE_NAMES for (c, _l), (_n, s) in got.items())
    assert ("karachi", "en") not in got                                        # English is the registry's name
    assert not B._written_in("Karachi", B.CLDR_SCRIPTS["ru"]) and B._written_in("Карачи", B.CLDR_SCRIPTS["ru"])
