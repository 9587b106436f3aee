"""Refresh climate normals from Meteostat (meteostat 2.x) into the user store.

For each city: nearby stations (`stations.nearby`), daily data for the period, interpolation to
the city point (`interpolate`, with lapse-rate correction by elevation), aggregation to the
normals schema, validation, then one atomic write of the Parquet store. Daily data is used
because monthly data has no wind; humidity also comes from daily data.

Every network read is bounded: meteostat's CSV reads go through pandas/urllib, which ignore
MS_NETWORK_TIMEOUT, so the process-wide socket timeout is set too.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .astro import monthly_max_sunshine_hours
from .atlas import STORE_FILE, load_cities, read_store, resolve_city
from .errors import AtlasError, RefreshError
from .paths import user_store_dir
from .schema import NORMALS_COLUMNS, VARIABLES, validate_normals
from .storage import atomic_write

log = logging.getLogger(__name__)

SEARCH_RADIUS_M = 75_000
MAX_STATIONS = 4
WET_DAY_MM = 1.0            # a wet day has at least 1 mm of precipitation (WMO convention)
MIN_DAYS_FRACTION = 0.8     # a month's totals need 80 % of its days
MIN_YEARS_FRACTION = 0.5    # a calendar month's normal needs half of the period's years
DEFAULT_TIMEOUT_S = 20


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


def _configure_meteostat(store: Path, timeout_s: int) -> None:
    """MS_* defaults (read by meteostat at import) and the socket timeout for CSV reads."""
    os.environ.setdefault("MS_CACHE_DIRECTORY", str(store / "meteostat-cache"))
    os.environ.setdefault("MS_STATIONS_DB_FILE", str(store / "meteostat-cache" / "stations.db"))
    # meteostat writes the station list there but does not create the folder
    Path(os.environ["MS_STATIONS_DB_FILE"]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MS_NETWORK_TIMEOUT", str(timeout_s))
    os.environ.setdefault("MS_NETWORK_MAX_RETRIES", "1")
    socket.setdefaulttimeout(timeout_s)


class _CityLog(logging.Handler):
    """Collects meteostat's warnings per thread, to say why a city got no data."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.by_thread: dict[int, list[logging.LogRecord]] = {}
        self._guard = threading.Lock()

    def emit(self, record):
        msg = record.getMessage()
        if any(k in msg for k in ("not found", "Could not load", "Could not fetch", "HTTP error")):
            with self._guard:
                self.by_thread.setdefault(record.thread, []).append(record)

    def take(self) -> list[logging.LogRecord]:
        with self._guard:
            return self.by_thread.pop(threading.get_ident(), [])


def _caused_by(exc: BaseException, kind: type) -> bool:
    """Is `exc`, or an exception it was raised from, of type `kind`?"""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class _Unreachable(RuntimeError):
    """A city failed because the data server could not be reached (not because data was missing)."""


def _network_error(record: logging.LogRecord) -> bool:
    """Did this record's exception come from the network (refused, reset, timed out)?"""
    from urllib.error import HTTPError, URLError

    exc = record.exc_info[1] if record.exc_info else None
    if exc is None or _caused_by(exc, HTTPError):
        return False
    return _caused_by(exc, URLError) or _caused_by(exc, TimeoutError) or _caused_by(exc, ConnectionError)


def _reads_cache(record: logging.LogRecord) -> bool:
    """Did this record's exception come from reading meteostat's local cache?"""
    tb = record.exc_info[2] if record.exc_info else None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "_read_pickle":
            return True
        tb = tb.tb_next
    return False


