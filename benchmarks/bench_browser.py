"""Time to the answer in a real browser: a running `streamlit run app.py` server, Debian's
headless Chromium (Playwright), the time from opening the page to the headline being visible.

    python benchmarks/bench_browser.py

Target (issue 8, the full registry, this 2-core machine): the headline within 3 s of opening
the page on a running server (the server has already loaded the atlas once).
"""

from __future__ import annotations

import statistics
import time

from bench_load import start_server   # beside this script (its folder is on sys.path)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main(runs: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            warm = browser.new_page()
            warm.goto(url + "/?home=urumqi&month=1")
            warm.get_by_text("most comfortable").first.wait_for(timeout=60_000)   # the server loads the atlas once
            warm.close()
            times = []
            for k, home in enumerate(["karachi", "lahore", "beijing", "paris", "urumqi"][:runs]):
                page = browser.new_page()
                t = time.perf_counter()
                page.goto(f"{url}/?home={home}&month={k + 1}")
                page.get_by_text("most comfortable").first.wait_for(timeout=60_000)
                times.append(time.perf_counter() - t)
                page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"headline visible after opening the page: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s over {len(times)} pages (target < 3 s)")


if __name__ == "__main__":
    main()
