"""Damaged copies of each data file, generated (hypothesis): whatever the damage — a cut, bytes
overwritten, a cell replaced by any text, a line repeated or dropped, a column gone — loading
either succeeds with valid data or raises AtlasError naming the file; never another exception
(which would reach a person as a traceback or "internal error")."""

import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO
from recommender import atlas
from recommender.climate import wetdays
from recommender.errors import AtlasError

CSV_FILES = ["cities.csv", "pairs.csv", "city_names.csv"]
ORIGINAL = {name: (REPO / "data" / name).read_bytes() for name in [*CSV_FILES, "normals.parquet", "build_info.json"]}
CELL_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "nan", "inf", "-1e309", "1e400", "=1+1",
                                                              "karachi", "NULL", "12,5", "\x00", "٣"]))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(REPO / "data", d)
    return d


def _load(d, name):
    """What reads `name`: the registry, the pairs, the names, or the whole atlas."""
    atlas.load_cities(d)
    if name == "pairs.csv":
        atlas.load_pairs(d)
    elif name == "city_names.csv":
        atlas.load_names(d)
    elif name == "normals.parquet":
        atlas.load_atlas(d, store_dir=d / "no-store")
    elif name == "build_info.json":        # the measured tolerances grade the atlas; the factor is told
        atlas.load_atlas(d, store_dir=d / "no-store")
        wetdays.recorded_factor(d)


def _holds(d, name, damaged: bytes):
    (d / name).write_bytes(damaged)
    try:
        _load(d, name)
    except AtlasError:
        pass                                   # a clear error naming the problem: fine
    finally:
        (d / name).write_bytes(ORIGINAL[name])


def _bytes_damage(draw, raw: bytes, kind: str, width: int) -> bytes:
    """The file cut anywhere, or up to `width` bytes overwritten with any bytes."""
    if kind == "cut":
        return raw[: draw(st.integers(0, len(raw)))]
    at = draw(st.integers(0, len(raw) - 1))
    return raw[:at] + draw(st.binary(min_size=1, max_size=width)) + raw[at + width:]


def _csv_damage(draw, raw: bytes) -> bytes:
    kind = draw(st.sampled_from(["cut", "overwrite", "cell", "repeat line", "drop line", "drop column"]))
    if kind in ("cut", "overwrite"):
        return _bytes_damage(draw, raw, kind, 16)
    lines = raw.decode("utf-8").splitlines(keepends=True)
    if kind in ("repeat line", "drop line"):
        i = draw(st.integers(1, len(lines) - 1))
        lines = lines[: i + 1] + [lines[i]] + lines[i + 1:] if kind == "repeat line" else lines[:i] + lines[i + 1:]
        return "".join(lines).encode()
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    col = draw(st.sampled_from(list(df.columns)))
    if kind == "drop column":
        return df.drop(columns=[col]).to_csv(index=False).encode()
    df.loc[draw(st.integers(0, len(df) - 1)), col] = draw(CELL_TEXT)
    return df.to_csv(index=False).encode()


@pytest.mark.parametrize("name", CSV_FILES)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(draw=st.data())
def test_a_damaged_csv_is_loaded_or_refused_clearly(data, name, draw):
    _holds(data, name, _csv_damage(draw.draw, ORIGINAL[name]))


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(draw=st.data())
def test_damaged_normals_are_loaded_or_refused_clearly(data, draw):
    kind = draw.draw(st.sampled_from(["cut", "overwrite", "cell", "month", "drop column"]))
    raw = ORIGINAL["normals.parquet"]
    if kind in ("cut", "overwrite"):
        damaged = _bytes_damage(draw.draw, raw, kind, 64)
    else:
        n = pd.read_parquet(io.BytesIO(raw))
        i = draw.draw(st.integers(0, len(n) - 1))
        if kind == "drop column":
            n = n.drop(columns=[draw.draw(st.sampled_from(list(n.columns)))])
        elif kind == "month":
            n["month"] = n["month"].astype(float)
            n.loc[i, "month"] = draw.draw(st.sampled_from([0.0, 13.0, 1.5, np.nan, -1.0, 1e9]))
        else:
            col = draw.draw(st.sampled_from(["tmax_c", "prcp_mm", "sun_hours", "wind_kmh"]))
            n[col] = n[col].map(lambda x: None if pd.isna(x) else f"{x:g}")
            n.loc[i, col] = draw.draw(CELL_TEXT)
        buf = io.BytesIO()
        n.to_parquet(buf, index=False)
        damaged = buf.getvalue()
    _holds(data, "normals.parquet", damaged)


JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                       st.text(max_size=8), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(draw=st.data())
def test_a_damaged_build_record_is_loaded_or_refused_clearly(data, draw):
    raw = ORIGINAL["build_info.json"]
    kind = draw.draw(st.sampled_from(["cut", "overwrite", "value", "drop"]))
    if kind in ("cut", "overwrite"):
        damaged = _bytes_damage(draw.draw, raw, kind, 8)
    else:
        info = json.loads(raw)
        where = draw.draw(st.sampled_from([("tolerances", "agree_c"), ("tolerances", "tolerance_c"),
                                           ("wet_days", "factor"), ("tolerances", None), ("wet_days", None)]))
        part, key = where
        table = info if key is None else info[part]           # the whole section, or one entry of it
        if kind == "value":
            table[key or part] = draw.draw(JSON_VALUE)
        else:
            del table[key or part]
        damaged = json.dumps(info).encode()
    _holds(data, "build_info.json", damaged)


def test_a_damaged_build_record_is_named_not_guessed(data):
    """A tolerance that is not a measured °C figure stops the load (a guess would grade every city);
    a record without the entry (an older build) uses the defaults."""
    info = json.loads(ORIGINAL["build_info.json"])
    try:
        info["tolerances"]["agree_c"] = "abc"
        (data / "build_info.json").write_text(json.dumps(info))
        with pytest.raises(AtlasError, match=r"build_info.json: tolerances.agree_c must be a number above 0 and at most 50, got 'abc'"):
            atlas.load_atlas(data, store_dir=data / "no-store")
        del info["tolerances"], info["wet_days"]
        (data / "build_info.json").write_text(json.dumps(info))
        assert wetdays.recorded_factor(data) == wetdays.DEFAULT_FACTOR
        atlas.load_atlas(data, store_dir=data / "no-store")
    finally:
        (data / "build_info.json").write_bytes(ORIGINAL["build_info.json"])


def test_a_table_cut_short_at_a_line_break_is_told_and_an_empty_one_refused(data):
    """A copy cut at a line break reads as valid, only smaller: build_info.json records the rows each
    table was written with, and fewer is a warning naming the file (more, a table extended by hand,
    is not). pairs.csv with its header only is an error."""
    original = ORIGINAL["pairs.csv"]
    lines = original.decode("utf-8").splitlines(keepends=True)
    try:
        assert atlas.table_warnings(data) == []
        (data / "pairs.csv").write_text("".join(lines[:10]), encoding="utf-8")
        (w,) = atlas.table_warnings(data)
        assert f"{data / 'pairs.csv'} has 9 rows but the build wrote {len(lines) - 1:,}" in w and "Restore it" in w
        (data / "pairs.csv").write_text(lines[0], encoding="utf-8")
        with pytest.raises(AtlasError, match="holds no pairs"):
            atlas.load_pairs(data)
        (data / "pairs.csv").write_bytes(original)
        extra = pd.read_csv(io.BytesIO(ORIGINAL["city_names.csv"]), dtype=str, keep_default_na=False)
        extra = pd.concat([extra, extra.iloc[:1].assign(lang="xx")])          # one more name than written
        (data / "city_names.csv").write_text(extra.to_csv(index=False), encoding="utf-8")
        assert atlas.table_warnings(data) == []
    finally:
        (data / "pairs.csv").write_bytes(original)
        (data / "city_names.csv").write_bytes(ORIGINAL["city_names.csv"])
