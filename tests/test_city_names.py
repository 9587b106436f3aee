"""atlas.load_names: the native-names table (city_id, lang, name, source), validated on load
against the registry; a damaged file is an AtlasError naming the file, line and column."""

import shutil

import pytest

from conftest import REPO
from recommender.atlas import NAME_COLUMNS, load_cities, load_names
from recommender.errors import AtlasError

DATA = REPO / "data"


def test_names_are_keyed_by_city_and_language():
    names = load_names()
    assert list(names.columns) == NAME_COLUMNS == ["city_id", "lang", "name", "source"]
    assert names["city_id"].isin(load_cities()["city_id"]).all()
    assert not names[["city_id", "lang"]].duplicated().any()
    by = names.set_index(["city_id", "lang"])["name"]
    assert by["urumqi", "zh"] == "乌鲁木齐" and by["karachi", "ur"] == "کراچی" and by["lahore", "zh"] == "拉合尔"
    assert ("chengdu", "ur") not in by.index          # a language without a name has no row
    from recommender.present.i18n import LANGUAGES

    order = {lang: k for k, lang in enumerate(LANGUAGES)}
    keys = [(c, order[lang]) for c, lang in zip(names["city_id"], names["lang"])]
    assert keys == sorted(keys)
    assert names["source"].map(lambda s: s == "curated/native_names.csv" or s.startswith("CLDR exemplar city (Babel ")).all()


def test_names_from_cldr_are_in_each_languages_own_script_and_a_hand_checked_sample_reads_right():
    import unicodedata

    names = load_names()
    by = names.set_index(["city_id", "lang"])["name"]
    # hand-checked (CLDR's exemplar cities); curated names win over CLDR's (Ürümqi's Urdu name)
    sample = {("karachi", "ru"): "Карачи", ("karachi", "ja"): "カラチ", ("karachi", "de"): "Karatschi",
              ("warsaw", "pl"): "Warszawa", ("warsaw", "de"): "Warschau", ("warsaw", "fr"): "Varsovie",
              ("tokyo", "ja"): "東京", ("tokyo", "zh"): "东京", ("moscow", "fr"): "Moscou", ("urumqi", "ru"): "Урумчи",
              ("urumqi", "ur"): "ارومچی", ("cairo", "pl"): "Kair", ("seoul", "es"): "Seúl"}
    assert {k: by.get(k) for k in sample} == sample
    scripts = {"ru": ("CYRILLIC",), "ja": ("CJK", "HIRAGANA", "KATAKANA"), "zh": ("CJK",), "ur": ("ARABIC",)}
    for (cid, lang), name in by.items():
        letters = [unicodedata.name(ch, "") for ch in name if ch.isalpha()]
        want = scripts.get(lang, ("LATIN",))
        assert letters and all(any(n.startswith(w) for w in want) for n in letters), (cid, lang, name)
        if lang == "ur":
            assert not set(name) & set("\u064a\u0643\u0629"), (cid, name)      # Arabic, not Urdu, letters
    counts = names.groupby("lang").size()
    assert all(counts.get(lang, 0) >= 200 for lang in ("ru", "ja", "zh", "ur")), counts.to_dict()


def _copy(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for f in ("cities.csv", "city_names.csv"):
        shutil.copy(DATA / f, d / f)
    return d


@pytest.mark.parametrize("line, match", [
    ("nowhere,zh,某地,curated", r"city_names\.csv line \d+ column city_id names the unknown city 'nowhere'"),
    ("karachi,,卡拉奇,curated", r"city_names\.csv line \d+ column lang is empty"),
    ("karachi,fa,,curated", r"city_names\.csv line \d+ column name is empty"),
    (",zh,某地,curated", r"city_names\.csv line \d+ column city_id is empty"),
    ("karachi,zh,卡拉奇,curated", r"city_names\.csv line \d+ repeats the 'zh' name of city 'karachi'"),
])
def test_a_damaged_names_file_names_file_line_and_column(tmp_path, line, match):
    d = _copy(tmp_path)
    with open(d / "city_names.csv", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    with pytest.raises(AtlasError, match=match):
        load_names(d)


def test_missing_columns_or_file(tmp_path):
    d = _copy(tmp_path)
    (d / "city_names.csv").write_text("city_id,name\nkarachi,x\n", encoding="utf-8")
    with pytest.raises(AtlasError, match="lacks the columns lang, source"):
        load_names(d)
    (d / "city_names.csv").unlink()
    with pytest.raises(AtlasError, match="Missing data file"):
        load_names(d)


def test_names_are_cached_and_reread_when_the_file_changes(tmp_path):
    import os

    d = _copy(tmp_path)
    first = load_names(d)
    first.loc[0, "name"] = "changed by the caller"
    assert load_names(d).loc[0, "name"] != "changed by the caller"    # a copy each time
    with open(d / "city_names.csv", "a", encoding="utf-8") as fh:
        fh.write("karachi,fa,کراچی,a test\n")
    st = os.stat(d / "city_names.csv")
    os.utime(d / "city_names.csv", (st.st_atime, st.st_mtime + 5))
    assert len(load_names(d)) == len(first) + 1
