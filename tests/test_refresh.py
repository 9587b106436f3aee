"""The real Meteostat refresh against a loopback mirror serving Meteostat's exact file formats.

Each test runs `python -m recommender refresh` in a subprocess so that the MS_* variables are
set before meteostat is imported (it reads them once, at import).
"""

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from meteostat_mirror import (
    MirrorServer, SilentServer, StationSpec, TrickleServer, free_port, write_daily, write_stations_db,
)
from recommender.climate.variables import NORMALS_COLUMNS
from recommender.storage import NormalsStore

# One station 2 km from each city at the city's elevation: meteostat uses the nearest station
# as is (within 5 km / 50 m), so the normals can be checked against the values written here.
KARACHI = StationSpec("41780", "Karachi Airport", "PK", 24.87, 67.02, 2, "Asia/Karachi")
URUMQI = StationSpec("51463", "Urumqi", "CN", 43.81, 87.61, 919, "Asia/Urumqi")
LAHORE = StationSpec("41640", "Lahore", "PK", 31.56, 74.36, 214, "Asia/Karachi")
BEIJING = StationSpec("54511", "Beijing", "CN", 39.91, 116.40, 55, "Asia/Shanghai")
YEARS = (2019, 2020)


def karachi_day(d: date) -> dict:
    m = d.month
    return dict(temp=15.0 + m, tmin=10.0 + m, tmax=20.0 + m, rhum=50 + m, prcp=3.0 if d.day <= 5 else 0.0,
                wspd=10.0 + m / 2, tsun=360)


def urumqi_day(d: date) -> dict:
    return dict(temp=-5.0, tmin=-10.0, tmax=0.0, rhum=70, prcp=0.5, wspd=5.0, tsun=240)


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "mirror"
    write_stations_db(root / "stations.db", [KARACHI, URUMQI, LAHORE, BEIJING])
    for y in YEARS:
        write_daily(root, KARACHI.id, y, karachi_day)
        write_daily(root, URUMQI.id, y, urumqi_day)
        write_daily(root, LAHORE.id, y, karachi_day)
        write_daily(root, BEIJING.id, y, urumqi_day)
    with MirrorServer(root) as srv:
        srv.root = root
        yield srv


