"""The prepared scored atlas (recommender/prepared.py): keyed by the data, the store and the code;
a damaged file is rebuilt, never an error; only its own files are ever removed."""

import os
import pickle
import time

import pandas as pd
import pytest

from recommender import prepared
from recommender.storage import NormalsStore
from recommender.comfort.indices import ComfortIndex, index_for


def data_dir(tmp_path, **sizes):
    d = tmp_path / "data"
    d.mkdir(exist_ok=True)
    for name in ("cities.csv", "normals.parquet", "pairs.csv", "city_names.csv", "build_info.json"):
        (d / name).write_bytes(b"x" * sizes.get(name.replace(".", "_"), 1))
    return d


def test_the_key_follows_the_data_files_and_the_stores_contents(tmp_path):
    d = data_dir(tmp_path)
    empty_a, empty_b = tmp_path / "store-a", tmp_path / "store-b"
    k = prepared.key(d, empty_a)
    assert k == prepared.key(d, empty_b)                      # an empty store is the same wherever it is
    (d / "pairs.csv").write_bytes(b"xy")                       # a data file changed
    assert prepared.key(d, empty_a) != k
    k2 = prepared.key(d, empty_a)
    karachi = pd.read_parquet(prepared.PACKAGE.parent / "data" / "normals.parquet").query("city_id == 'karachi'")
    NormalsStore(empty_a).write_city(karachi, "karachi")          # the store now holds a city
    k3 = prepared.key(d, empty_a)
    assert k3 != k2 and k3 != prepared.key(d, empty_b)
    NormalsStore(empty_a).write_city(karachi.assign(tmax_c=karachi["tmax_c"] + 0.1), "karachi")   # and again
    assert prepared.key(d, empty_a) not in (k2, k3)


def test_a_written_file_reads_back_and_a_damaged_one_is_a_miss(tmp_path):
    path = tmp_path / ("k" + prepared.SUFFIX)
    prepared._write(path, {"scores": [1, 2, 3]})
    assert prepared._read(path) == {"scores": [1, 2, 3]}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]      # nothing half-written left
    path.write_bytes(path.read_bytes()[:20])                   # truncated
    assert prepared._read(path) is None
    path.write_bytes(b"not a pickle at all")
    assert prepared._read(path) is None
    assert prepared._read(tmp_path / "absent.recommender.pickle") is None


def test_only_the_newest_files_of_its_own_are_kept(tmp_path):
    mine = []
    for k in range(prepared.KEEP + 2):
        p = tmp_path / f"{k}{prepared.SUFFIX}"
        p.write_bytes(pickle.dumps(k))
        os.utime(p, (time.time() + k, time.time() + k))
        mine.append(p)
    other = tmp_path / "notes.txt"
    other.write_text("a person's own file")
    prepared._prune(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name] + [p.name for p in mine[-prepared.KEEP:]])


def test_a_registered_index_pickles_as_itself_and_another_does_not():
    urban = index_for("urban")
    assert pickle.loads(pickle.dumps(urban)) is urban
    from dataclasses import replace

    toy = replace(urban, key="toy_index", style="toy")
    assert isinstance(toy, ComfortIndex)
    with pytest.raises(TypeError):
        pickle.dumps(toy)


def test_the_prepared_recommender_is_the_one_this_process_reads_again(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(prepared, "_read_or_build", lambda path, kind: calls.append(path) or kind())
    monkeypatch.setattr(prepared, "_loaded", {})
    monkeypatch.setenv("RECOMMENDER_CACHE", str(tmp_path))
    first = prepared.recommender(object)
    assert prepared.recommender(object) is first and len(calls) == 1 and calls[0].parent == tmp_path


def test_a_folder_others_can_write_to_is_never_read(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / ("k" + prepared.SUFFIX)
    path.write_bytes(pickle.dumps({"planted": True}))
    folder.chmod(0o777)
    assert prepared._read(path) is None                  # a pickle there could run anyone's code
    folder.chmod(0o700)
    assert prepared._read(path) == {"planted": True}

