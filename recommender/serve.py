"""Many people at once: N dashboard workers and N API workers behind HAProxy (Debian's package),
started, watched and stopped by one process.

    bash scripts/serve.sh --workers 2 --port 8501      # = python -m recommender serve …

HAProxy listens on the port; `/api/…` goes to the API workers (the prefix stripped; FastAPI knows
its root path, so /api/docs works), everything else to the Streamlit workers. A Streamlit session
lives in one process, so a browser is pinned to its worker by a cookie HAProxy sets (`SRV`); the
websocket (`/_stcore/stream`) carries that cookie and HAProxy passes the upgrade through. HAProxy
checks each worker's health every second (`/_stcore/health`, `/healthz`) and stops sending it
people when it fails; a browser pinned to a dead worker is sent to a live one (`option redispatch`)
and Streamlit's front end reconnects, drawing the same page again from its link. A worker that
exits is started again on its port (after 1 s, then up to 10 s between tries); Ctrl-C (or SIGTERM)
stops the workers and HAProxy and nothing is left running.

The workers share the read-only atlas files and the refreshed store (any number of readers) and
the precomputed scores (recommender/scored_cache.py), so a new worker answers quickly.
Each response through HAProxy names the worker that served it (`X-Served-By`), for tests and logs.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RecommenderError

REPO = Path(__file__).resolve().parent.parent
HEALTH = {"dashboard": "/_stcore/health", "api": "/healthz"}
RESTART_DELAYS_S = (1, 2, 5, 10)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on this machine now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Worker:
    """One child process: its name (also HAProxy's server name and cookie), kind, port and command."""

    name: str
    kind: str                        # "dashboard" | "api" | "haproxy"
    port: int
    command: list[str]
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    log: Path | None = None
    env: dict = field(default_factory=dict)

    def start(self) -> None:
        # its own session: a Ctrl-C in the terminal reaches the supervisor only, which stops the children in order;
        # the log is the child's own copy of the descriptor (closed here at once, so restarts leak none)
        with open(self.log or os.devnull, "ab") as out:
            self.proc = subprocess.Popen(self.command, cwd=REPO, env={**os.environ, **self.env},
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=_die_with_parent)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()


def _die_with_parent() -> None:
    """In the child, before it runs: receive SIGTERM when the supervisor dies, however it dies
    (Linux's PR_SET_PDEATHSIG), so a killed supervisor leaves no worker or HAProxy holding the port."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def dashboard_command(port: int) -> list[str]:
    return [sys.executable, "-m", "recommender.dashboard.worker", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # no watching of the sources for changes: after every rerun it resolved the path of each loaded module
            # (≈ 6 % of a loaded worker's time, py-spy); a served worker does not reload code
            "--server.fileWatcherType", "none"]


def api_command(port: int) -> list[str]:
    return [sys.executable, "-m", "recommender", "api", "--port", str(port), "--root-path", "/api"]


def haproxy_config(host: str, port: int, dashboards: list[Worker], apis: list[Worker], stats_socket: Path) -> str:
    """HAProxy's configuration: one front end, the dashboard and API back ends with health checks."""
    def backend(kind: str, workers: list[Worker], rules: str) -> str:
        """One back end: its own rules, then what both share (the health check, another server when
        one fails, the serving worker's name on the answer) and its servers."""
        sticky = kind == "dashboard"           # a Streamlit session lives in one process
        servers = "\n".join(f"    server {w.name} 127.0.0.1:{w.port} check inter 1s fall 2 rise 1"
                            + (f" cookie {w.name}" if sticky else "") for w in workers)
        return f"""backend {kind}
{rules}
    option httpchk GET {HEALTH[kind]}
    http-check expect status 200
    option redispatch
    retries 2
    http-response set-header X-Served-By %[srv_name]
{servers}
"""

    dashboard = backend("dashboard", dashboards, "    balance leastconn\n    cookie SRV insert indirect nocache httponly")
    api = backend("api", apis, "    balance roundrobin\n    http-request replace-path ^/api(/.*)$ \\1")
    return f"""# written by recommender/serve.py; regenerated at each start
global
    maxconn 4096
    stats socket {stats_socket} mode 600

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout http-request 10s
    timeout http-keep-alive 30s
    timeout queue 30s

frontend web
    bind {host}:{port}
    http-request redirect location /api/docs code 302 if {{ path /api }}
    use_backend api if {{ path_beg /api/ }}
    default_backend dashboard

{dashboard}
{api}"""


def servers_up(stats_socket: Path) -> dict[str, bool]:
    """HAProxy's view of its servers (server name → UP), read from its stats socket ("show stat")."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(str(stats_socket))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError:
        return {}
    lines = data.decode("utf-8", "replace").splitlines()
    if not lines or not lines[0].startswith("# "):
        return {}
    head = lines[0][2:].split(",")
    name, status = head.index("svname"), head.index("status")
    rows = [ln.split(",") for ln in lines[1:] if ln]
    return {r[name]: r[status].startswith("UP") for r in rows if r[name] not in ("FRONTEND", "BACKEND")}


def healthy(port: int, path: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status == 200
    except (OSError, http.client.HTTPException):     # not listening yet, or not speaking HTTP
        return False


def _tail(path: Path, lines: int = 3) -> str:
    """The last lines of a log, for an error message."""
    try:
        return " | ".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:]) or "(no output)"
    except OSError:
        return "(no log)"


class Supervisor:
    """Starts the workers and HAProxy, restarts what exits, stops everything on a signal."""

    def __init__(self, workers: int = 2, port: int = 8501, host: str = "127.0.0.1", api_workers: int | None = None,
                 run_dir: Path | None = None, haproxy: str | None = None):
        if not 1 <= workers <= 16:
            raise RecommenderError(f"--workers takes 1–16 dashboard workers; got {workers}.")
        self.haproxy_bin = haproxy or shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(self.haproxy_bin).exists():
            raise RecommenderError("HAProxy is not installed: run `bash scripts/serve.sh`, which installs Debian's "
                                   "haproxy package, or `sudo apt-get install haproxy`.")
        self.host, self.port = host, port
        try:                               # HAProxy would fail to bind, over and over: say it now, once
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as HAProxy binds: TIME_WAIT is no obstacle
                probe.bind((host, port))
        except OSError as exc:
            raise RecommenderError(f"Cannot listen on {host}:{port} ({exc.strerror or exc}); another program uses "
                                   "the port: choose another with --port.") from None
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="recommender-serve-"))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        n_api = workers if api_workers is None else api_workers
        ports = self._ports(workers + n_api, taken={port})          # all at once: no two children share one
        self.dashboards = [Worker(f"w{k + 1}", "dashboard", p, dashboard_command(p), log=self.run_dir / f"w{k + 1}.log")
                           for k, p in enumerate(ports[:workers])]
        self.apis = [Worker(f"api{k + 1}", "api", p, api_command(p), log=self.run_dir / f"api{k + 1}.log")
                     for k, p in enumerate(ports[workers:])]
        cfg = self.run_dir / "haproxy.cfg"
        self.stats_socket = self.run_dir / "haproxy.sock"
        cfg.write_text(haproxy_config(host, port, self.dashboards, self.apis, self.stats_socket), encoding="utf-8")
        self.haproxy = Worker("haproxy", "haproxy", port, [self.haproxy_bin, "-db", "-f", str(cfg)],
                              log=self.run_dir / "haproxy.log")
        self.stopping = False

    @staticmethod
    def _ports(n: int, taken: set[int]) -> list[int]:
        ports: list[int] = []
        while len(ports) < n:
            p = free_port()
            if p not in ports and p not in taken:
                ports.append(p)
        return ports

    @property
    def children(self) -> list[Worker]:
        return [*self.dashboards, *self.apis, self.haproxy]

    def write_state(self) -> None:
        """run_dir/workers.tsv: name, kind, port, pid of each child (for tests and operators)."""
        rows = [f"{w.name}\t{w.kind}\t{w.port}\t{w.proc.pid if w.proc else ''}" for w in self.children]
        tmp = self.run_dir / "workers.tsv.tmp"
        tmp.write_text("\n".join(rows) + "\n", encoding="utf-8")
        tmp.replace(self.run_dir / "workers.tsv")

    def start(self, ready_timeout_s: float = 120.0) -> None:
        # the scored atlas every worker reads at start, prepared once here (recommender/prepared.py)
        with open(self.run_dir / "prepare.log", "ab") as log:
            prep = subprocess.Popen([sys.executable, "-m", "recommender", "prepare"], cwd=REPO,
                                    stdout=subprocess.DEVNULL, stderr=log)
        while prep.poll() is None:
            if self.stopping:                      # Ctrl-C or SIGTERM while preparing: stop it, start nothing
                prep.terminate()
                prep.wait()
                return
            time.sleep(0.1)
        if prep.returncode == 2:                   # a user's error (a damaged atlas …): the workers would fail alike
            raise RecommenderError("Preparing the scored atlas failed: " + _tail(self.run_dir / "prepare.log"))
        for w in self.children:
            w.start()
        self.write_state()
        deadline = time.monotonic() + ready_timeout_s
        waiting = [w for w in [*self.dashboards, *self.apis]]
        while waiting and time.monotonic() < deadline and not self.stopping:
            if self.haproxy.proc.poll() is not None:
                raise RecommenderError("HAProxy did not start: " + _tail(self.haproxy.log))
            up = servers_up(self.stats_socket)           # ready when HAProxy itself sends them people
            waiting = [w for w in waiting if not (healthy(w.port, HEALTH[w.kind]) and up.get(w.name))]
            if waiting:
                self.check()
                time.sleep(0.2)
        if waiting and not self.stopping:
            raise RecommenderError(f"{', '.join(w.name for w in waiting)} did not answer its health check in "
                                   f"{ready_timeout_s:.0f} s; see the logs in {self.run_dir}.")

    def check(self) -> None:
        """Start again each child that exited (1 s, 2 s, 5 s, then 10 s after its last start)."""
        now = time.monotonic()
        for w in self.children:
            if self.stopping or w.alive():
                continue
            if w.next_start == 0.0:
                code = w.proc.returncode if w.proc else None
                print(f"{w.name} ({w.kind}, port {w.port}) exited with status {code}; starting it again",
                      file=sys.stderr, flush=True)
                w.next_start = now + RESTART_DELAYS_S[min(w.restarts, len(RESTART_DELAYS_S) - 1)]
            elif now >= w.next_start:
                w.restarts += 1
                w.next_start = 0.0
                w.start()
                self.write_state()

    def stop(self, grace_s: float = 8.0) -> None:
        self.stopping = True
        for w in (self.haproxy, *self.dashboards, *self.apis):
            w.stop()
        deadline = time.monotonic() + grace_s
        for w in self.children:
            if w.proc is None:
                continue
            try:
                w.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(w.proc.pid, signal.SIGKILL)
                w.proc.wait()

    def run(self) -> int:
        def on_signal(signum, _frame):
            self.stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            self.start()
            if not self.stopping:
                print(f"ready: http://{self.host}:{self.port}/ — {len(self.dashboards)} dashboard and {len(self.apis)} "
                      f"API workers behind HAProxy (API at /api/v1/…, docs at /api/docs); logs in {self.run_dir}; "
                      "Ctrl-C stops everything", flush=True)
            while not self.stopping:
                self.check()
                time.sleep(0.5)
        finally:
            self.stop()
        print("stopped: every worker and HAProxy", flush=True)
        return 0