def refresh_env(tmp_path, stations_url, daily_url, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MS_")}
    env.update(
        RECOMMENDER_HOME=str(home),
        MS_STATIONS_DB_ENDPOINTS=json.dumps([stations_url]),
        MS_STATIONS_DB_FILE=str(tmp_path / "msdb" / "stations.db"),
        MS_DAILY_ENDPOINT=daily_url,
        MS_CACHE_DIRECTORY=str(tmp_path / "mscache"),
        MS_NETWORK_MAX_RETRIES="0",
        PYTHONPATH=str(REPO),
    )
    return env


REFRESH = [sys.executable, "-m", "recommender", "refresh", "--quiet", "--no-prepare", "--start", "2019", "--end", "2020"]


def run_refresh(tmp_path, stations_url, daily_url, *args, timeout=120, home=None):
    home = home or tmp_path / "home"
    env = refresh_env(tmp_path, stations_url, daily_url, home)
    t = time.monotonic()
    p = subprocess.run([*REFRESH, *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout)
    p.elapsed = time.monotonic() - t
    p.home = home
    p.store = NormalsStore(home).db
    return p


def stored(home) -> pd.DataFrame:
    """Everything the refreshed store holds (empty frame when nothing)."""
    df, warnings = NormalsStore(home).read(NORMALS_COLUMNS)
    assert not warnings, warnings
    return pd.DataFrame(columns=NORMALS_COLUMNS) if df is None else df


def snapshot(home) -> dict:
    """Every file of the store, byte for byte."""
    return {p.relative_to(home): p.read_bytes() for p in sorted(Path(home).rglob("*")) if p.is_file()
            and "meteostat-cache" not in p.parts}


def urls(srv):
    return srv.url + "/stations.db", srv.url + "/daily/{year}/{station}.csv.gz"


def test_happy_path_aggregates_daily_values(tmp_path, mirror):
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", "--city", "Ürümqi")
    assert p.returncode == 0, p.stderr + p.stdout
    assert "Refreshed 2 of 2 cities" in p.stdout
    df = stored(p.home)
    assert p.store.is_file() and not list(p.store.parent.glob("*.parquet"))
    assert sorted(df["city_id"].unique()) == ["karachi", "urumqi"] and len(df) == 24
    k = df[df.city_id == "karachi"].set_index("month")
    months = np.arange(1, 13)
    assert np.allclose(k.loc[months, "tmax_c"], 20.0 + months)
    assert np.allclose(k.loc[months, "tmin_c"], 10.0 + months)
    assert np.allclose(k.loc[months, "tmean_c"], 15.0 + months)
    assert np.allclose(k.loc[months, "rhum_pct"], 50 + months)
    assert np.allclose(k.loc[months, "wind_kmh"], (10.0 + months / 2).round(1))
    assert np.allclose(k["prcp_mm"], 15.0) and np.allclose(k["wet_days"], 5.0)
    days = np.array([31, 28.5, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # Feb: 2019 and leap 2020
    assert np.allclose(k.loc[months, "sun_hours"], 6.0 * days)
    assert (k["tmax_c_src"] == "measured").all() and (k["cloud_pct_src"] == "derived").all()
    assert (k["period"] == "2019-2020").all()
    u = df[df.city_id == "urumqi"]
    assert np.allclose(u["tmax_c"], 0.0) and np.allclose(u["wet_days"], 0.0)  # 0.5 mm < 1 mm
    # The loader now prefers the refreshed rows.
    code = ("from recommender import load_atlas; a=load_atlas(); k=a[a.city_id=='karachi'];"
            "print(k.data_source.unique().tolist(), k.tmax_c.tolist()[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "RECOMMENDER_HOME": str(p.home)})
    assert out.stdout.strip() == "['meteostat'] 21.0"


def test_missing_station_file_fails_that_city_only(tmp_path, mirror):
    for y in YEARS:
        (mirror.root / "daily" / str(y) / f"{URUMQI.id}.csv.gz").unlink()
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", "--city", "urumqi")
    assert p.returncode == 1, p.stderr
    assert "Refreshed 1 of 2 cities" in p.stdout
    assert "failed: urumqi: no daily data from stations 51463" in p.stdout
    assert "not found" in p.stdout
    assert set(stored(p.home)["city_id"]) == {"karachi"}
    assert "Traceback" not in p.stderr


def test_corrupted_gzip_fails_that_city_and_keeps_earlier_data(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "urumqi")
    assert first.returncode == 0, first.stderr
    before = snapshot(first.home)
    for y in YEARS:
        (mirror.root / "daily" / str(y) / f"{URUMQI.id}.csv.gz").write_bytes(gzip.compress(b"x")[:8] + b"garbage")
    # fresh meteostat cache so the damaged files are really read
    p = run_refresh(tmp_path / "again", *urls(mirror), "--city", "urumqi", home=first.home)
    assert p.returncode == 2
    assert "failed: urumqi" in p.stdout and "Could not load" in p.stdout
    assert snapshot(first.home) == before  # earlier refreshed data untouched


def test_server_that_never_answers_is_bounded(tmp_path, mirror):
    with SilentServer() as silent:
        p = run_refresh(tmp_path, mirror.url + "/stations.db", silent.url + "/daily/{year}/{station}.csv.gz",
                        "--city", "karachi", "--timeout", "2", "--city-deadline", "4", timeout=90)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "answered too slowly" in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.count("error:") == 1 and stored(p.home).empty
    assert p.elapsed < 30   # the wall-clock deadline holds although the read never times out


def test_no_network_one_clear_message_and_nothing_touched(tmp_path, mirror):
    home = tmp_path / "home"
    home.mkdir()
    (home / "normals.parquet").write_bytes(b"earlier data")  # a damaged store of an earlier version
    dead = f"http://127.0.0.1:{free_port()}"
    p = run_refresh(tmp_path, dead + "/stations.db", dead + "/daily/{year}/{station}.csv.gz", "--city", "karachi")
    assert p.returncode == 2 and "Cannot reach Meteostat" in p.stderr
    assert p.stderr.count("error:") == 1 and "Traceback" not in p.stderr
    assert (home / "normals.parquet").read_bytes() == b"earlier data"     # left as it was
    assert NormalsStore(home).read(NORMALS_COLUMNS)[0] is None


def test_data_server_down_while_the_station_list_is_reachable_is_one_message(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert first.returncode == 0
    before = snapshot(first.home)
    dead = f"http://127.0.0.1:{free_port()}"
    # a fresh meteostat cache (so nothing is served from it), the same user store
    p = run_refresh(tmp_path / "x", mirror.url + "/stations.db", dead + "/daily/{year}/{station}.csv.gz",
                    "--city", "karachi", "--city", "urumqi", home=first.home)
    assert p.returncode == 2 and "Cannot reach Meteostat's data server" in p.stderr
    assert p.stderr.count("error:") == 1 and "Traceback" not in p.stderr
    assert snapshot(first.home) == before


def test_unknown_city(tmp_path, mirror):
    p = run_refresh(tmp_path, *urls(mirror), "--city", "Karachy")
    assert p.returncode == 2
    assert "Unknown city 'Karachy'" in p.stderr and "karachi" in p.stderr
    assert "Traceback" not in p.stderr


def test_damaged_meteostat_caches_are_discarded_and_fetched_again(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert first.returncode == 0, first.stderr
    expected = stored(first.home)
    cached = list((tmp_path / "mscache").rglob("*.pickle"))
    assert cached, "the first refresh should have cached the station files"
    for f in cached:
        f.write_bytes(b"not a pickle")
    foreign = tmp_path / "mscache" / "my-notes.pickle"        # not meteostat's: never deleted, however unreadable
    foreign.write_bytes(b"a person's file")
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert foreign.read_bytes() == b"a person's file"
    assert all(pd.read_pickle(f) is not None for f in (tmp_path / "mscache").rglob("*.pickle") if f != foreign)
    pd.testing.assert_frame_equal(stored(first.home), expected)


def test_a_half_downloaded_station_list_is_fetched_again(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert first.returncode == 0, first.stderr
    db = tmp_path / "msdb" / "stations.db"
    db.write_bytes(db.read_bytes()[: len(db.read_bytes()) // 3])   # cut short, as by a dropped download
    os.utime(db)   # fresh, so meteostat would not re-download it by itself
    p = run_refresh(tmp_path, *urls(mirror), "--city", "urumqi")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert set(stored(first.home)["city_id"]) == {"karachi", "urumqi"}
    assert db.read_bytes() == (mirror.root / "stations.db").read_bytes()


@pytest.mark.slow
def test_concurrent_refreshes_of_different_cities_lose_nothing(tmp_path, mirror):
    """Four refresh processes on one store at once, three rounds: every city is there every time
    (the single-file store of the previous release lost one 10 times out of 10)."""
    cities = ["karachi", "urumqi", "lahore", "beijing"]
    for round_ in range(3):
        home = tmp_path / f"home{round_}"
        procs = []
        for k, city in enumerate(cities):
            env = refresh_env(tmp_path / f"r{round_}-{k}", *urls(mirror), home)   # own meteostat cache each
            procs.append(subprocess.Popen([*REFRESH, "--city", city], env=env, cwd=REPO,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outs = [pr.communicate(timeout=120) for pr in procs]
        assert all(pr.returncode == 0 for pr in procs), outs
        assert sorted(stored(home)["city_id"].unique()) == sorted(cities)


def test_one_bad_city_in_the_store_is_ignored_alone(tmp_path, mirror):
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", "--city", "urumqi")
    assert p.returncode == 0
    with sqlite3.connect(p.store) as db:   # one entry damaged: its values no longer match its checksum
        db.execute("UPDATE cities SET v = substr(v, 1, 100) || zeroblob(length(v) - 100) WHERE city_id = 'urumqi'")
    code = "from recommender import load_atlas; a = load_atlas(); print(sorted(set(a[a.data_source=='meteostat'].city_id))); print(a.attrs['warnings'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "RECOMMENDER_HOME": str(p.home)})
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "['karachi']" and "'urumqi' ignored, the other cities kept" in lines[1], out.stdout + out.stderr


def test_a_trickling_server_is_stopped_by_the_deadline(tmp_path, mirror):
    with TrickleServer() as slow:
        p = run_refresh(tmp_path, mirror.url + "/stations.db", slow.url + "/daily/{year}/{station}.csv.gz",
                        "--city", "karachi", "--timeout", "2", "--city-deadline", "3", timeout=90)
    assert p.returncode == 2 and "answered too slowly" in p.stderr, p.stdout + p.stderr
    assert p.elapsed < 20


def test_the_run_deadline_holds_for_every_city(tmp_path, mirror):
    with SilentServer() as silent:
        p = run_refresh(tmp_path, mirror.url + "/stations.db", silent.url + "/daily/{year}/{station}.csv.gz",
                        "--city", "karachi", "--city", "urumqi", "--city", "lahore", "--workers", "1",
                        "--city-deadline", "60", "--deadline", "3", timeout=90)
    assert p.elapsed < 20 and p.returncode == 2 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert "answered too slowly" in p.stderr and "--deadline 3 s" in p.stderr


def test_ctrl_c_stops_within_two_seconds_and_writes_nothing(tmp_path, mirror):
    home = tmp_path / "home"
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", home=home)
    before = snapshot(home)
    with SilentServer() as silent:
        env = refresh_env(tmp_path / "x", mirror.url + "/stations.db", silent.url + "/daily/{year}/{station}.csv.gz", home)
        pr = subprocess.Popen([*REFRESH, "--city", "urumqi", "--city", "lahore"], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)                       # well into the hung reads
        t = time.monotonic()
        pr.send_signal(signal.SIGINT)
        out, err = pr.communicate(timeout=30)
        assert time.monotonic() - t < 2.0
    assert first.returncode == 0 and pr.returncode == 130
    assert "Traceback" not in err and err.strip().count("\n") == 0 and "interrupted" in err
    assert snapshot(home) == before


@pytest.mark.parametrize("args,needle", [
    (("--timeout", "-1"), "--timeout must be between 1 and 600"),
    (("--timeout", "0"), "--timeout must be between 1 and 600"),
    (("--timeout", "99999999999"), "--timeout must be between 1 and 600"),
    (("--city-deadline", "0"), "--city-deadline must be between"),
    (("--deadline", "nan"), "--deadline must be between"),
    (("--workers", "0"), "--workers must be between 1 and 8"),
])
def test_options_are_validated_up_front(tmp_path, args, needle):
    dead = f"http://127.0.0.1:{free_port()}"
    p = run_refresh(tmp_path, dead + "/stations.db", dead + "/daily/{year}/{station}.csv.gz", "--city", "karachi", *args)
    assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert "Cannot reach" not in p.stderr


def test_a_home_that_is_a_file_is_one_error_before_any_download(tmp_path, mirror):
    home = tmp_path / "home"
    home.write_text("I am a file")
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", home=home)
    assert p.returncode == 2 and p.stderr.count("error:") == 1 and "Traceback" not in p.stderr
    assert f"Cannot write {home / 'normals'}" in p.stderr and home.read_text() == "I am a file"


def _mount_tmpfs(path, size):
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    return path


@pytest.fixture
def small_disk(tmp_path):
    mnt = _mount_tmpfs(tmp_path / "disk", "512k")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)])


def test_a_full_disk_is_one_error_and_the_old_store_intact(tmp_path, mirror, small_disk):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", home=small_disk)
    assert first.returncode == 0, first.stderr
    (small_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 4 * 1024))
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", "--city", "urumqi", "--city", "lahore", home=small_disk)
    assert p.returncode == 2 and p.stderr.count("error:") == 1 and "Traceback" not in p.stderr, p.stderr
    assert "disk is full" in p.stderr and str(small_disk / "normals") in p.stderr
    kept = stored(small_disk)
    assert sorted(kept["city_id"].unique()) == ["karachi"] and len(kept) == 12
    assert not [x for x in (small_disk / "normals").iterdir() if x.name.endswith(".tmp")]


def test_a_read_only_store_is_one_error_before_any_download(tmp_path, mirror):
    home = tmp_path / "home"
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", home=home)
    before = snapshot(home)
    r = subprocess.run(["chattr", "+i", str(home / "normals")], capture_output=True)
    if r.returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        p = run_refresh(tmp_path, *urls(mirror), "--city", "urumqi", home=home)
    finally:
        subprocess.run(["chattr", "-i", str(home / "normals")])
    assert first.returncode == 0 and p.returncode == 2 and p.stderr.count("error:") == 1, p.stderr
    assert f"Cannot write {home / 'normals'}" in p.stderr and "Traceback" not in p.stderr
    assert snapshot(home) == before


def test_a_symlinked_store_file_stays_a_symlink(tmp_path, mirror):
    home = tmp_path / "home"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (home / "normals").mkdir(parents=True)
    (home / "normals" / "normals.sqlite").symlink_to(elsewhere / "normals.sqlite")
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", home=home)
    assert p.returncode == 0, p.stderr
    assert (home / "normals" / "normals.sqlite").is_symlink() and (elsewhere / "normals.sqlite").stat().st_size > 0
    assert set(stored(home)["city_id"]) == {"karachi"}


def test_a_refresh_leaves_the_refreshed_atlas_prepared_for_the_next_command(tmp_path, mirror):
    """After a refresh that saved cities, the prepared scored atlas for the new store is in the
    cache: the next `recommend` reads it (no rebuild) and answers on the refreshed rows."""
    cache = tmp_path / "cache"
    home = tmp_path / "home"
    env = {**refresh_env(tmp_path, *urls(mirror), home), "RECOMMENDER_CACHE": str(cache)}
    args = [a for a in REFRESH if a != "--no-prepare"]
    p = subprocess.run([*args, "--city", "karachi"], capture_output=True, text=True, env=env, cwd=REPO, timeout=180)
    assert p.returncode == 0, p.stderr
    key = subprocess.run([sys.executable, "-c", "from recommender import prepared; print(prepared.key())"],
                         capture_output=True, text=True, env=env, cwd=REPO).stdout.strip()
    assert (cache / (key + ".recommender.pickle")).is_file()     # prepared for exactly this store
    r = subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", "urumqi", "--month", "1",
                        "--format", "json"], capture_output=True, text=True, env=env, cwd=REPO)
    assert r.returncode == 0 and "warning:" not in r.stderr, r.stderr
    assert sorted(x.name for x in cache.iterdir() if x.suffix == ".pickle") == [key + ".recommender.pickle"]
