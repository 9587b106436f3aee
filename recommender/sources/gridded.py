"""Source: gridded climatologies sampled at GSOD station points — a climate for any coordinate.

Two published climatologies, each sampled at ~23,000 GSOD weather-station locations
(`../shared/data/gridded_climatology/`, never copied into the repository):

[1] CRU CL v2.0 — New, Lister, Hulme & Makin (2002), A high-resolution data set of surface
    climate over global land areas, Climate Research 21:1–25. 1961–1990, 10′ grid: mean, max and
    min temperature, precipitation, wet days (> 0.1 mm), relative humidity, sunshine (% of
    possible), wind speed at 10 m.
[2] WorldClim 1.4 — Hijmans, Cameron, Parra, Jones & Jarvis (2005), Very high resolution
    interpolated climate surfaces for global land areas, Int. J. Climatol. 25:1965–1978.
    1960–1990, 30″ grid: min, max and mean temperature and precipitation.

**The rule** (`sample`): the MAX_POINTS nearest points within MAX_KM of the city, weighted by
inverse squared distance (distances under 1 km count as 1 km); temperatures are first moved
from each point's elevation to the city's with the environmental lapse rate LAPSE_C_PER_KM
(where the city's elevation is known; otherwise uncorrected and said so). A city with no point
within MAX_KM gets no gridded values.

**Which climatology for which variable** (`CHOICE`) was decided by measured error against the
Wikipedia station tables at the ~1,240 atlas cities with a point within 75 km (nearest point,
no correction, `python -m recommender build-atlas` recomputes it into data/README.md): WorldClim
is closer for temperature (median |error| of tmean 0.50 vs 0.60 °C, p95 1.9 vs 2.3 °C) and
precipitation (5.1 vs 5.6 mm/month); CRU alone has humidity, wet days, sunshine and wind.

Units out: °C, mm per month, wet days (> 0.1 mm) per month, %, sunshine as % of possible,
wind km/h (converted from the source's m/s here, at the edge).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MAX_KM = 75.0
MAX_POINTS = 4
IDW_POWER = 2.0
LAPSE_C_PER_KM = 6.5        # environmental lapse rate (ICAO standard atmosphere), °C per km
PERIOD = "1961-1990 (gridded)"
FOLDER = "gridded_climatology"

# atlas quantity → (climatology, its column pattern with {m} for the month 1–12)
SOURCES = {
    "worldclim": ("worldclim14_at_gsod_stations.csv.gz", {
        "tmax_c": "tmax{m}", "tmin_c": "tmin{m}", "tmean_c": "tmean{m}", "prcp_mm": "prec{m}"}),
    "cru": ("cru_cl2_at_gsod_stations.csv.gz", {
        "tmax_c": "tmx_{m:02d}", "tmin_c": "tmn_{m:02d}", "tmean_c": "tmp_{m:02d}", "prcp_mm": "pre_{m:02d}",
        "wet_days_01": "rd0_{m:02d}", "rhum_pct": "reh_{m:02d}", "sun_pct": "sun_{m:02d}", "wind_ms": "wnd_{m:02d}"}),
}
CHOICE = {"tmax_c": "worldclim", "tmin_c": "worldclim", "tmean_c": "worldclim", "prcp_mm": "worldclim",
          "wet_days_01": "cru", "rhum_pct": "cru", "sun_pct": "cru", "wind_ms": "cru"}
TEMPERATURES = ("tmax_c", "tmin_c", "tmean_c")


@dataclass
class Points:
    """One climatology at its points: coordinates (°N, °E), elevation (m) and, per quantity, a
    (points, 12) array."""

    name: str
    lat: np.ndarray
    lon: np.ndarray
    elevation_m: np.ndarray
    values: dict[str, np.ndarray]
    masked: int = 0          # point-months blanked by mask_inconsistent

    def __post_init__(self):
        from sklearn.neighbors import BallTree

        self._tree = BallTree(np.radians(np.c_[self.lat, self.lon]), metric="haversine")

    def nearest(self, lat, lon, k: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
        """(distances km, point indices), each (cities, k), nearest first."""
        from ..places.names import EARTH_RADIUS_KM

        d, i = self._tree.query(np.radians(np.c_[np.asarray(lat, float), np.asarray(lon, float)]), k=k)
        return d * EARTH_RADIUS_KM, i


def read_points(shared: Path) -> dict[str, Points]:
    """Both climatologies joined with the GSOD station list (points without coordinates dropped)."""
    folder = Path(shared) / FOLDER
    st = pd.read_csv(folder / "gsod_stations.csv.gz", usecols=["STNID", "LAT", "LON", "ELEV(M)"])
    out = {}
    for name, (file, columns) in SOURCES.items():
        df = pd.read_csv(folder / file).merge(st, on="STNID", how="inner").sort_values("STNID").reset_index(drop=True)
        values = {q: df[[pattern.format(m=m) for m in range(1, 13)]].to_numpy(dtype=float) for q, pattern in columns.items()}
        masked = mask_inconsistent(values)
        out[name] = Points(name, df["LAT"].to_numpy(float), df["LON"].to_numpy(float), df["ELEV(M)"].to_numpy(float), values)
        out[name].masked = masked
    return out


RANGES = {"tmax_c": (-80, 55), "tmin_c": (-90, 45), "tmean_c": (-85, 50), "prcp_mm": (0, 5000), "wet_days_01": (0, 31),
          "rhum_pct": (0, 100), "sun_pct": (0, 100), "wind_ms": (0, 40)}


def mask_inconsistent(values: dict[str, np.ndarray], slack_c: float = 0.1) -> int:
    """Blank (NaN) the point-months a climatology gets wrong on its face, in place: a value
    outside its physical range, or temperatures out of order (tmin ≤ tmean ≤ tmax; WorldClim's
    sample has such cells, e.g. an April with a 2.5 °C maximum over a 4.4 °C minimum on the
    Dutch coast). Returns how many point-months were blanked."""
    n = 0
    for q, (lo, hi) in RANGES.items():
        if q in values:
            bad = ~np.isnan(values[q]) & ((values[q] < lo) | (values[q] > hi))
            n += int(bad.sum())
            values[q][bad] = np.nan
    if all(t in values for t in TEMPERATURES):
        tx, tn, tm = values["tmax_c"], values["tmin_c"], values["tmean_c"]
        bad = (tn > tm + slack_c) | (tm > tx + slack_c) | (tn > tx + slack_c)
        n += int(bad.sum())
        for t in TEMPERATURES:
            values[t][bad] = np.nan
    return n


@dataclass
class Sample:
    """Gridded values at cities: per quantity a (cities, 12) array (NaN where no point is within
    MAX_KM), the distance to the nearest point used (km), how many points were used and whether
    the temperatures were corrected for elevation."""

    values: dict[str, np.ndarray]
    distance_km: np.ndarray
    n_points: np.ndarray
    lapse_corrected: np.ndarray


def sample(points: Points, lat, lon, elevation_m, quantities=None, max_km: float = MAX_KM,
           k: int = MAX_POINTS, lapse: bool = True) -> Sample:
    """The rule of the module docstring, vectorised over cities."""
    d, idx = points.nearest(lat, lon, k)
    use = d <= max_km
    w = np.where(use, 1.0 / np.maximum(d, 1.0) ** IDW_POWER, 0.0)
    wsum = w.sum(axis=1, keepdims=True)
    w = np.divide(w, wsum, out=np.zeros_like(w), where=wsum > 0)
    elev = np.asarray(elevation_m, dtype=float)
    dz_km = (elev[:, None] - points.elevation_m[idx]) / 1000.0          # city above point: colder
    corrected = lapse & ~np.isnan(elev)
    out = {}
    for q in quantities or points.values:
        v = points.values[q][idx]                                       # (cities, k, 12)
        if q in TEMPERATURES and lapse:
            v = v - np.where(np.isnan(dz_km), 0.0, LAPSE_C_PER_KM * dz_km)[..., None]
        ok = ~np.isnan(v)
        ww = np.where(ok, w[..., None], 0.0)
        tot = ww.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[q] = np.where(tot > 0, np.einsum("nkm,nkm->nm", ww, np.nan_to_num(v)) / tot, np.nan)
    nearest = np.where(use[:, 0], d[:, 0], np.nan)
    return Sample(out, nearest, use.sum(axis=1), corrected & use[:, 0])


def sample_chosen(points: dict[str, Points], lat, lon, elevation_m) -> Sample:
    """Every quantity from the climatology CHOICE names for it; distances from the temperature
    source."""
    parts = {}
    for name in sorted(set(CHOICE.values())):
        parts[name] = sample(points[name], lat, lon, elevation_m, [q for q, s in CHOICE.items() if s == name])
    values = {q: parts[s].values[q] for q, s in CHOICE.items()}
    t = parts[CHOICE["tmean_c"]]
    return Sample(values, t.distance_km, t.n_points, t.lapse_corrected)
