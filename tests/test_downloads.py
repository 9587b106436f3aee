"""Bounded downloads (recommender/sources/download.py): against loopback servers that trickle,
never end, or send a gzip bomb, every request ends by the deadline, holds at most its byte cap
in memory or on disk, refuses a bomb without inflating it, and says which of these happened.

In-process tests pin the mechanism with small caps; the refresh tests run the real CLI with its
real caps and measure the process's peak memory (GNU time) and the disk it leaves."""

import gzip
import os
import subprocess
import time
import urllib.error

import pandas as pd
import pytest

from meteostat_mirror import HostileServer, MirrorServer, RawServer, SilentServer, TrickleServer, endless, gzip_bomb
from test_refresh import KARACHI, REFRESH, YEARS, karachi_day, refresh_env, write_daily, write_stations_db

from recommender.sources import download
from recommender.sources.download import BOMB, NOT_HTTP, TOO_LARGE, TOO_SLOW, DownloadError, Limits

REPO = __import__("conftest").REPO
MiB = 1024 * 1024


def test_a_normal_gzip_file_reads_back_whole(tmp_path):
    body = gzip.compress(b"year,month,day,tmax\n2020,1,1,3.5\n")
    with HostileServer(lambda: iter([body])) as srv:
        path = tmp_path / "x.csv.gz"
        download.fetch_file([srv.url + "/x.csv.gz"], path, Limits.for_run(10, 5))
        assert path.read_bytes() == body
        download.install()
        with download.using(Limits.for_run(10, 5)):   # meteostat's own call: pandas over urllib
            df = pd.read_csv(srv.url + "/daily/2020/x.csv.gz", compression="gzip")
        assert df["tmax"].tolist() == [3.5]


def test_an_endless_response_stops_at_the_byte_cap_and_leaves_no_file(tmp_path):
    with HostileServer(endless) as srv:
        path = tmp_path / "stations.db"
        with pytest.raises(DownloadError) as e:
            download.fetch_file([srv.url + "/stations.db"], path, Limits(timeout_s=5, max_bytes=4 * MiB))
        assert e.value.problem == TOO_LARGE and "larger than the 4,194,304 bytes" in str(e.value)
        assert srv.sent < 64 * MiB                          # the reader stopped; the server was not drained
    assert list(tmp_path.iterdir()) == []                   # neither the file nor a temporary


def test_a_declared_length_beyond_the_cap_is_refused_before_reading(tmp_path):
    with HostileServer(endless, headers=f"Content-Length: {10 ** 12}\r\n") as srv:
        with pytest.raises(DownloadError) as e:
            download.fetch_file([srv.url + "/stations.db"], tmp_path / "db", Limits(timeout_s=5, max_bytes=MiB))
    assert e.value.problem == TOO_LARGE and "announces 1,000,000,000,000 bytes" in str(e.value)


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path):
    bomb = gzip_bomb(4096)                                   # 4 MB that inflate to 4 GiB
    with HostileServer(lambda: iter([bomb])) as srv:
        download.install()
        t = time.monotonic()
        with download.using(Limits(timeout_s=5, max_inflated=64 * MiB)), pytest.raises(DownloadError) as e:
            pd.read_csv(srv.url + "/daily/2020/41780.csv.gz", compression="gzip")
        assert e.value.problem == BOMB and "inflates to more than the 67,108,864 bytes" in str(e.value)
        assert time.monotonic() - t < 30                     # a full inflation would take far longer
        with pytest.raises(DownloadError) as e2:
            download.fetch_file([srv.url + "/stations.db.gz"], tmp_path / "db", Limits(max_inflated=64 * MiB))
        assert e2.value.problem == BOMB


def test_a_trickling_server_is_stopped_by_the_deadline_not_the_read_timeout(tmp_path):
    with TrickleServer() as slow:
        t = time.monotonic()
        with pytest.raises(DownloadError) as e:
            download.fetch_file([slow.url + "/stations.db"], tmp_path / "db", Limits.for_run(3, 2))
        took = time.monotonic() - t
    assert e.value.problem == TOO_SLOW and "too slow" in str(e.value)
    assert 2 < took < 15, took                              # one byte a second never trips the 2 s read timeout


def _forever(piece: bytes, first: bytes = b""):
    def answer():
        yield first
        while True:
            yield piece
    return answer


