"""A loopback Meteostat mirror for tests: stations.db and daily/monthly .csv.gz in Meteostat's formats.

Everything served is written by the test from values it chooses, so the expected normals can be
computed by hand. The server listens on a free port of 127.0.0.1 and serves only files under
its own temporary directory.
"""

from __future__ import annotations

import gzip
import http.server
import socket
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

DAILY_COLUMNS = ["temp", "tmin", "tmax", "rhum", "prcp", "wspd", "tsun"]


@dataclass
class StationSpec:
    id: str
    name: str
    country: str
    lat: float
    lon: float
    elevation: int
    timezone: str = "UTC"


def write_stations_db(path: Path, stations: list[StationSpec]) -> None:
    """stations.db with the stations, names, identifiers and inventory tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE stations (id TEXT PRIMARY KEY, country TEXT, region TEXT, latitude REAL, longitude REAL, elevation INTEGER, timezone TEXT);
        CREATE TABLE names (station TEXT, language TEXT, name TEXT, PRIMARY KEY (station, language));
        CREATE TABLE identifiers (station TEXT, key TEXT, value TEXT, PRIMARY KEY (station, key));
        CREATE TABLE inventory (station TEXT, provider TEXT, parameter TEXT, start TEXT, end TEXT, completeness REAL);
        """
    )
    for s in stations:
        con.execute("INSERT INTO stations VALUES (?,?,?,?,?,?,?)", (s.id, s.country, None, s.lat, s.lon, s.elevation, s.timezone))
        con.execute("INSERT INTO names VALUES (?,?,?)", (s.id, "en", s.name))
        con.execute("INSERT INTO identifiers VALUES (?,?,?)", (s.id, "wmo", s.id))
    con.commit()
    con.close()


def daily_rows(year: int, values) -> list[str]:
    """CSV lines (no header) for every day of `year`; values(day: date) → dict column → value."""
    lines = []
    d = date(year, 1, 1)
    while d.year == year:
        v = values(d)
        cells = [str(d.year), str(d.month), str(d.day)]
        for c in DAILY_COLUMNS:
            x = v.get(c)
            cells += ["" if x is None else f"{x:g}", "" if x is None else "ghcnd"]
        lines.append(",".join(cells))
        d += timedelta(days=1)
    return lines


def write_daily(root: Path, station: str, year: int, values) -> Path:
    """daily/{year}/{station}.csv.gz: year,month,day then each column with its _source column."""
    path = root / "daily" / str(year) / f"{station}.csv.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ["year", "month", "day"] + [x for c in DAILY_COLUMNS for x in (c, f"{c}_source")]
    text = "\n".join([",".join(header), *daily_rows(year, values)]) + "\n"
    path.write_bytes(gzip.compress(text.encode(), mtime=0))
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class MirrorServer:
    """Serves `root` on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, root: Path):
        handler = lambda *a, **kw: _Quiet(*a, directory=str(root), **kw)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers (a hung data server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                continue

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


class HostileServer(SilentServer):
    """Answers every request with HTTP 200 and a body from `body()` (an iterable of byte chunks),
    sent as fast as the reader takes it: an endless stream, or a gzip bomb."""

    def __init__(self, body, headers: str = "Content-Type: application/gzip\r\n"):
        super().__init__()
        self.body, self.headers = body, headers
        self.sent = 0

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c: socket.socket):
        try:
            c.recv(65536)
            c.sendall(f"HTTP/1.1 200 OK\r\n{self.headers}Connection: close\r\n\r\n".encode())
            for chunk in self.body():
                if self._stop:
                    break
                c.sendall(chunk)
                self.sent += len(chunk)
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class TrickleServer(HostileServer):
    """Answers every request with a valid HTTP header and then one byte a second, for ever (or
    until `seconds`): a per-read timeout never trips, only a wall-clock deadline does."""

    def __init__(self, seconds: float = 120):
        super().__init__(self._bytes, headers="Content-Type: application/gzip\r\nContent-Length: 1000000\r\n")
        self.seconds = seconds

    def _bytes(self):
        import time

        t0 = time.monotonic()
        while not self._stop and time.monotonic() - t0 < self.seconds:
            yield b"\x1f"
            time.sleep(1.0)


class RawServer(HostileServer):
    """Answers every request with the raw bytes of `answer()` (status line and headers included),
    `delay` seconds apart: a status line or headers trickled a byte a second, endless headers,
    or an answer that is not HTTP at all. It stops after `seconds`, so a reader that does not
    stop itself fails a test instead of hanging it."""

    def __init__(self, answer, delay: float = 0.0, seconds: float = 30.0):
        super().__init__(answer)
        self.delay, self.seconds = delay, seconds

    def _serve(self, c: socket.socket):
        import time

        t0 = time.monotonic()
        try:
            c.recv(65536)
            for chunk in self.body():
                if self._stop or time.monotonic() - t0 > self.seconds:
                    break
                c.sendall(chunk)
                self.sent += len(chunk)
                if self.delay:
                    time.sleep(self.delay)
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def endless():
    """1 MiB chunks for ever."""
    chunk = b"\x1f\x8b" + b"x" * (1024 * 1024 - 2)
    while True:
        yield chunk


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(inflated_mib: int = 4096) -> bytes:
    """A valid gzip file of `inflated_mib` MiB of zeros, ~1 MB per GiB: members of 64 MiB each
    (a multi-member gzip file, which gzip and pandas read whole), built in a fraction of a second."""
    if inflated_mib not in _BOMBS:
        member = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9)
        _BOMBS[inflated_mib] = member * max(1, inflated_mib // 64)
    return _BOMBS[inflated_mib]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def seasonal(d: date, mean: float, amp: float, peak_month: int = 7) -> float:
    """A smooth annual cycle: mean + amp·cos(2π(month − peak)/12), constant within a month."""
    return round(mean + amp * np.cos(2 * np.pi * (d.month - peak_month) / 12), 1)
