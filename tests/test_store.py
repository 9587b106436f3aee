"""The refreshed store (recommender/storage.py): SQLite in WAL mode, one row per city.

Pins: values and provenance read back as written; each city is one transaction, so kill -9 at
any moment leaves a valid store; writers in several processes lose nothing; a reader during
writes sees only whole cities; one damaged entry or page costs only its cities, named; the
per-city files of the previous release migrate on first use; nothing that the product did not
write is ever deleted.
"""

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.atlas import load_atlas
from recommender.climate.variables import NORMALS_COLUMNS, PROVENANCE, SRC_COLUMNS, VARIABLES
from recommender.errors import RecommenderError
from recommender.storage import NormalsStore, atomic_write_text, remove_orphans

REPO = Path(__file__).resolve().parents[1]
EMBEDDED = pd.read_parquet(REPO / "data" / "normals.parquet")
IDS = sorted(EMBEDDED["city_id"].unique())


def city(cid: str, shift: float = 0.0) -> pd.DataFrame:
    """The embedded 12 rows of a city, tmax/tmean/tmin shifted by `shift` °C, as a refresh writes them."""
    rows = EMBEDDED[EMBEDDED.city_id == cid].sort_values("month").copy()
    for c in ("tmax_c", "tmean_c", "tmin_c"):
        rows[c] = rows[c] + shift
    rows["period"] = "1991-2020"
    return rows[NORMALS_COLUMNS].reset_index(drop=True)


def read(home):
    return NormalsStore(home).read(NORMALS_COLUMNS)


def test_values_and_provenance_read_back_as_written(tmp_path):
    k = city("karachi", 0.5)
    k.loc[3, "sun_hours"] = np.nan
    k["sun_hours_src"] = k["sun_hours_src"].astype(object)
    k.loc[3, "sun_hours_src"] = "missing"
    NormalsStore(tmp_path).write_cities([("karachi", k), ("urumqi", city("urumqi"))])
    df, warnings = read(tmp_path)
    assert warnings == [] and sorted(df.city_id.unique()) == ["karachi", "urumqi"] and len(df) == 24
    back = df[df.city_id == "karachi"].reset_index(drop=True)
    assert back["month"].tolist() == list(range(1, 13))
    np.testing.assert_array_equal(back[VARIABLES].to_numpy(float), k[VARIABLES].to_numpy(float))
    for c in SRC_COLUMNS:
        assert back[c].astype(str).tolist() == k[c].astype(str).tolist(), c
    assert back.loc[3, "sun_hours_src"] == "missing" and np.isnan(back.loc[3, "sun_hours"])
    assert list(back[SRC_COLUMNS[0]].cat.categories) == list(PROVENANCE)
    assert (back["period"] == "1991-2020").all()


def test_a_rewrite_replaces_the_city_and_changes_the_version(tmp_path):
    store = NormalsStore(tmp_path)
    assert store.version() == (None, None)          # empty
    store.write_city(city("karachi"), "karachi")
    v1 = store.version()
    store.write_city(city("karachi", 1.0), "karachi")
    v2 = store.version()
    assert v1 != v2 and None not in v1[:1]
    df, _ = read(tmp_path)
    assert len(df) == 12 and np.allclose(df["tmax_c"], city("karachi", 1.0)["tmax_c"])


def test_a_frame_that_is_not_twelve_months_is_refused(tmp_path):
    with pytest.raises(ValueError, match="months 1–12"):
        NormalsStore(tmp_path).write_city(city("karachi").iloc[:11], "karachi")
    with pytest.raises(ValueError, match="not a city id"):
        NormalsStore(tmp_path).write_city(city("karachi"), "../etc")


def test_a_damaged_entry_costs_only_its_city_named(tmp_path):
    store = NormalsStore(tmp_path)
    store.write_cities([(c, city(c)) for c in ("karachi", "lahore", "urumqi")])
    with sqlite3.connect(store.db) as db:   # a flipped value: the checksum no longer matches
        db.execute("UPDATE cities SET v = CAST(zeroblob(length(v)) AS BLOB) WHERE city_id = 'lahore'")
    df, warnings = read(tmp_path)
    assert sorted(df.city_id.unique()) == ["karachi", "urumqi"]
    assert len(warnings) == 1 and "'lahore' ignored, the other cities kept" in warnings[0]