@pytest.mark.parametrize("what, answer", [
    ("the status line a byte a second", _forever(b"H")),
    ("the headers a byte a second", _forever(b"X", first=b"HTTP/1.1 200 OK\r\n")),
])
def test_a_trickled_status_line_or_header_is_stopped_by_the_deadline(tmp_path, what, answer):
    """http.client reads the status line and headers with the per-read timeout only: each byte
    came within it, so the station list (and a daily file) waited for ever past --deadline."""
    with RawServer(answer, delay=0.4) as srv:
        t = time.monotonic()
        with pytest.raises(DownloadError) as e:
            download.fetch_file([srv.url + "/stations.db"], tmp_path / "db", Limits.for_run(2, 1))
        assert e.value.problem == TOO_SLOW, (what, e.value.problem, e.value.detail)
        t2 = time.monotonic()
        download.install()
        with download.using(Limits.for_run(2, 1)), pytest.raises(DownloadError) as e2:
            pd.read_csv(srv.url + "/daily/2020/41780.csv.gz", compression="gzip")
        assert e2.value.problem == TOO_SLOW
    assert 1.5 < t2 - t < 10 and time.monotonic() - t2 < 10, (what, t2 - t)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("answer, named", [
    (lambda: iter([b"\x00\xff garbage not http\r\n"]), "BadStatusLine"),
    (_forever(b"X-A: b\r\n", first=b"HTTP/1.1 200 OK\r\n"), "more than 100 headers"),
    (lambda: iter([b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70_000 + b"\r\n\r\n"]), "LineTooLong"),
])
def test_an_answer_that_is_not_http_is_named_so(tmp_path, answer, named):
    with RawServer(answer) as srv:
        with pytest.raises(DownloadError) as e:
            download.fetch_file([srv.url + "/stations.db"], tmp_path / "db", Limits.for_run(10, 5))
        assert e.value.problem == NOT_HTTP and named in e.value.detail and "\n" not in e.value.detail
        download.install()
        with download.using(Limits.for_run(10, 5)), pytest.raises(DownloadError) as e2:
            pd.read_csv(srv.url + "/daily/2020/41780.csv.gz", compression="gzip")
        assert e2.value.problem == NOT_HTTP


def test_a_server_that_never_answers_is_too_slow_not_unreachable(tmp_path):
    with SilentServer() as srv:
        with pytest.raises(DownloadError) as e:
            download.fetch_file([srv.url + "/stations.db"], tmp_path / "db", Limits.for_run(10, 1))
    assert e.value.problem == TOO_SLOW and "no answer for 1 s" in e.value.detail


def test_a_citys_files_together_are_bounded_not_just_each_one(tmp_path):
    """meteostat parses each file in memory at several times its size: files just under the
    per-file cap took a 4-city refresh to 6.4 GB. What one city's block reads is capped too."""
    body = gzip.compress(b"year,month,day,tmax\n" + b"2020,1,1,3.5\n" * 30_000)   # ~390 kB inflated
    download.install()
    with HostileServer(lambda: iter([body])) as srv:
        with download.using(Limits.for_run(10, 5, max_inflated=MiB, max_total=MiB)):
            for _ in range(2):
                assert len(pd.read_csv(srv.url + "/daily/2020/a.csv.gz", compression="gzip")) == 30_000
            with pytest.raises(DownloadError) as e:
                pd.read_csv(srv.url + "/daily/2020/a.csv.gz", compression="gzip")
        assert e.value.problem == TOO_LARGE and "1,048,576 bytes allowed for one city" in e.value.detail
        with download.using(Limits.for_run(10, 5, max_inflated=MiB, max_total=MiB)):   # the next city starts afresh
            assert len(pd.read_csv(srv.url + "/daily/2020/a.csv.gz", compression="gzip")) == 30_000
    assert download.DAILY_FILE.max_total is not None and download.DAILY_FILE.max_total <= 64 * MiB


def test_an_http_error_passes_through_as_meteostat_expects(tmp_path):
    root = tmp_path / "mirror"
    root.mkdir()
    with MirrorServer(root) as srv:
        download.install()
        with download.using(Limits.for_run(10, 5)), pytest.raises(urllib.error.HTTPError) as e:
            pd.read_csv(srv.url + "/daily/2020/none.csv.gz", compression="gzip")
        assert e.value.code == 404                          # meteostat logs a 404 as "not found"
        with pytest.raises(DownloadError) as e2:
            download.fetch_file([srv.url + "/stations.db"], tmp_path / "db", Limits.for_run(10, 5))
        assert e2.value.problem == download.HTTP_STATUS and "HTTP 404" in str(e2.value)


# ---------------------------------------------------------------------------- the real CLI


