"""The refreshed store at scale: every city of the atlas refreshed (~16,000), then
`python -m recommender recommend --home karachi --month 1` (a new process: cold = the first run
after the refresh, which reads the store and prepares the scored atlas; warm = the runs after it)
and the dashboard's first render (AppTest in a new process, prepared atlas warm).

Baseline: the previous release's store (one Parquet file per city under normals/), run with that
release's code from a git worktree (`--baseline-rev`, default the last commit before the
SQLite store). The figures are medians of `--runs` runs.

    python benchmarks/bench_store.py [--runs 3] [--cities 0 (= all)] [--no-baseline]

Targets (issue 21, this 2-core machine): recommend < 1.5 s wall, first render < 3 s, with all
cities refreshed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cold_start import APPTEST  # noqa: E402  (AppTest's first render in a fresh process)

BASELINE_REV = "7a5b5d2"
RECOMMEND = ["-m", "recommender", "recommend", "--home", "karachi", "--month", "1"]


def frames(limit: int):
    """(city_id, 12 rows) of every embedded city, as a refresh writes them (tmax + 0.3 °C, so the
    refreshed rows differ from the embedded ones)."""
    import pandas as pd

    sys.path.insert(0, str(REPO))
    from recommender.climate.variables import NORMALS_COLUMNS

    n = pd.read_parquet(REPO / "data" / "normals.parquet").sort_values(["city_id", "month"])
    n = n.assign(tmax_c=n["tmax_c"] + 0.3, period="1991-2020")[NORMALS_COLUMNS]
    ids = n["city_id"].unique()[: limit or None]
    n = n[n["city_id"].isin(ids)]
    return [(cid, rows.reset_index(drop=True)) for cid, rows in n.groupby("city_id", sort=True)]


def timed(cmd: list[str], env: dict, cwd: Path) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-800:]}")
    return dt


def measure(label: str, code: Path, home: Path, runs: int) -> dict:
    cache = Path(tempfile.mkdtemp(prefix="bench-store-cache-"))
    env = {**os.environ, "RECOMMENDER_HOME": str(home), "RECOMMENDER_CACHE": str(cache), "PYTHONPATH": str(code)}
    cold = timed([sys.executable, *RECOMMEND], env, code)
    warm = [timed([sys.executable, *RECOMMEND], env, code) for _ in range(runs)]
    render = []
    for _ in range(runs):
        p = subprocess.run([sys.executable, "-c", APPTEST, str(code / "app.py")], env=env, cwd=code,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"AppTest failed: {p.stderr[-800:]}")
        render.append(float(p.stdout.strip().splitlines()[-1]))
    out = {"cold": cold, "warm": statistics.median(warm), "render": statistics.median(render)}
    print(f"{label:9} recommend cold {cold:6.2f} s   warm {out['warm']:5.2f} s (median of {runs})   "
          f"first render {out['render']:5.2f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cities", type=int, default=0, help="refresh only the first N cities (0: all)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--baseline-rev", default=BASELINE_REV)
    args = ap.parse_args()
    fs = frames(args.cities)
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    print(f"{len(fs):,} refreshed cities", flush=True)

    sys.path.insert(0, str(REPO))
    from recommender.climate.variables import NORMALS_COLUMNS
    from recommender.storage import NormalsStore

    home = work / "sqlite"
    t = time.perf_counter()
    NormalsStore(home).write_cities(fs)
    write = time.perf_counter() - t
    t = time.perf_counter()
    df, warnings = NormalsStore(home).read(NORMALS_COLUMNS)
    read = time.perf_counter() - t
    assert df is not None and df["city_id"].nunique() == len(fs) and not warnings
    size = sum(p.stat().st_size for p in (home / "normals").iterdir()) / 1e6
    print(f"SQLite    write {write:5.1f} s (one transaction per city)   read {read:5.2f} s   {size:.1f} MB", flush=True)
    new = measure("SQLite", REPO, home, args.runs)

    if args.no_baseline:
        return
    base = work / "base-code"
    subprocess.run(["git", "worktree", "add", "--detach", str(base), args.baseline_rev], cwd=REPO, check=True,
                   capture_output=True)
    try:
        old_home = work / "parquet"
        (old_home / "normals").mkdir(parents=True)
        t = time.perf_counter()
        for cid, f in fs:
            f.to_parquet(old_home / "normals" / f"{cid}.parquet", index=False)
        print(f"baseline  write {time.perf_counter() - t:5.1f} s ({len(fs):,} Parquet files)", flush=True)
        old = measure("baseline", base, old_home, max(1, args.runs // 3))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, capture_output=True)
    print(f"target    recommend < 1.5 s, first render < 3 s;  speed-up warm ×{old['warm'] / new['warm']:.0f}, "
          f"cold ×{old['cold'] / new['cold']:.0f}")


if __name__ == "__main__":
    main()
