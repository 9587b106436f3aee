"""Refresh climate normals from Meteostat into the user store (orchestration only).

For each city: `sources.meteostat.fetch_daily` (nearby stations, daily data, interpolation to
the city point), `climate.derive.normals_from_daily`, validation, then one transaction per
city in the store (storage.NormalsStore: SQLite, so concurrent refreshes lose nothing). Daily
data is used because monthly data has no wind. A damaged entry of meteostat's download cache (or
one another worker was still writing) or a torn station list is discarded and fetched again, once.

Deadlines: meteostat reads its CSV files through pandas/urllib, which ignore its network
timeout, and a server that trickles bytes never trips a per-read timeout anyway. So each
city runs in a daemon worker thread and the orchestrator enforces wall-clock deadlines per
city (`city_deadline_s`) and for the whole run (`deadline_s`): a city past its deadline is
reported as failed and its worker abandoned (it cannot write: only the orchestrator writes,
and only after the run). No process-wide state is changed (no os.environ writes, no socket
default timeout).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..atlas import load_cities, resolve_city
from ..climate.derive import normals_from_daily
from ..climate.validate import validate_normals
from ..errors import RecommenderError, RefreshError
from ..paths import user_store_dir
from ..sources import download, meteostat as msrc
from ..storage import NormalsStore

DEFAULT_TIMEOUT_S = 20
DEFAULT_CITY_DEADLINE_S = 120.0
DEFAULT_DEADLINE_S = 1800.0
MAX_WORKERS = 8


@dataclass
class RefreshSummary:
    """What a refresh saved and what failed (city id → reason)."""

    saved: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    store: Path | None = None

    def text(self) -> str:
        lines = [f"Refreshed {len(self.saved)} of {len(self.saved) + len(self.failed)} cities"
                 + (f" into {self.store}" if self.store and self.saved else "") + "."]
        for cid, why in sorted(self.failed.items()):
            lines.append(f"  failed: {cid}: {why}")
        return "\n".join(lines)


def _reason(err: msrc.FetchError, cache_dir: Path) -> str:
    """A failed city's reason in words."""
    if err.problem == msrc.DAMAGED_CACHE:
        return (f"the local Meteostat cache in {cache_dir} is damaged; delete that folder and refresh again "
                "(it only holds downloaded copies)")
    if err.problem in (msrc.NO_STATION,):
        return err.detail
    head = f"no daily data from stations {', '.join(err.stations)}"
    if err.problem == msrc.UNREACHABLE:
        return f"{head} (data server unreachable)"
    if err.problem == msrc.TOO_SLOW:
        return f"{head} (the data server answered too slowly for the deadline)"
    if err.problem in (msrc.TOO_LARGE, msrc.BOMB, msrc.NOT_HTTP):
        return f"{head} (refused a response from the data server: {err.detail or 'too large'})"
    if err.problem == msrc.DISK_FULL:
        return (f"the disk is full: Meteostat's cache in {cache_dir} cannot be written; free space (or set "
                "MS_CACHE_DIRECTORY to a folder on another disk) and refresh again")
    return f"{head} ({err.detail})" if err.detail else head


def refresh_city(city: pd.Series, start: int, end: int, collector: msrc.LogCollector | None = None) -> pd.DataFrame:
    """Twelve validated normals rows for one registry city. Raises FetchError or RuntimeError."""
    daily = msrc.fetch_daily(city["lat"], city["lon"], city["elevation_m"], start, end, collector)
    normals = normals_from_daily(daily, float(city["lat"]), city["city_id"], start, end)
    core = normals[["tmax_c", "tmin_c"]].isna().any(axis=1)
    if core.any():
        raise RuntimeError(f"too little data for months {normals.loc[core, 'month'].tolist()} (needs tmax and tmin)")
    validate_normals(normals, pd.Series({city["city_id"]: float(city["lat"])}))
    return normals


