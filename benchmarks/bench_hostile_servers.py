"""A refresh against hostile loopback servers: a gzip bomb (4 MB that inflate to 4 GiB), an endless
response, and a server that trickles one byte a second — for the daily files and for the station
list; daily files of real rows just under the inflate caps, 30 years of them; a station list whose
status line is trickled, and one whose answer is not HTTP. For each: the wall time, the process's peak resident memory (GNU time), the peak disk the
run used (sampled every 50 ms), the exit status and the error or failure line.

Baseline: the previous release's code from a git worktree (`--baseline-rev`), run under an
address-space limit of 6 GiB, a 150 s wall limit and a 3 GiB cap on what the server sends, so
that it cannot harm this machine.

    python benchmarks/bench_hostile_servers.py [--no-baseline]

Targets (issue 21): every run ends by its deadline; memory bounded (< 1 GiB); the disk used at
most the byte cap and nothing left; each failure named for what it is, never "check the network".
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from meteostat_mirror import (  # noqa: E402
    DAILY_COLUMNS, HostileServer, MirrorServer, RawServer, StationSpec, TrickleServer, endless, gzip_bomb, write_daily,
    write_stations_db,
)

BASELINE_REV = "7a5b5d2"
KARACHI = StationSpec("41780", "Karachi Airport", "PK", 24.87, 67.02, 2, "Asia/Karachi")
SEND_CAP = 3 * 1024 ** 3


def capped_endless():
    sent = 0
    for chunk in endless():
        if sent > SEND_CAP:
            return
        sent += len(chunk)
        yield chunk


def disk_use(folders) -> int:
    total = 0
    for f in folders:
        for p in Path(f).rglob("*"):
            try:
                if p.is_file():
                    total += p.stat().st_blocks * 512
            except OSError:
                pass
    return total


def run(code: Path, work: Path, stations_url: str, daily_url: str, extra: list[str], limit_as: bool) -> dict:
    home, msdb, cache = work / "home", work / "msdb", work / "mscache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MS_")}
    env.update(RECOMMENDER_HOME=str(home), MS_STATIONS_DB_ENDPOINTS=json.dumps([stations_url]),
               MS_STATIONS_DB_FILE=str(msdb / "stations.db"), MS_DAILY_ENDPOINT=daily_url,
               MS_CACHE_DIRECTORY=str(cache), MS_NETWORK_MAX_RETRIES="0", PYTHONPATH=str(code),
               RECOMMENDER_CACHE=str(work / "prepared"))
    cmd = ["/usr/bin/time", "-f", "maxrss_kib=%M", sys.executable, "-m", "recommender", "refresh", "--quiet",
           "--start", "2019", "--end", "2020", "--city", "karachi", *extra]
    if limit_as:
        cmd = ["prlimit", f"--as={6 * 1024 ** 3}", *cmd]
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], disk_use([home, msdb, cache]))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.monotonic()
    try:
        p = subprocess.run(cmd, env=env, cwd=code, capture_output=True, text=True, timeout=150)
        status, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as exc:
        status, out, err = "killed at 150 s", (exc.stdout or b"").decode(), (exc.stderr or b"").decode()
    took = time.monotonic() - t
    done.set()
    sampler.join()
    rss = err.rsplit("maxrss_kib=", 1)[1].split()[0] if "maxrss_kib=" in err else "?"
    err = err.rsplit("maxrss_kib=", 1)[0]
    said = [ln for ln in (err + out).splitlines() if ln.startswith(("error:", "  failed:", "MemoryError"))
            or "Error" in ln][:1]
    left = disk_use([home, msdb])
    return {"s": took, "rss_mib": int(rss) / 1024 if rss.isdigit() else rss, "disk_mib": peak[0] / 2 ** 20,
            "left_mib": left / 2 ** 20, "status": status, "said": said[0][:150] if said else "(nothing)"}


@functools.lru_cache(maxsize=None)
def daily_csv(mib: float) -> bytes:
    """A valid daily file (gzip CSV, meteostat's columns) that inflates to about `mib` MiB: the
    same day repeated, so it is small as sent and parses as real rows."""
    import gzip

    header = ",".join(["year", "month", "day"] + [x for c in DAILY_COLUMNS for x in (c, f"{c}_source")])
    row = ",".join(["2019", "1", "1"] + [x for _ in DAILY_COLUMNS for x in ("20.5", "ghcnd")]) + "\n"
    return gzip.compress((header + "\n" + row * int(mib * 2 ** 20 / len(row))).encode(), compresslevel=6)


def trickled_status():
    while True:
        yield b"H"


def scenarios():
    """(name, the hostile server, which endpoint it serves, extra refresh options)."""
    yield "daily: gzip bomb", lambda: HostileServer(lambda: iter([gzip_bomb(4096)])), "daily", []
    yield "daily: endless", lambda: HostileServer(capped_endless), "daily", []
    yield "daily: trickle", lambda: TrickleServer(), "daily", ["--city-deadline", "10", "--timeout", "5"]
    # real rows, each file under the previous release's 64 MiB inflate cap: 30 years of them
    yield "daily: 60 MiB CSVs", lambda: HostileServer(lambda: iter([daily_csv(60)])), "daily", ["--start", "1991"]
    # each under this release's 4 MiB file cap: together past the 16 MiB a city may take
    yield "daily: 3.9 MiB CSVs", lambda: HostileServer(lambda: iter([daily_csv(3.9)])), "daily", ["--start", "1991"]
    yield "stations: endless", lambda: HostileServer(capped_endless), "stations", []
    yield "stations: trickle", lambda: TrickleServer(), "stations", ["--deadline", "10", "--timeout", "5"]
    yield "stations: status line", lambda: RawServer(trickled_status, delay=1.0, seconds=200), "stations", \
        ["--deadline", "10", "--timeout", "5"]
    yield "stations: not HTTP", lambda: RawServer(lambda: iter([b"\x00\xff garbage not http\r\n"])), "stations", []
    yield "stations: gzip bomb", lambda: HostileServer(lambda: iter([gzip_bomb(4096)]),
                                                       headers="Content-Encoding: gzip\r\n"), "stations", []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--baseline-rev", default=BASELINE_REV)
    ap.add_argument("--only", metavar="TEXT", help="only the scenarios whose name contains TEXT")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    mirror_root = root / "mirror"
    write_stations_db(mirror_root / "stations.db", [KARACHI])
    for y in (2019, 2020):
        write_daily(mirror_root, KARACHI.id, y, lambda d: dict(temp=20.0, tmin=15.0, tmax=25.0, rhum=60, prcp=0.0,
                                                               wspd=10.0, tsun=300))
    codes = [("this", REPO, False)]
    base = root / "base-code"
    if not args.no_baseline:
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.baseline_rev], cwd=REPO, check=True,
                       capture_output=True)
        codes.append(("baseline", base, True))
    print(f"{'scenario':22} {'code':9} {'wall s':>7} {'peak RSS MiB':>12} {'peak disk MiB':>13} {'left MiB':>8}  "
          "status  what it said")
    try:
        with MirrorServer(mirror_root) as mirror:
            for name, server, which, extra in scenarios():
                if args.only and args.only not in name:
                    continue
                for label, code, limit_as in codes:
                    with server() as srv:
                        stations = (srv.url if which == "stations" else mirror.url) + "/stations.db"
                        daily = (srv.url if which == "daily" else mirror.url) + "/daily/{year}/{station}.csv.gz"
                        r = run(code, Path(tempfile.mkdtemp(dir=root)), stations, daily, extra, limit_as)
                    rss = f"{r['rss_mib']:.0f}" if isinstance(r["rss_mib"], float) else r["rss_mib"]
                    print(f"{name:22} {label:9} {r['s']:7.1f} {rss:>12} {r['disk_mib']:13.1f} {r['left_mib']:8.1f}  "
                          f"{r['status']!s:6}  {r['said']}", flush=True)
    finally:
        if not args.no_baseline:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, capture_output=True)


if __name__ == "__main__":
    main()