def aggregate_daily(daily: pd.DataFrame, lat: float, city_id: str, start: int, end: int) -> pd.DataFrame:
    """Daily series (index: dates; temp/tmin/tmax °C, rhum %, prcp mm, wspd km/h, tsun min)
    → 12 rows of normals in the atlas schema with provenance.

    Monthly totals (precipitation, wet days, sunshine) need MIN_DAYS_FRACTION of the month's
    days; a calendar month's normal needs MIN_YEARS_FRACTION of the years.
    """
    d = daily.copy()
    for c in ("temp", "tmin", "tmax", "rhum", "prcp", "wspd", "tsun"):
        d[c] = d[c].astype("float64") if c in d.columns else np.nan
    idx = pd.DatetimeIndex(d.index)
    d["year"], d["month"] = idx.year, idx.month
    g = d.groupby(["year", "month"])
    days_in = pd.Series(pd.to_datetime(dict(year=g.size().index.get_level_values(0),
                                            month=g.size().index.get_level_values(1), day=1)).dt.days_in_month.to_numpy())
    full = lambda col: g[col].count().to_numpy() >= MIN_DAYS_FRACTION * days_in.to_numpy()  # noqa: E731
    monthly = pd.DataFrame(
        {
            "tmax_c": g["tmax"].mean().to_numpy(),
            "tmin_c": g["tmin"].mean().to_numpy(),
            "tmean_c": g["temp"].mean().to_numpy(),
            "rhum_pct": g["rhum"].mean().to_numpy(),
            "wind_kmh": g["wspd"].mean().to_numpy(),
            "prcp_mm": np.where(full("prcp"), g["prcp"].sum().to_numpy() / np.maximum(g["prcp"].count().to_numpy(), 1) * days_in, np.nan),
            "wet_days": np.where(full("prcp"), (d["prcp"] >= WET_DAY_MM).groupby([d["year"], d["month"]]).sum().to_numpy()
                                 / np.maximum(g["prcp"].count().to_numpy(), 1) * days_in, np.nan),
            "sun_hours": np.where(full("tsun"), g["tsun"].sum().to_numpy() / 60.0 / np.maximum(g["tsun"].count().to_numpy(), 1) * days_in, np.nan),
        },
        index=g.size().index,
    )
    n_years = end - start + 1
    min_years = max(1, math.ceil(MIN_YEARS_FRACTION * n_years))
    by_month = monthly.groupby(level="month")
    normal = by_month.mean().where(by_month.count() >= min_years).reindex(range(1, 13))
    out = pd.DataFrame({"city_id": city_id, "month": np.arange(1, 13)})
    for v in VARIABLES:
        if v == "cloud_pct":
            continue
        out[v] = normal[v].to_numpy() if v in normal else np.nan
        out[f"{v}_src"] = np.where(np.isnan(out[v]), "missing", "measured")
    fill = out["tmean_c"].isna() & out["tmax_c"].notna() & out["tmin_c"].notna()
    out.loc[fill, "tmean_c"] = (out.loc[fill, "tmax_c"] + out.loc[fill, "tmin_c"]) / 2
    out.loc[fill, "tmean_c_src"] = "derived"
    # Cloud cover from relative sunshine duration, 100·(1 − S/S₀), as in the embedded atlas.
    s0 = monthly_max_sunshine_hours(lat, out["month"].to_numpy())
    with np.errstate(invalid="ignore", divide="ignore"):
        cloud = np.where(s0 >= 10, np.clip(100 * (1 - out["sun_hours"].to_numpy() / s0), 0, 100), np.nan)
    out["cloud_pct"] = cloud
    out["cloud_pct_src"] = np.where(np.isnan(cloud), "missing", "derived")
    decimals = {v: 1 for v in VARIABLES} | {"rhum_pct": 0, "cloud_pct": 0}
    for v, k in decimals.items():
        out[v] = out[v].astype(float).round(k)
    out["period"] = f"{start}-{end}"
    return out[NORMALS_COLUMNS]


def fetch_city(city: pd.Series, start: int, end: int) -> pd.DataFrame:
    """Daily series interpolated to the city point. Raises RuntimeError with a reason."""
    import meteostat as ms

    elev = None if pd.isna(city["elevation_m"]) else int(city["elevation_m"])
    point = ms.Point(float(city["lat"]), float(city["lon"]), elev)
    near = ms.stations.nearby(point, radius=SEARCH_RADIUS_M, limit=MAX_STATIONS)
    if near is None or len(near) == 0:
        raise RuntimeError(f"no Meteostat station within {SEARCH_RADIUS_M // 1000} km")
    params = [ms.Parameter.TEMP, ms.Parameter.TMIN, ms.Parameter.TMAX, ms.Parameter.RHUM,
              ms.Parameter.PRCP, ms.Parameter.WSPD, ms.Parameter.TSUN]
    ts = ms.daily(near, date(start, 1, 1), date(end, 12, 31), parameters=params)
    df = ms.interpolate(ts, point).fetch()  # fetches the stations' files once
    if df is None or len(df) == 0:
        raise RuntimeError(f"no daily data from stations {', '.join(map(str, near.index))}")
    return df


def _refresh_one(city: pd.Series, start: int, end: int, catcher: _CityLog) -> pd.DataFrame:
    try:
        daily = fetch_city(city, start, end)
    except RuntimeError as exc:
        records = catcher.take()
        if any(_reads_cache(r) for r in records):
            cache = os.environ.get("MS_CACHE_DIRECTORY", "~/.meteostat/cache")
            raise RuntimeError(f"the local Meteostat cache in {cache} is damaged; delete that folder and refresh "
                               "again (it only holds downloaded copies)") from None
        if records and all(_network_error(r) for r in records):
            raise _Unreachable(f"{exc} (data server unreachable)") from None
        if records:
            more = " …" if len(records) > 1 else ""
            raise RuntimeError(f"{exc} ({records[0].getMessage()}{more})") from None
        raise
    catcher.take()
    normals = aggregate_daily(daily, float(city["lat"]), city["city_id"], start, end)
    core = normals[["tmax_c", "tmin_c"]].isna().any(axis=1)
    if core.any():
        raise RuntimeError(f"too little data for months {normals.loc[core, 'month'].tolist()} (needs tmax and tmin)")
    validate_normals(normals, pd.Series({city["city_id"]: float(city["lat"])}))
    return normals


