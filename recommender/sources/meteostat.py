"""Source: Meteostat (meteostat 2.x) — the station register and on-demand daily station data.

- `read_station_register` / `nearest_stations`: the flattened station register, used by the
  build for each city's nearby station ids and elevation.
- `Settings` + `configured(settings)`: meteostat's own typed config (`meteostat.config`),
  set for the duration of a refresh and restored afterwards. Nothing is written to
  `os.environ` and no process-wide socket timeout is set; `MS_*` variables a user exported
  are honoured (meteostat reads them at import) and win over our defaults.
- `fetch_daily(lat, lon, elevation, start, end)`: daily series interpolated to a city point
  (`stations.nearby` → `daily` → `interpolate`), raising `FetchError` with a `problem` code.
- `LogCollector` + `classify`: meteostat reports a missing or unreadable file by logging, not
  by raising; its records are collected per thread and classified by the *type* of the
  exception they carry and the module that raised it, never by message wording.

Licence of the data: CC BY 4.0, "Meteostat and its data providers".
"""

from __future__ import annotations

import errno
import gzip
import logging
import os
import re
import sqlite3
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..storage import remove_files
from . import download

SEARCH_RADIUS_M = 75_000
MAX_STATIONS = 4
PARAMETERS = ("TEMP", "TMIN", "TMAX", "RHUM", "PRCP", "WSPD", "TSUN")

# Problem codes of a failed fetch (the refresh turns them into words).
NOT_FOUND = "not_found"          # the server has no file for the station and year (HTTP 404)
SERVER_ERROR = "server_error"    # the server answered with another HTTP error
UNREACHABLE = "unreachable"      # refused, reset or timed out
CORRUPT_FILE = "corrupt_file"    # a downloaded file that is not gzip/CSV
TOO_SLOW = download.TOO_SLOW     # the server answered, too slowly for the deadline
TOO_LARGE = download.TOO_LARGE   # a response beyond the byte cap
BOMB = download.BOMB             # a gzip file that would inflate beyond the cap
NOT_HTTP = download.NOT_HTTP     # the server's answer is not HTTP
DISK_FULL = download.DISK_FULL   # meteostat's cache (or a download) could not be written: no space
DAMAGED_CACHE = "damaged_cache"  # meteostat's local cache holds an unreadable entry
NO_STATION = "no_station"        # no station within SEARCH_RADIUS_M
NO_DATA = "no_data"              # stations, but no rows came back
OTHER = "other"


# ---------------------------------------------------------------------------- station register


def read_station_register(path: Path) -> pd.DataFrame:
    """Meteostat station register (flattened CSV): id, lat, lon, elevation (m), sorted by id."""
    st = pd.read_csv(path, dtype={"id": str}, keep_default_na=False, na_values=[""])
    st = st.dropna(subset=["latitude", "longitude"]).sort_values("id").reset_index(drop=True)
    return st.rename(columns={"latitude": "lat", "longitude": "lon"})[["id", "lat", "lon", "elevation"]]


def nearest_stations(stations: pd.DataFrame, lat: np.ndarray, lon: np.ndarray, k: int = 3):
    """(distances km, station row numbers) of the k nearest stations for each point (°N, °E)."""
    from sklearn.neighbors import BallTree

    from ..places.names import EARTH_RADIUS_KM

    tree = BallTree(np.radians(stations[["lat", "lon"]].to_numpy()), metric="haversine")
    d, i = tree.query(np.radians(np.c_[lat, lon]), k=k)
    return d * EARTH_RADIUS_KM, i


# ---------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Settings:
    """Where meteostat keeps its downloads and how patient its own downloads are."""

    cache_directory: Path
    stations_db_file: Path
    network_timeout_s: int = 20
    network_max_retries: int = 1

    @classmethod
    def for_store(cls, store: Path, network_timeout_s: int = 20) -> "Settings":
        """Defaults beside the user store (an exported MS_* variable keeps precedence)."""
        cache = Path(store) / "meteostat-cache"
        return cls(cache_directory=cache, stations_db_file=cache / "stations.db", network_timeout_s=network_timeout_s)


_SETTING_KEYS = {"cache_directory": "cache_directory", "stations_db_file": "stations_db_file",
                 "network_timeout_s": "network_timeout", "network_max_retries": "network_max_retries"}


