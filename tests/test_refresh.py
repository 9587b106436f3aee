"""The real Meteostat refresh against a loopback mirror serving Meteostat's exact file formats.

Each test runs `python -m recommender refresh` in a subprocess so that the MS_* variables are
set before meteostat is imported (it reads them once, at import).
"""

import gzip
import json
import os
import subprocess
import sys
import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from meteostat_mirror import MirrorServer, SilentServer, StationSpec, free_port, write_daily, write_stations_db

# One station 2 km from each city at the city's elevation: meteostat uses the nearest station
# as is (within 5 km / 50 m), so the normals can be checked against the values written here.
KARACHI = StationSpec("41780", "Karachi Airport", "PK", 24.87, 67.02, 2, "Asia/Karachi")
URUMQI = StationSpec("51463", "Urumqi", "CN", 43.81, 87.61, 919, "Asia/Urumqi")
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
    write_stations_db(root / "stations.db", [KARACHI, URUMQI])
    for y in YEARS:
        write_daily(root, KARACHI.id, y, karachi_day)
        write_daily(root, URUMQI.id, y, urumqi_day)
    with MirrorServer(root) as srv:
        srv.root = root
        yield srv


def run_refresh(tmp_path, stations_url, daily_url, *args, timeout=120, home=None):
    home = home or tmp_path / "home"
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
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "recommender", "refresh", "--quiet", "--start", "2019", "--end", "2020", *args],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout)
    p.elapsed = time.monotonic() - t
    p.store = home / "normals.parquet"
    return p


def urls(srv):
    return srv.url + "/stations.db", srv.url + "/daily/{year}/{station}.csv.gz"


def test_happy_path_aggregates_daily_values(tmp_path, mirror):
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", "--city", "Ürümqi")
    assert p.returncode == 0, p.stderr + p.stdout
    assert "Refreshed 2 of 2 cities" in p.stdout
    df = pd.read_parquet(p.store)
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
                         env={**os.environ, "RECOMMENDER_HOME": str(p.store.parent)})
    assert out.stdout.strip() == "['meteostat'] 21.0"


def test_missing_station_file_fails_that_city_only(tmp_path, mirror):
    for y in YEARS:
        (mirror.root / "daily" / str(y) / f"{URUMQI.id}.csv.gz").unlink()
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi", "--city", "urumqi")
    assert p.returncode == 1, p.stderr
    assert "Refreshed 1 of 2 cities" in p.stdout
    assert "failed: urumqi: no daily data from stations 51463" in p.stdout
    assert "not found" in p.stdout
    assert set(pd.read_parquet(p.store)["city_id"]) == {"karachi"}
    assert "Traceback" not in p.stderr


def test_corrupted_gzip_fails_that_city_and_keeps_earlier_data(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "urumqi")
    assert first.returncode == 0, first.stderr
    before = first.store.read_bytes()
    for y in YEARS:
        (mirror.root / "daily" / str(y) / f"{URUMQI.id}.csv.gz").write_bytes(gzip.compress(b"x")[:8] + b"garbage")
    # fresh meteostat cache so the damaged files are really read
    p = run_refresh(tmp_path / "again", *urls(mirror), "--city", "urumqi")
    assert p.returncode == 2
    assert "failed: urumqi" in p.stdout and "Could not load" in p.stdout
    assert first.store.read_bytes() == before  # earlier refreshed data untouched


def test_server_that_never_answers_is_bounded(tmp_path, mirror):
    with SilentServer() as silent:
        p = run_refresh(tmp_path, mirror.url + "/stations.db", silent.url + "/daily/{year}/{station}.csv.gz",
                        "--city", "karachi", "--timeout", "2", "--city-deadline", "4", timeout=90)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Cannot reach Meteostat's data server" in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.count("error:") == 1 and not p.store.exists()
    assert p.elapsed < 30   # the wall-clock deadline holds although the read never times out


def test_no_network_one_clear_message_and_nothing_touched(tmp_path, mirror):
    home = tmp_path / "home"
    home.mkdir()
    (home / "normals.parquet").write_bytes(b"earlier data")  # must survive byte for byte
    dead = f"http://127.0.0.1:{free_port()}"
    p = run_refresh(tmp_path, dead + "/stations.db", dead + "/daily/{year}/{station}.csv.gz", "--city", "karachi")
    assert p.returncode == 2
    assert "error:" in p.stderr and "Traceback" not in p.stderr
    # the damaged earlier store is reported before any fetch, and left as it was
    assert "unreadable" in p.stderr
    assert (home / "normals.parquet").read_bytes() == b"earlier data"
    (home / "normals.parquet").unlink()
    p = run_refresh(tmp_path, dead + "/stations.db", dead + "/daily/{year}/{station}.csv.gz", "--city", "karachi")
    assert p.returncode == 2 and "Cannot reach Meteostat" in p.stderr
    assert p.stderr.count("error:") == 1 and "Traceback" not in p.stderr
    assert not (home / "normals.parquet").exists()


def test_data_server_down_while_the_station_list_is_reachable_is_one_message(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert first.returncode == 0
    before = first.store.read_bytes()
    dead = f"http://127.0.0.1:{free_port()}"
    # a fresh meteostat cache (so nothing is served from it), the same user store
    p = run_refresh(tmp_path / "x", mirror.url + "/stations.db", dead + "/daily/{year}/{station}.csv.gz",
                    "--city", "karachi", "--city", "urumqi", home=first.store.parent)
    assert p.returncode == 2 and "Cannot reach Meteostat's data server" in p.stderr
    assert p.stderr.count("error:") == 1 and "Traceback" not in p.stderr
    assert first.store.read_bytes() == before


def test_unknown_city(tmp_path, mirror):
    p = run_refresh(tmp_path, *urls(mirror), "--city", "Karachy")
    assert p.returncode == 2
    assert "Unknown city 'Karachy'" in p.stderr and "karachi" in p.stderr
    assert "Traceback" not in p.stderr


def test_damaged_meteostat_caches_get_a_clear_message(tmp_path, mirror):
    first = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert first.returncode == 0, first.stderr
    before = first.store.read_bytes()
    cached = list((tmp_path / "mscache").rglob("*.pickle"))
    assert cached, "the first refresh should have cached the station files"
    for f in cached:
        f.write_bytes(b"not a pickle")
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "Meteostat cache" in p.stdout and "is damaged" in p.stdout and str(tmp_path / "mscache") in p.stdout
    assert first.store.read_bytes() == before
    (tmp_path / "msdb" / "stations.db").write_bytes(b"garbage, not sqlite")
    os.utime(tmp_path / "msdb" / "stations.db")   # fresh, so meteostat does not re-download it
    p = run_refresh(tmp_path, *urls(mirror), "--city", "karachi")
    assert p.returncode == 2 and "station list" in p.stderr and "is damaged" in p.stderr
    assert "Traceback" not in p.stderr and first.store.read_bytes() == before