def test_a_damaged_page_costs_only_the_cities_on_it(tmp_path):
    store = NormalsStore(tmp_path)
    ids = IDS[:300]
    store.write_cities([(c, city(c)) for c in ids])
    with sqlite3.connect(store.db) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    with open(store.db, "r+b") as f:        # garbage over one page in the middle of the table
        f.seek(page * (pages // 2))
        f.write(os.urandom(page))
    df, warnings = read(tmp_path)
    got = set(df.city_id.unique()) if df is not None else set()
    assert len(got) >= len(ids) - 20, len(got)          # a page holds a few cities, not all of them
    assert warnings and all("ignored" in w or "damaged" in w for w in warnings)
    lost = set(ids) - got
    assert all(any(f"'{c}'" in w for w in warnings) for c in lost) or any("others lost" in w for w in warnings)


@pytest.mark.parametrize("damage", ["folder", "garbage", "empty"])
def test_a_database_that_is_not_one_is_a_warning_and_a_clear_write_error(tmp_path, damage):
    store = NormalsStore(tmp_path)
    store.folder.mkdir(parents=True)
    if damage == "folder":
        store.db.mkdir()
    elif damage == "garbage":
        store.db.write_bytes(b"this is not a database" * 1000)
    else:
        store.db.write_bytes(b"")
    df, warnings = read(tmp_path)
    assert df is None
    if damage != "empty":                    # an empty file is an empty database to SQLite
        assert len(warnings) == 1 and str(store.db) in warnings[0]
        with pytest.raises(RecommenderError, match="Cannot write"):
            store.write_city(city("karachi"), "karachi")
    a = load_atlas(store_dir=tmp_path)          # the atlas still loads on the embedded data
    assert "meteostat" not in set(a["data_source"])


def test_the_per_city_files_of_the_previous_release_migrate_on_first_use(tmp_path):
    store = NormalsStore(tmp_path)
    store.folder.mkdir(parents=True)
    city("karachi", 2.0).to_parquet(store.folder / "karachi.parquet", index=False)
    city("lahore").to_parquet(store.folder / "lahore.parquet", index=False)
    (store.folder / "urumqi.parquet").write_bytes(b"PAR1 torn")               # damaged: kept, warned
    (store.folder / "Notes.parquet").write_bytes(b"a user's file")            # not a city id: never touched
    store.write_city(city("lahore", 5.0), "lahore")                           # the database's copy is newer
    city("lahore").to_parquet(store.folder / "lahore.parquet", index=False)   # (a stale legacy copy)
    df, warnings = read(tmp_path)
    assert sorted(df.city_id.unique()) == ["karachi", "lahore"]
    assert np.allclose(df[df.city_id == "lahore"]["tmax_c"], city("lahore", 5.0)["tmax_c"])
    assert np.allclose(df[df.city_id == "karachi"]["tmax_c"], city("karachi", 2.0)["tmax_c"])
    assert len(warnings) == 1 and "'urumqi'" in warnings[0]
    left = sorted(p.name for p in store.folder.iterdir() if p.suffix == ".parquet")
    assert left == ["Notes.parquet", "urumqi.parquet"]
    df2, warnings2 = read(tmp_path)                                           # the second read: same answer
    assert df2.equals(df) and warnings2 == warnings


def test_the_single_file_of_the_first_release_migrates_and_stays(tmp_path):
    legacy = tmp_path / "normals.parquet"
    pd.concat([city("karachi"), city("urumqi")]).to_parquet(legacy, index=False)
    before = legacy.read_bytes()
    df, warnings = read(tmp_path)
    assert warnings == [] and sorted(df.city_id.unique()) == ["karachi", "urumqi"]
    assert legacy.read_bytes() == before
    with sqlite3.connect(NormalsStore(tmp_path).db) as db:
        assert db.execute("SELECT count(*) FROM cities").fetchone()[0] == 2


_WRITER = """
import sys, pandas as pd
from recommender.storage import NormalsStore
from recommender.climate.variables import NORMALS_COLUMNS
home, ids, rounds = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3])
n = pd.read_parquet(sys.argv[4])
frames = {c: n[n.city_id == c].sort_values('month').assign(period='1991-2020')[NORMALS_COLUMNS] for c in ids}
print('ready', flush=True)
for r in range(rounds):
    NormalsStore(home).write_cities((c, f.assign(tmax_c=f.tmax_c + r * 0.001)) for c, f in frames.items())
"""


def _writer(home, ids, rounds=1):
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(home), ",".join(ids), str(rounds),
                             str(REPO / "data" / "normals.parquet")], cwd=REPO, stdout=subprocess.PIPE, text=True)


