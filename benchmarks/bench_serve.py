"""Serving many people: the dashboard under concurrent sessions through HAProxy with 1 and with 2
workers (`python -m recommender serve`, as scripts/serve.sh starts it), the API's throughput
through the same HAProxy with `wrk` (Debian's package) beside the baseline of running the CLI per
request, and the memory of each worker. Loopback only; every run is bounded in time.

    python benchmarks/bench_serve.py [--sessions 8 32] [--reruns 8] [--seconds 10]

Targets (issue 20, this 2-core machine): 8 sessions with 2 workers rerun p95 < 300 ms, 32
sessions p95 < 1 s (each beside the same run against 1 worker); /v1/recommend ≥ 500 requests/s
with p99 < 50 ms at 16 connections. Needs `apt-get install wrk` for the API part (skipped
without it, saying so).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_load import load, pct      # beside this script (its folder is on sys.path)

REPO = Path(__file__).resolve().parent.parent
HOMES = ["urumqi", "karachi", "lahore", "beijing", "islamabad", "shanghai", "london", "xi-an", "paris", "berlin",
         "warsaw", "rome", "madrid", "moscow", "tokyo", "istanbul"]
WRK_SCRIPT = """
local paths = {}
for _, home in ipairs({%s}) do
  for month = 1, 12 do paths[#paths + 1] = "/api/v1/recommend?home=" .. home .. "&month=" .. month end
end
local k = 0
request = function()
  k = k + 1
  return wrk.format("GET", paths[(k %% #paths) + 1])
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(workers: int, run_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "recommender", "serve", "--workers", str(workers), "--port", str(port),
                             "--run-dir", str(run_dir)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 240
    for line in proc.stdout:
        if line.startswith("ready:"):
            return proc, f"http://127.0.0.1:{port}"
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise SystemExit("the serve command did not become ready: " + (line if proc.stdout else ""))


def stop(proc: subprocess.Popen) -> None:
    import signal

    proc.send_signal(signal.SIGINT)
    proc.wait(60)


def memory(run_dir: Path) -> list[tuple[str, float, float]]:
    """(worker, resident MB, proportional MB — shared pages divided among the processes sharing them)."""
    out = []
    for line in (run_dir / "workers.tsv").read_text().splitlines():
        name, kind, _port, pid = line.split("\t")
        fields = {}
        for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, value = row.split(":", 1)
            fields[key] = float(value.split()[0]) / 1024
        out.append((f"{name} ({kind})", fields["Rss"], fields["Pss"]))
    return out


def wrk(url: str, seconds: int, connections: int = 16) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) of /v1/recommend over 16 homes × 12 months through the proxy."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % ", ".join(f'"{h}"' for h in HOMES))
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", "-s",
                              f.name, url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(f.name)

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit("wrk saw error responses:\n" + out)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, ms("50"), ms("99")


def cli_per_request(n: int = 3) -> float:
    """Seconds per answer when each request runs the CLI (`recommend --format json`)."""
    times = []
    for k in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", HOMES[k], "--month", str(k + 1),
                        "--format", "json"], cwd=REPO, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, nargs="+", default=[8, 32])
    ap.add_argument("--reruns", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=10, help="wrk's run (at most 60)")
    args = ap.parse_args()
    seconds = max(1, min(args.seconds, 60))
    results: dict[tuple, tuple[float, float]] = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as run_dir:
            proc, url = start(workers, Path(run_dir))
            try:
                load(url, 2 * workers, 2)                    # warm-up: each worker draws its first pages
                for n in args.sessions:
                    for run in ("first pass, caches cold", "same explorations again, caches warm"):
                        times = load(url, n, args.reruns)
                        results[(workers, n, run)] = (statistics.median(times), pct(times, 95))
                        print(f"{workers} worker(s), {n} concurrent sessions, {run}: rerun median "
                              f"{results[(workers, n, run)][0] * 1000:.0f} ms, p95 "
                              f"{results[(workers, n, run)][1] * 1000:.0f} ms ({len(times)} reruns)", flush=True)
                mem = memory(Path(run_dir))
                print(f"memory with {workers} worker(s): " + "; ".join(f"{w} RSS {r:.0f} MB, PSS {p:.0f} MB"
                                                                       for w, r, p in mem), flush=True)
                print(f"  in all: RSS {sum(r for _w, r, _p in mem):.0f} MB, PSS (shared pages once) "
                      f"{sum(p for _w, _r, p in mem):.0f} MB", flush=True)
                if workers == 2:
                    if shutil.which("wrk"):
                        for run in ("first run, each worker's answers not yet cached", "second run, cached"):
                            rps, p50, p99 = wrk(url + "/api/v1/recommend?home=urumqi&month=1", seconds)
                            print(f"API /v1/recommend through HAProxy, 2 API workers, 16 connections, {seconds} s, "
                                  f"{len(HOMES) * 12} different questions, {run}: {rps:.0f} requests/s, p50 {p50:.1f} ms, "
                                  f"p99 {p99:.1f} ms (target ≥ 500/s, p99 < 50 ms)", flush=True)
                    else:
                        print("API: wrk is not installed (sudo apt-get install wrk); skipped")
            finally:
                stop(proc)
    per = cli_per_request()
    print(f"baseline, the CLI per request: {per:.2f} s per answer = {1 / per:.1f} requests/s one at a time")
    for n in args.sessions:
        for run in ("first pass, caches cold", "same explorations again, caches warm"):
            one, two = results[(1, n, run)], results[(2, n, run)]
            print(f"{n} sessions, {run}: p95 {one[1] * 1000:.0f} ms with 1 worker → {two[1] * 1000:.0f} ms with 2 "
                  f"(target {'< 300 ms' if n <= 8 else '< 1 s'})")


if __name__ == "__main__":
    main()