def _refresh(tmp_path, stations_url, daily_url, *args):
    """Run the refresh CLI under GNU time: (process, peak resident memory in MiB, seconds)."""
    home = tmp_path / "home"
    env = refresh_env(tmp_path, stations_url, daily_url, home)
    t = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss_kib=%M", *REFRESH, "--city", "karachi", *args],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=180)
    rss = int(p.stderr.rsplit("maxrss_kib=", 1)[1].split()[0]) / 1024
    p.stderr = p.stderr.rsplit("maxrss_kib=", 1)[0]
    return p, rss, time.monotonic() - t


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "mirror"
    write_stations_db(root / "stations.db", [KARACHI])
    for y in YEARS:
        write_daily(root, KARACHI.id, y, karachi_day)
    with MirrorServer(root) as srv:
        yield srv


def _disk(tmp_path) -> int:
    return sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file() and "mirror" not in p.parts)


@pytest.mark.skipif(not os.path.exists("/usr/bin/time"), reason="GNU time measures the peak memory")
def test_refresh_refuses_a_bomb_from_the_data_server_in_bounded_memory(tmp_path, mirror):
    with HostileServer(lambda: iter([gzip_bomb(4096)])) as bomb:
        p, rss, _ = _refresh(tmp_path, mirror.url + "/stations.db", bomb.url + "/daily/{year}/{station}.csv.gz")
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert "inflates to more than" in p.stdout and "Cannot reach" not in p.stderr + p.stdout
    assert rss < 1024, rss                                   # 4 GiB inflated would need > 4 GiB


@pytest.mark.skipif(not os.path.exists("/usr/bin/time"), reason="GNU time measures the peak memory")
def test_refresh_stops_an_endless_station_list_at_its_cap_and_keeps_no_part(tmp_path, mirror):
    with HostileServer(endless) as srv:
        p, rss, _ = _refresh(tmp_path, srv.url + "/stations.db", mirror.url + "/daily/{year}/{station}.csv.gz")
        sent = srv.sent
    assert p.returncode == 2 and p.stderr.count("error:") == 1 and "Traceback" not in p.stderr, p.stderr
    assert "station list: the response is larger than the 536,870,912 bytes allowed" in p.stderr and "network" not in p.stderr
    assert sent <= download.STATION_LIST.max_bytes + 64 * MiB and rss < 1024
    assert _disk(tmp_path) < MiB                             # the partial download is gone
    assert not (tmp_path / "msdb" / "stations.db").exists()


def test_refresh_holds_one_deadline_over_a_trickling_station_list(tmp_path, mirror):
    with TrickleServer() as slow:
        p, _, took = _refresh(tmp_path, slow.url + "/stations.db", mirror.url + "/daily/{year}/{station}.csv.gz",
                              "--deadline", "4", "--timeout", "3")
    assert p.returncode == 2 and p.stderr.count("error:") == 1, p.stderr
    assert "station list: no complete answer before the deadline (the server is too slow)" in p.stderr and "network" not in p.stderr
    assert took < 30, took


def test_refresh_names_an_endless_daily_file_too_large(tmp_path, mirror):
    with HostileServer(endless) as srv:
        p, rss, _ = _refresh(tmp_path, mirror.url + "/stations.db", srv.url + "/daily/{year}/{station}.csv.gz")
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stdout + p.stderr
    assert f"larger than the {download.DAILY_FILE.max_bytes:,} bytes" in p.stdout and rss < 1024


def test_a_full_disk_during_a_download_is_named_so_and_leaves_no_part(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        with HostileServer(endless) as srv:
            with pytest.raises(DownloadError) as e:
                download.fetch_file([srv.url + "/stations.db"], disk / "stations.db", Limits(timeout_s=5))
        assert e.value.problem == download.DISK_FULL and "the disk is full" in str(e.value)
        assert str(disk / "stations.db") in str(e.value) and list(disk.iterdir()) == []
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_a_gz_address_that_serves_no_gzip_is_downloaded_for_the_reader_to_judge(tmp_path):
    """The inflation check measures gzip; a body that is not gzip is no bomb and no error of ours
    (the reader of the file says what it is), in the file download as in urllib's."""
    with HostileServer(lambda: iter([b"year,month\n2020,1\n"])) as srv:
        path = tmp_path / "x.csv.gz"
        download.fetch_file([srv.url + "/x.csv.gz"], path, Limits.for_run(10, 5))
    assert path.read_bytes() == b"year,month\n2020,1\n"