def _whole(df) -> bool:
    """Every city has months 1–12 once, and its 12 rows come from one write (one shift)."""
    if df is None:
        return True
    counts = df.groupby("city_id")["month"].agg(["count", "nunique"])
    return bool((counts == 12).all().all())


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_a_valid_store(tmp_path):
    rng = random.Random(21)
    ids = IDS[:400]
    for trial in range(5):
        w = _writer(tmp_path, ids, rounds=50)
        assert w.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.6))
        w.kill()
        w.wait()
        with sqlite3.connect(NormalsStore(tmp_path).db) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        df, warnings = read(tmp_path)
        assert warnings == [] and _whole(df), trial
    assert df is not None and len(df) > 0


@pytest.mark.slow
def test_writers_in_several_processes_lose_nothing(tmp_path):
    groups = [IDS[i * 60:(i + 1) * 60] for i in range(4)]
    procs = [_writer(tmp_path, g, rounds=2) for g in groups]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    df, warnings = read(tmp_path)
    assert warnings == [] and sorted(df.city_id.unique()) == sorted(sum(groups, []))
    assert _whole(df)


@pytest.mark.slow
def test_a_reader_during_writes_sees_only_whole_cities(tmp_path):
    ids = IDS[:300]
    NormalsStore(tmp_path).write_city(city(ids[0]), ids[0])
    w = _writer(tmp_path, ids, rounds=3)
    assert w.stdout.readline().strip() == "ready"
    seen = []
    while w.poll() is None:
        df, warnings = read(tmp_path)
        assert warnings == [] and _whole(df)
        seen.append(df.city_id.nunique())
    assert w.returncode == 0 and seen == sorted(seen) and len(seen) >= 2


def test_orphans_only_the_products_own_temporaries_of_dead_writers_go(tmp_path):
    dead = 2 ** 22 + 12345                      # above the default pid_max: no such process
    ours = tmp_path / f".karachi.parquet.recommender-{dead}-abcd1234.tmp"
    live = tmp_path / f".karachi.parquet.recommender-{os.getppid()}-abcd1234.tmp"
    foreign = tmp_path / f".notes.txt.{dead}.abcdefgh.tmp"          # a person's editor autosave
    elsewhere = tmp_path / "elsewhere.txt"
    link = tmp_path / f".x.recommender-{dead}-zz.tmp"               # a link is never followed or removed
    for p in (ours, live, foreign, elsewhere):
        p.write_text("keep me")
    link.symlink_to(elsewhere)
    assert remove_orphans(tmp_path) == [ours]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (live, foreign, elsewhere, link))
    atomic_write_text(tmp_path / "report.txt", "new")                    # writing never deletes a foreign file
    assert foreign.read_text() == "keep me" and elsewhere.read_text() == "keep me"