def _check_options(start: int, end: int, workers: int, timeout_s: float, city_deadline_s: float, deadline_s: float) -> None:
    this_year = date.today().year
    if end < start:
        raise RefreshError(f"--end {end} is before --start {start}.")
    if start < 1900 or end > this_year:
        raise RefreshError(f"Period {start}–{end} is outside 1900–{this_year}.")
    for name, value, lo, hi in (("--workers", workers, 1, MAX_WORKERS), ("--timeout", timeout_s, 1, 600),
                                ("--city-deadline", city_deadline_s, 1, 3600), ("--deadline", deadline_s, 1, 86400)):
        if not lo <= value <= hi:
            raise RefreshError(f"{name} must be between {lo:g} and {hi:g}, got {value:g}.")


def refresh(city_ids: list[str] | None = None, start: int = 1991, end: int = 2020, workers: int = 4,
            store_dir: Path | None = None, timeout_s: int = DEFAULT_TIMEOUT_S, progress: bool = True,
            city_deadline_s: float = DEFAULT_CITY_DEADLINE_S, deadline_s: float = DEFAULT_DEADLINE_S) -> RefreshSummary:
    """Fetch, aggregate and store normals for the given cities (default: all with stations).

    Raises RefreshError when Meteostat cannot be reached at all (nothing is written). One
    city failing does not stop the others; the summary names each failure.
    """
    _check_options(start, end, workers, timeout_s, city_deadline_s, deadline_s)
    home = Path(store_dir or user_store_dir())
    store = NormalsStore(home)
    cities = load_cities().set_index("city_id", drop=False)
    ids = list(cities.index[cities["station_ids"] != ""]) if not city_ids else \
        list(dict.fromkeys(resolve_city(c, cities) for c in city_ids))
    try:
        store.check_writable()   # before any download
    except RecommenderError as exc:
        raise RefreshError(str(exc)) from None
    settings = msrc.Settings.for_store(home, network_timeout_s=int(timeout_s))
    limits = download.Limits.for_run(deadline_s, timeout_s)   # one deadline for every request, station list included
    with msrc.configured(settings) as (cache_dir, db_file), msrc.collecting() as collector:
        _station_list(db_file, limits)
        _probe(db_file)
        summary, results, unreachable, slow = _run(cities, ids, start, end, workers, progress, collector, cache_dir,
                                                   city_deadline_s, limits)
    summary.store = store.db
    import meteostat as ms

    server = ms.config.daily_endpoint.split('{')[0]
    if not results and slow and (unreachable | slow) == set(summary.failed):
        raise RefreshError(
            f"Meteostat's data server ({server}) answered too slowly: no complete answer for {len(slow)} "
            f"cit{'y' if len(slow) == 1 else 'ies'} within the deadline (--city-deadline {city_deadline_s:g} s, "
            f"--deadline {deadline_s:g} s). Try again later or allow more time; the embedded atlas and earlier "
            "refreshed data are unchanged.")
    if not results and unreachable and unreachable == set(summary.failed):
        raise RefreshError(
            f"Cannot reach Meteostat's data server ({server}): every request for "
            f"{len(unreachable)} cit{'y' if len(unreachable) == 1 else 'ies'} failed or timed out. Check the network "
            "connection and try again; the embedded atlas and earlier refreshed data are unchanged.")
    try:  # only after the run: an interrupted run writes nothing; each city is one transaction
        store.write_cities((f["city_id"].iloc[0], f.reset_index(drop=True)) for f in results)
    except RecommenderError as exc:
        raise RefreshError(str(exc)) from None
    summary.saved.sort()
    return summary


def _station_list(db_file: Path, limits: download.Limits) -> None:
    """The station list, downloaded by us under the run's limits (never by meteostat, unbounded)."""
    try:
        msrc.ensure_station_list(db_file, limits.capped(download.STATION_LIST))
    except download.DownloadError as exc:
        advice = ("Free space or choose another folder with RECOMMENDER_HOME" if exc.problem == download.DISK_FULL else
                  "Check the network connection (or the MS_* settings) and try again"
                  if exc.problem == download.UNREACHABLE else "Try again later (or check the MS_STATIONS_DB_ENDPOINTS "
                  "setting)")
        head = (f"Cannot reach Meteostat to download its station list: {exc.detail}" if exc.problem == download.UNREACHABLE
                else f"Cannot download Meteostat's station list: {exc.detail}")
        raise RefreshError(f"{head} ({exc.url}). {advice}; the embedded atlas and earlier refreshed data are "
                           "unchanged.") from None