@contextmanager
def configured(settings: Settings):
    """Apply `settings` to `meteostat.config` for the duration of the block, then restore it.

    A value the user set through an MS_* environment variable is left as the user set it.
    Yields the effective (cache directory, stations-db file) paths.
    """
    import meteostat as ms

    saved = {}
    for ours, theirs in _SETTING_KEYS.items():
        if f"MS_{theirs.upper()}" in os.environ:
            continue
        saved[theirs] = getattr(ms.config, theirs)
        value = getattr(settings, ours)
        setattr(ms.config, theirs, str(value) if isinstance(value, Path) else value)
    db_file = Path(ms.config.stations_db_file).expanduser()
    db_file.parent.mkdir(parents=True, exist_ok=True)  # meteostat does not create it
    # meteostat creates its cache folder on first write with os.makedirs (no exist_ok): two workers
    # writing first at once made one of them fail as a "damaged cache"; it exists before they start
    Path(ms.config.cache_directory).expanduser().mkdir(parents=True, exist_ok=True)
    download.install()                                  # every daily file read under download.Limits
    try:
        yield Path(ms.config.cache_directory).expanduser(), db_file
    finally:
        for theirs, value in saved.items():
            setattr(ms.config, theirs, value)


# ---------------------------------------------------------------------------- errors


class FetchError(RuntimeError):
    """A city's data could not be fetched; `problem` is one of the codes above, `detail` the
    first message meteostat logged (for display only)."""

    def __init__(self, problem: str, detail: str = "", stations: tuple[str, ...] = ()):
        super().__init__(problem if not detail else f"{problem}: {detail}")
        self.problem, self.detail, self.stations = problem, detail, stations


def _chain(exc: BaseException | None):
    """`exc`, then each exception it was raised from (each once)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        yield exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__


def cause(exc: BaseException | None, kinds) -> BaseException | None:
    """`exc`, or the first exception it was raised from, that is an instance of `kinds`."""
    return next((e for e in _chain(exc) if isinstance(e, kinds)), None)


def _disk_full(exc: BaseException | None) -> bool:
    """Was `exc`, or an exception it was raised from, a write refused for want of space?"""
    return any(isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT) for e in _chain(exc))


def caused_by(exc: BaseException | None, kinds) -> bool:
    """Is `exc`, or an exception it was raised from, an instance of `kinds`?"""
    return cause(exc, kinds) is not None


def _raised_in(tb, module: str) -> bool:
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") == module:
            return True
        tb = tb.tb_next
    return False


def classify(record: logging.LogRecord) -> str:
    """Problem code of a meteostat log record, from the exception it carries.

    meteostat's provider logs a missing file (HTTP 404) without an exception and every other
    failure with one; a failure raised inside its cache module is a damaged cache entry."""
    from urllib.error import HTTPError, URLError

    if not record.exc_info:
        return NOT_FOUND
    exc, tb = record.exc_info[1], record.exc_info[2]
    bounded = cause(exc, download.DownloadError)
    if bounded is not None:                            # our bounds: the server answered, too slowly or too much
        return bounded.problem if bounded.problem in (TOO_SLOW, TOO_LARGE, BOMB, NOT_HTTP, DISK_FULL) else UNREACHABLE
    if _disk_full(exc):                                # not a damaged cache: a full disk
        return DISK_FULL
    if _raised_in(tb, "meteostat.core.cache"):
        return DAMAGED_CACHE
    if caused_by(exc, HTTPError):
        return SERVER_ERROR
    if caused_by(exc, (URLError, TimeoutError, ConnectionError)):
        return UNREACHABLE
    if caused_by(exc, (gzip.BadGzipFile, EOFError, zlib.error, pd.errors.ParserError, pd.errors.EmptyDataError,
                       UnicodeDecodeError)):
        return CORRUPT_FILE
    return OTHER


def _with_cause(message: str, exc: BaseException | None) -> str:
    """meteostat's message ("Could not load data file …") and what it caught, on one line."""
    if exc is None:
        return message
    return f"{message} ({type(exc).__name__}: {download.one_line(exc)})"


def is_damaged_station_db(exc: BaseException) -> bool:
    """Did opening the station list fail because the cached SQLite file is damaged?"""
    return caused_by(exc, sqlite3.DatabaseError)


_purge_guard = threading.Lock()
_CACHE_ENTRY = re.compile(r"[0-9a-f]{32}\.pickle")


def discard_damaged_cache(cache_dir: Path) -> list[Path]:
    """Delete the entries of meteostat's download cache that cannot be read back (a torn
    file); they are downloaded again. Only meteostat's own entries are candidates — regular files
    named `<md5 hex>.pickle` directly in the cache folder (meteostat's core/cache.py) — so a file
    of anyone else's in a folder MS_CACHE_DIRECTORY names is never touched. Returns the deleted."""
    with _purge_guard:
        entries = [p for p in sorted(Path(cache_dir).glob("*.pickle"))
                   if _CACHE_ENTRY.fullmatch(p.name) and p.is_file() and not p.is_symlink()]
        return remove_files(entries, _unreadable_pickle)