def test_a_killed_atomic_write_leaves_an_orphan_the_next_write_removes(tmp_path):
    code = ("import time, sys; from pathlib import Path; from recommender.storage import atomic_write;"
            "atomic_write(Path(sys.argv[1]), lambda p: (p.write_bytes(b'x' * 1000), print('writing', flush=True), "
            "time.sleep(60)))")
    w = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "report.csv")], cwd=REPO,
                         stdout=subprocess.PIPE, text=True)
    assert w.stdout.readline().strip() == "writing"
    w.kill()
    w.wait()
    assert [p.name for p in tmp_path.iterdir() if ".recommender-" in p.name]
    atomic_write_text(tmp_path / "report.csv", "a,b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_the_cli_names_a_refreshed_city_it_left_out(tmp_path):
    """A refreshed city that fails validation, and a damaged entry: each a `warning:` line in the
    CLI (as a note on the page), the answer still given on the rest."""
    bad = city("karachi")
    bad.loc[6, "tmax_c"] = 99.0                       # beyond the physical range
    store = NormalsStore(tmp_path)
    store.write_cities([("karachi", bad), ("lahore", city("lahore")), ("urumqi", city("urumqi", 0.5))])
    with sqlite3.connect(store.db) as db:
        db.execute("UPDATE cities SET crc = crc + 1 WHERE city_id = 'lahore'")
    env = {**os.environ, "RECOMMENDER_HOME": str(tmp_path), "RECOMMENDER_CACHE": str(tmp_path / "cache")}
    p = subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", "urumqi", "--month", "7"],
                       capture_output=True, text=True, cwd=REPO, env=env)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    warnings = [line for line in p.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, p.stderr
    assert any("City 'karachi', month 7, column tmax_c" in w and "ignored" in w for w in warnings)
    assert any("'lahore' ignored, the other cities kept" in w for w in warnings)
    assert not any(str(REPO) in w for w in warnings)


def test_an_entry_of_another_layout_is_read_by_variable_name(tmp_path):
    """A city written when the variables were fewer and in another order (wind_kmh not yet
    declared): its values map by name, the new variable reads as missing."""
    import zlib

    store = NormalsStore(tmp_path)
    store.write_city(city("urumqi"), "urumqi")
    k = city("karachi")
    old = [v for v in reversed(VARIABLES) if v != "wind_kmh"]
    v = k[old].to_numpy("<f8").tobytes()
    codes = np.stack([pd.Categorical(k[f"{x}_src"], categories=list(PROVENANCE)).codes for x in old], 1)
    s = codes.astype(np.uint8).tobytes()
    with sqlite3.connect(store.db) as db:
        db.execute("INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ("karachi", "1991-2020", ",".join(old) + ";" + ",".join(PROVENANCE), v, s, zlib.crc32(v + s), 0.0))
    df, warnings = read(tmp_path)
    assert warnings == [] and sorted(df.city_id.unique()) == ["karachi", "urumqi"]
    back = df[df.city_id == "karachi"].reset_index(drop=True)
    np.testing.assert_array_equal(back[old].to_numpy(float), k[old].to_numpy(float))
    assert back["wind_kmh"].isna().all() and (back["wind_kmh_src"] == "missing").all()


def test_a_store_of_another_schema_is_read_with_a_warning_naming_it(tmp_path):
    store = NormalsStore(tmp_path)
    store.write_city(city("urumqi"), "urumqi")
    with sqlite3.connect(store.db) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    df, warnings = read(tmp_path)
    assert sorted(df.city_id.unique()) == ["urumqi"]
    assert len(warnings) == 1 and "schema '999'; this one writes '1'" in warnings[0] and str(store.db) in warnings[0]


def test_the_page_names_a_refreshed_city_it_left_out(tmp_path, monkeypatch):
    """The same warning on the page as in the CLI: a damaged entry named, the page still answers."""
    from streamlit.testing.v1 import AppTest

    store = NormalsStore(tmp_path)
    store.write_cities([("lahore", city("lahore")), ("urumqi", city("urumqi", 0.5))])
    with sqlite3.connect(store.db) as db:
        db.execute("UPDATE cities SET crc = crc + 1 WHERE city_id = 'lahore'")
    monkeypatch.setenv("RECOMMENDER_HOME", str(tmp_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    notes = [w.value for w in at.warning]
    assert any("'lahore' ignored, the other cities kept" in n for n in notes), notes
    assert not any(str(tmp_path) in n for n in notes)            # no server path on the page
    assert at.subheader and "Ürümqi" in at.subheader[0].value
