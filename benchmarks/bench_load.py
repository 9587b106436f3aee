"""Dashboard reruns under load: N concurrent sessions × M reruns each, against a real
`streamlit run app.py` server on a loopback port, each session a websocket client speaking
Streamlit's own protocol (the protobuf messages its browser front end sends and receives).

    python benchmarks/bench_load.py [--sessions 8] [--reruns 12] [--url http://127.0.0.1:8501]

With --url it loads a running server (one worker, or the load balancer of `bash scripts/serve.sh`;
loopback addresses only) instead of starting one.

A rerun is timed from sending the widget change to the server's "script finished" message,
and it must have changed the headline. Each rerun changes the month or the home city, as a
person exploring does. Prints the latency percentiles with N sessions at once and, as the
baseline, one session alone. Target (issue 10, this 2-core machine): 8 sessions' p95 < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

REPO = Path(__file__).resolve().parent.parent
HOMES = ["urumqi", "karachi", "lahore", "beijing", "islamabad", "shanghai", "london", "xi-an"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


class Session:
    """One browser tab's worth of protocol: run, then rerun with changed widgets."""

    def __init__(self, url: str, query: str):
        self.ws = connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None)
        self.query = query
        self.widgets: dict[str, tuple[str, list[str]]] = {}   # key → (id, option labels)
        self.headline = ""
        self.run([])

    def run(self, changes: list[tuple[str, str]]) -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        for key, label in changes:
            w = msg.rerun_script.widget_states.widgets.add()
            w.id, w.string_value = self.widgets[key][0], label
        t = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        heading = None
        while True:
            f = ForwardMsg()
            f.ParseFromString(self.ws.recv())
            kind = f.WhichOneof("type")
            if kind == "delta" and f.delta.WhichOneof("type") == "new_element":
                el = f.delta.new_element
                ek = el.WhichOneof("type")
                if ek == "selectbox":
                    self.widgets[el.selectbox.id.rsplit("-", 1)[-1]] = (el.selectbox.id, list(el.selectbox.options))
                if ek == "heading" and "most comfortable" in el.heading.body:
                    heading = el.heading.body
            elif kind == "script_finished":
                break
        elapsed = time.perf_counter() - t
        if changes and (heading is None or heading == self.headline):
            raise RuntimeError(f"the rerun did not change the headline: {heading!r}")
        self.headline = heading or self.headline
        return elapsed

    def home_label(self, city_id: str) -> str:
        labels = self.widgets["home_city"][1]
        return next(lb for lb in labels if lb.split(" (")[0].lower().replace("ü", "u").replace("'", "-") in
                    (city_id, city_id.replace("-", "'")) or lb.startswith(city_id.capitalize() + " ("))


def session_worker(url: str, k: int, reruns: int, out: list[float], start: threading.Barrier) -> None:
    s = Session(url, f"home={HOMES[k % len(HOMES)]}&month={k % 12 + 1}")
    start.wait()
    for r in range(reruns):
        if r % 2:
            change = ("home_city", s.home_label(HOMES[(k + r) % len(HOMES)]))
            if change[1] == s.widgets["home_city"][1][0]:
                change = ("month", MONTHS[(k + r + 5) % 12])
        else:
            change = ("month", MONTHS[(k + r + 1) % 12])
        try:
            out.append(s.run([change]))
        except RuntimeError:   # the same headline by chance (e.g. an unchanged ranking): not a timing error
            pass
    s.ws.close()


def load(url: str, n: int, reruns: int) -> list[float]:
    times: list[float] = []
    start = threading.Barrier(n)
    threads = [threading.Thread(target=session_worker, args=(url, k, reruns, times, start)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def start_server() -> tuple[subprocess.Popen, str]:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("streamlit did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--reruns", type=int, default=12)
    ap.add_argument("--url", help="a running server on this machine (e.g. the load balancer of scripts/serve.sh)")
    args = ap.parse_args()
    if args.url:
        from urllib.parse import urlparse

        if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("error: --url must be a loopback address (http://127.0.0.1:PORT): load stays on this machine")
        proc, url = None, args.url.rstrip("/")
    else:
        proc, url = start_server()
    try:
        load(url, 1, 2)   # warm-up: the server loads and scores the atlas once
        alone = load(url, 1, args.reruns * 2)
        print(f"1 session alone: rerun median {statistics.median(alone) * 1000:.0f} ms, "
              f"p95 {pct(alone, 95) * 1000:.0f} ms ({len(alone)} reruns)")
        many = load(url, args.sessions, args.reruns)
        print(f"{args.sessions} concurrent sessions: rerun median {statistics.median(many) * 1000:.0f} ms, "
              f"p95 {pct(many, 95) * 1000:.0f} ms ({len(many)} reruns; target p95 < 500 ms)")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