def refresh(city_ids: list[str] | None = None, start: int = 1991, end: int = 2020, workers: int = 4,
            store_dir: Path | None = None, timeout_s: int = DEFAULT_TIMEOUT_S, progress: bool = True) -> RefreshSummary:
    """Fetch, aggregate and store normals for the given cities (default: all with stations).

    Raises RefreshError when Meteostat cannot be reached at all (nothing is written).
    One city failing does not stop the others; the summary names each failure.
    """
    if end < start:
        raise RefreshError(f"--end {end} is before --start {start}.")
    if start < 1900 or end > date.today().year:
        raise RefreshError(f"Period {start}–{end} is outside 1900–{date.today().year}.")
    store = Path(store_dir or user_store_dir())
    cities = load_cities().set_index("city_id", drop=False)
    ids = list(cities.index[cities["station_ids"] != ""]) if not city_ids else \
        list(dict.fromkeys(resolve_city(c, cities) for c in city_ids))
    try:
        existing = read_store(store)
    except AtlasError as exc:
        raise RefreshError(f"{exc} Nothing was fetched.") from None
    _configure_meteostat(store, timeout_s)
    import meteostat as ms

    try:  # one cheap call first: no network means one clear message, not one per city
        ms.stations.nearby(ms.Point(0.0, 0.0), radius=1, limit=1)
    except Exception as exc:
        if _caused_by(exc, sqlite3.DatabaseError):  # pandas wraps it in its own DatabaseError
            raise RefreshError(
                f"The cached Meteostat station list {os.environ['MS_STATIONS_DB_FILE']} is damaged (not a readable "
                "SQLite file). Delete it and try again (it is downloaded anew); the embedded atlas and earlier "
                "refreshed data are unchanged."
            ) from None
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise RefreshError(
            f"Cannot reach Meteostat to download its station list ({reason}). Check the network "
            "connection (or the MS_* settings) and try again; the embedded atlas and earlier "
            "refreshed data are unchanged."
        ) from None
    catcher = _CityLog()
    mlog = logging.getLogger("meteostat")
    saved_level, saved_propagate = mlog.level, mlog.propagate
    mlog.setLevel(logging.INFO)  # the reasons a file was not loaded are INFO/WARNING records
    mlog.propagate = False       # collected for the summary instead of printed as they come
    mlog.addHandler(catcher)
    summary = RefreshSummary(store=store)
    results: list[pd.DataFrame] = []
    unreachable: set[str] = set()
    try:
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), desc="Refreshing", unit="city")
        with ThreadPoolExecutor(max_workers=max(1, min(workers, 8))) as pool:
            futures = {pool.submit(_refresh_one, cities.loc[cid], start, end, catcher): cid for cid in ids}
            for fut in as_completed(futures):
                cid = futures[fut]
                try:
                    results.append(fut.result())
                    summary.saved.append(cid)
                except Exception as exc:  # one city's failure must not stop the others
                    summary.failed[cid] = str(exc) or type(exc).__name__
                    if isinstance(exc, _Unreachable):
                        unreachable.add(cid)
                if bar:
                    bar.update(1)
        if bar:
            bar.close()
    finally:
        mlog.removeHandler(catcher)
        mlog.setLevel(saved_level)
        mlog.propagate = saved_propagate
    if not results and unreachable and unreachable == set(summary.failed):
        raise RefreshError(
            f"Cannot reach Meteostat's data server ({os.environ.get('MS_DAILY_ENDPOINT', 'data.meteostat.net')}): "
            f"every request for {len(unreachable)} cit{'y' if len(unreachable) == 1 else 'ies'} failed or timed out. "
            "Check the network connection and try again; the embedded atlas and earlier refreshed data are unchanged."
        )
    if results:
        new = pd.concat(results, ignore_index=True)
        if existing is not None:
            new = pd.concat([existing[~existing["city_id"].isin(new["city_id"])], new], ignore_index=True)
        new = new.sort_values(["city_id", "month"]).reset_index(drop=True)
        atomic_write(store / STORE_FILE, lambda p: new.to_parquet(p, index=False))
    summary.saved.sort()
    return summary
