"""Cold start: load_atlas() in a fresh process and `python -m recommender recommend` wall time.

    python benchmarks/bench_atlas.py

Targets (issue 8, this 2-core machine): load_atlas() cold < 1 s (imports of pandas and
pyarrow excluded, as every caller has them already); the CLI's recommend < 1.5 s wall.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LOAD = ("import time, pandas, pyarrow, numpy; t = time.perf_counter(); "
        "from recommender import load_atlas; a = load_atlas(); "
        "print(time.perf_counter() - t, len(a), a['city_id'].nunique())")


def main(runs: int = 5) -> None:
    loads, walls = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, cwd=REPO, check=True).stdout
        t, rows, cities = out.split()
        loads.append(float(t))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", "urumqi", "--month", "1"],
                       capture_output=True, cwd=REPO, check=True)
        walls.append(time.perf_counter() - t0)
    print(f"load_atlas() cold: median {statistics.median(loads):.2f} s over {runs} fresh processes "
          f"({int(cities):,} cities, {int(rows):,} rows; target < 1 s)")
    print(f"python -m recommender recommend --home urumqi --month 1: median {statistics.median(walls):.2f} s wall "
          f"(target < 1.5 s)")


if __name__ == "__main__":
    main()