def _unreadable_pickle(p: Path) -> bool:
    try:
        pd.read_pickle(p)
    except Exception:
        return True
    return False


class LogCollector(logging.Handler):
    """Collects the meteostat provider's records per thread (those that say why a file was not
    loaded: a missing file, or any record carrying an exception)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self._by_thread: dict[int, list[logging.LogRecord]] = {}
        self._guard = threading.Lock()

    def emit(self, record):
        if record.exc_info or record.module == "shared":  # providers/meteostat/shared.py: the file handler
            with self._guard:
                self._by_thread.setdefault(record.thread, []).append(record)

    def take(self) -> list[logging.LogRecord]:
        """The records of the calling thread since its last take()."""
        with self._guard:
            return self._by_thread.pop(threading.get_ident(), [])


@contextmanager
def collecting():
    """Route meteostat's INFO/WARNING records to a LogCollector (not the console) for a block."""
    collector = LogCollector()
    mlog = logging.getLogger("meteostat")
    saved = mlog.level, mlog.propagate
    mlog.setLevel(logging.INFO)
    mlog.propagate = False
    mlog.addHandler(collector)
    try:
        yield collector
    finally:
        mlog.removeHandler(collector)
        mlog.setLevel(saved[0])
        mlog.propagate = saved[1]


# ---------------------------------------------------------------------------- fetching


def ensure_station_list(db_file: Path, limits: download.Limits) -> str | None:
    """Download meteostat's station list into `db_file` ourselves, bounded by `limits`, when it
    is missing or stale by meteostat's own rule (older than max(stations_db_ttl, cache_ttl)), so
    that meteostat finds it fresh and never downloads it unbounded. Returns the URL used (None
    when the file was fresh). Raises download.DownloadError."""
    import time

    import meteostat as ms

    try:
        age = time.time() - db_file.stat().st_mtime
        if db_file.stat().st_size > 0 and age <= max(ms.config.stations_db_ttl, ms.config.cache_ttl):
            return None
    except OSError:
        pass
    return download.fetch_file(list(ms.config.stations_db_endpoints), db_file, limits)


def probe() -> None:
    """One cheap call that needs the station list: raises when it cannot be had."""
    import meteostat as ms

    ms.stations.nearby(ms.Point(0.0, 0.0), radius=1, limit=1)


def fetch_daily(lat: float, lon: float, elevation_m: float | None, start: int, end: int,
                collector: LogCollector | None = None) -> pd.DataFrame:
    """Daily series (°C, %, mm, km/h, min of sunshine) for start–end interpolated to the point
    (meteostat's lapse-rate correction uses the elevation). Raises FetchError."""
    import meteostat as ms

    elev = None if elevation_m is None or pd.isna(elevation_m) else int(elevation_m)
    point = ms.Point(float(lat), float(lon), elev)
    near = ms.stations.nearby(point, radius=SEARCH_RADIUS_M, limit=MAX_STATIONS)
    if near is None or len(near) == 0:
        raise FetchError(NO_STATION, f"no Meteostat station within {SEARCH_RADIUS_M // 1000} km")
    stations = tuple(map(str, near.index))
    ts = ms.daily(near, date(start, 1, 1), date(end, 12, 31), parameters=[getattr(ms.Parameter, p) for p in PARAMETERS])
    df = ms.interpolate(ts, point).fetch()  # fetches the stations' files once
    records = collector.take() if collector else []
    if df is None or len(df) == 0:
        problems = [classify(r) for r in records]
        first = records[0].getMessage() + (" …" if len(records) > 1 else "") if records else ""
        for code in (DISK_FULL, DAMAGED_CACHE, BOMB, TOO_LARGE, NOT_HTTP, CORRUPT_FILE, SERVER_ERROR, TOO_SLOW, OTHER):
            if code in problems:
                exc = records[problems.index(code)].exc_info[1]
                bounded = cause(exc, download.DownloadError)
                raise FetchError(code, bounded.detail if bounded is not None else _with_cause(first, exc), stations)
        if problems and all(p == UNREACHABLE for p in problems):
            raise FetchError(UNREACHABLE, first, stations)
        raise FetchError(NOT_FOUND if NOT_FOUND in problems else NO_DATA, first, stations)
    return df