def _probe(db_file: Path) -> None:
    """One cheap call first: no network means one clear message, not one per city. A damaged
    (e.g. half-downloaded) station list is discarded and downloaded again, once."""
    for attempt in (1, 2):
        try:
            msrc.probe()
            return
        except Exception as exc:
            if msrc.is_damaged_station_db(exc):
                if attempt == 1:
                    db_file.unlink(missing_ok=True)
                    continue
                raise RefreshError(
                    f"The Meteostat station list {db_file} is damaged even after downloading it again (not a readable "
                    "SQLite file). Check the MS_STATIONS_DB_ENDPOINTS setting; the embedded atlas and earlier refreshed "
                    "data are unchanged.") from None
            reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise RefreshError(
                f"Cannot reach Meteostat to download its station list ({reason}). Check the network connection "
                "(or the MS_* settings) and try again; the embedded atlas and earlier refreshed data are unchanged."
            ) from None


def _run(cities, ids, start, end, workers, progress, collector, cache_dir, city_deadline_s, limits):
    """Fetch the cities in at most `workers` daemon threads under the deadlines (the run's is
    `limits.deadline`; each worker's downloads are bounded by its city's)."""
    summary = RefreshSummary()
    results: list[pd.DataFrame] = []
    unreachable: set[str] = set()
    slow: set[str] = set()
    done: queue.Queue = queue.Queue()
    run_ends = limits.deadline
    pending = list(ids)
    running: dict[str, float] = {}  # city id → its deadline (monotonic s)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(ids), desc="Refreshing", unit="city")

    def work(cid: str, ends: float) -> None:
        bounds = limits.capped(download.DAILY_FILE).until(ends)
        try:
            with download.using(bounds):
                try:
                    frame = refresh_city(cities.loc[cid], start, end, collector)
                except msrc.FetchError as exc:
                    if exc.problem != msrc.DAMAGED_CACHE:
                        raise
                    # a torn entry is discarded; an entry another worker was still writing reads whole now
                    msrc.discard_damaged_cache(cache_dir)
                    frame = refresh_city(cities.loc[cid], start, end, collector)   # once more
            done.put((cid, frame, None))
        except BaseException as exc:  # reported by the orchestrator
            done.put((cid, None, exc))

    def finish(cid: str, why: str | None, frame=None, is_unreachable=False, is_slow=False) -> None:
        running.pop(cid, None)
        if why is None:
            results.append(frame)
            summary.saved.append(cid)
        else:
            summary.failed[cid] = why
            if is_unreachable:
                unreachable.add(cid)
            if is_slow:
                slow.add(cid)
        if bar:
            bar.update(1)

    try:
        while pending or running:
            while pending and len(running) < max(1, min(workers, MAX_WORKERS)) and time.monotonic() < run_ends:
                cid = pending.pop(0)
                running[cid] = min(time.monotonic() + city_deadline_s, run_ends)
                threading.Thread(target=work, args=(cid, running[cid]), daemon=True, name=f"refresh-{cid}").start()
            if not running:
                break
            wait = max(0.0, min(running.values()) - time.monotonic())
            try:
                cid, frame, exc = done.get(timeout=min(wait, 0.5))
            except queue.Empty:
                now = time.monotonic()
                for cid, ends in list(running.items()):
                    if now >= ends:
                        limit = "the run's deadline" if ends >= run_ends else f"{city_deadline_s:g} s"
                        finish(cid, f"no complete answer from Meteostat within {limit} (the data server is too slow "
                                    "or does not answer)", is_slow=True)
                continue
            if cid not in running:  # already given up on
                continue
            if exc is None:
                finish(cid, None, frame)
            elif isinstance(exc, msrc.FetchError):
                finish(cid, _reason(exc, cache_dir), is_unreachable=exc.problem == msrc.UNREACHABLE,
                       is_slow=exc.problem == msrc.TOO_SLOW)
            else:
                finish(cid, str(exc) or type(exc).__name__)
        for cid in pending:  # the run's deadline passed before they started
            summary.failed[cid] = "not started: the run's deadline passed"
            slow.add(cid)
    finally:
        if bar:
            bar.close()
    return summary, results, unreachable, slow
