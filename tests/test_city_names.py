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
    order = {"zh": 0, "ur": 1}
    keys = [(c, order[lang]) for c, lang in zip(names["city_id"], names["lang"])]
    assert keys == sorted(keys)
    assert (names["source"] == "curated/native_names.csv").all()


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
