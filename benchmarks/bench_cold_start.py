"""Cold start of a new dashboard worker: from starting `streamlit run app.py` to the first
headline drawn in Debian's headless Chromium, and AppTest's first render in a fresh process —
with the prepared scored atlas (recommender/prepared.py, made once by `python -m recommender
prepare` or by the first process) and, as the baseline, without it (an empty cache folder: the
worker loads, validates and scores the atlas itself, as every worker did before).

    python benchmarks/bench_cold_start.py [--runs 3]

Targets (issue 20, this 2-core machine): the first headline < 3 s after the worker's process
starts; AppTest's first render < 2 s.
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
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
APPTEST = """
import time, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120)
t = time.perf_counter()
at.run()
assert not at.exception, at.exception
print(time.perf_counter() - t)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_headline(browser, env: dict, command: list[str]) -> float:
    """Seconds from starting a worker to its first headline in a new Chromium page."""
    import urllib.request

    port = free_port()
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", *command, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        while True:                                  # the page opens as soon as the server answers
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        page = browser.new_page()
        page.goto(url + "/?home=urumqi&month=1")
        page.locator("h3").get_by_text("most comfortable").first.wait_for(timeout=120_000)
        elapsed = time.perf_counter() - t
        page.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait(10)


def apptest_first_render(env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", APPTEST, str(REPO / "app.py")], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    base = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "recommender", "prepare"], cwd=REPO, env=base, check=True)
    with tempfile.TemporaryDirectory() as empty, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        browser.new_page().close()
        worker, plain = ["recommender.dashboard.worker"], ["streamlit", "run", "app.py"]
        for label, env, command in (("prepared, serve.sh's worker", base, worker),
                                    ("prepared, plain `streamlit run app.py`", base, plain),
                                    ("baseline, nothing prepared, plain `streamlit run`", base | {"RECOMMENDER_CACHE": empty},
                                     plain)):
            heads, renders = [], []
            for _ in range(args.runs):
                if "baseline" in label:
                    for f in Path(empty).glob("*"):
                        f.unlink()
                heads.append(first_headline(browser, env, command))
                if "baseline" in label:
                    for f in Path(empty).glob("*"):
                        f.unlink()
                renders.append(apptest_first_render(env))
            print(f"{label}: first headline in Chromium {statistics.median(heads):.2f} s after the worker starts "
                  f"(runs {', '.join(f'{x:.2f}' for x in heads)}; target < 3 s); AppTest first render "
                  f"{statistics.median(renders):.2f} s (runs {', '.join(f'{x:.2f}' for x in renders)}; target < 2 s)")
        browser.close()


if __name__ == "__main__":
    main()
