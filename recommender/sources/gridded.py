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
inverse squared distance (distances under 1 km count as 1 km); a point more than POINT_DZ_M
above or below the town (a summit, a deep valley) is left out whenever another point within
reach is closer in elevation; temperatures are first moved from each point's elevation to the
city's with the environmental lapse rate LAPSE_C_PER_KM (where the city's elevation is known;
otherwise uncorrected and said so). Elevations of towns and points are checked against the
terrain first (places/elevation.py). A city with no point within MAX_KM gets no gridded values.

**Which climatology for which variable** (`PREFERENCE`, best first) was decided by measured error against the
Wikipedia station tables at the ~1,240 atlas cities with a point within 75 km (nearest point,
no correction, `python -m recommender build-atlas` recomputes it into data/README.md): WorldClim
is closer for temperature (median |error| of tmean 0.50 vs 0.60 °C, p95 1.9 vs 2.3 °C) and
precipitation (5.1 vs 5.6 mm/month); CRU alone has humidity, wet days, sunshine and wind.

Units: `sample` gives the sources' own: °C, mm per month, wet days (> 0.1 mm) per month, %,
sunshine as % of possible, wind m/s. `gridded_quantities` turns them into the atlas variables
(climate/variables.py): sunshine hours, cloud %, wind km/h (climate/units.py), here at the edge.
The physical ranges (`RANGES`) are those of variables.py, converted to the sources' units.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..climate.derive import cloud_from_sunshine, sunshine_from_percent
from ..climate.units import kmh_from_ms, ms_from_kmh
from ..climate.variables import SPEC
from ..places.elevation import point_elevation

MAX_KM = 75.0
MAX_POINTS = 4
IDW_POWER = 2.0
LAPSE_C_PER_KM = 6.5        # environmental lapse rate (ICAO standard atmosphere), °C per km
POINT_DZ_M = 500.0          # a point this much higher or lower than the town is left out if another is near
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
# which climatology for which quantity, best first (measured: see the module docstring); a build
# without one of them (`build-atlas --without worldclim`) takes the next
PREFERENCE = {"tmax_c": ("worldclim", "cru"), "tmin_c": ("worldclim", "cru"), "tmean_c": ("worldclim", "cru"),
              "prcp_mm": ("worldclim", "cru"), "wet_days_01": ("cru",), "rhum_pct": ("cru",), "sun_pct": ("cru",),
              "wind_ms": ("cru",)}


def choice(available) -> dict[str, str]:
    """Quantity → the climatology it comes from, among the `available` ones (quantities no
    available climatology has are left out)."""
    return {q: next(n for n in names if n in available) for q, names in PREFERENCE.items()
            if any(n in available for n in names)}


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
    elevation_replaced: int = 0   # points whose recorded elevation did not fit the terrain

    def __post_init__(self):
        from sklearn.neighbors import BallTree

        self._tree = BallTree(np.radians(np.c_[self.lat, self.lon]), metric="haversine")

    def nearest(self, lat, lon, k: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
        """(distances km, point indices), each (cities, k), nearest first."""
        from ..places.names import EARTH_RADIUS_KM

        d, i = self._tree.query(np.radians(np.c_[np.asarray(lat, float), np.asarray(lon, float)]), k=min(k, len(self.lat)))
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
        lat, lon = df["LAT"].to_numpy(float), df["LON"].to_numpy(float)
        elev, replaced = point_elevation(lat, lon, df["ELEV(M)"].to_numpy(float))
        out[name] = Points(name, lat, lon, elev, values)
        out[name].masked = masked
        out[name].elevation_replaced = int(replaced.sum())
    return out


def _range(key: str) -> tuple[float, float]:
    return SPEC[key].lo, SPEC[key].hi


# The physical range of each source quantity, from the atlas variable it becomes (variables.py):
# wet days are days of a month whatever their threshold; % of possible sunshine is 100 − cloud %
# (derive.cloud_from_sunshine); wind converts from km/h.
RANGES = {**{q: _range(q) for q in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "rhum_pct")},
          "wet_days_01": _range("wet_days"),
          "sun_pct": (100.0 - SPEC["cloud_pct"].hi, 100.0 - SPEC["cloud_pct"].lo),
          "wind_ms": tuple(float(ms_from_kmh(x)) for x in _range("wind_kmh"))}


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
    dz_m: np.ndarray | None = None      # weighted |elevation difference| town − points used (m)


def sample(points: Points, lat, lon, elevation_m, quantities=None, max_km: float = MAX_KM,
           k: int = MAX_POINTS, lapse: bool = True) -> Sample:
    """The rule of the module docstring, vectorised over cities."""
    d, idx = points.nearest(lat, lon, k)
    use = d <= max_km
    elev = np.asarray(elevation_m, dtype=float)
    dz_km = (elev[:, None] - points.elevation_m[idx]) / 1000.0          # city above point: colder
    # a point on a summit or in a valley far from the town's elevation speaks for another climate:
    # left out whenever a point closer in elevation is within reach
    with np.errstate(invalid="ignore"):
        level = use & ~(np.abs(dz_km) * 1000.0 > POINT_DZ_M)
    use = np.where(level.any(axis=1, keepdims=True), level, use)
    w = np.where(use, 1.0 / np.maximum(d, 1.0) ** IDW_POWER, 0.0)
    wsum = w.sum(axis=1, keepdims=True)
    w = np.divide(w, wsum, out=np.zeros_like(w), where=wsum > 0)
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
    with np.errstate(invalid="ignore"):
        nearest = np.where(use.any(axis=1), np.where(use, d, np.inf).min(axis=1), np.nan)
        dz = np.where(use.any(axis=1), np.nansum(w * np.abs(dz_km) * 1000.0, axis=1), np.nan)
    return Sample(out, nearest, use.sum(axis=1), corrected & use.any(axis=1), np.where(np.isnan(elev), np.nan, dz))


def empty_sample(n: int, quantities) -> Sample:
    """A Sample with no data (no climatology available): NaN everywhere."""
    nan = np.full((n, 12), np.nan)
    return Sample({q: nan.copy() for q in quantities}, np.full(n, np.nan), np.zeros(n, int), np.zeros(n, bool),
                  np.full(n, np.nan))


def sample_from(points: dict[str, Points], name: str, lat, lon, elevation_m, quantities, **kw) -> Sample:
    """`sample` of climatology `name`, or an empty sample when the build goes without it."""
    if name not in points:
        return empty_sample(len(np.atleast_1d(lat)), quantities)
    return sample(points[name], lat, lon, elevation_m, quantities, **kw)


def sample_chosen(points: dict[str, Points], lat, lon, elevation_m) -> Sample:
    """Every quantity from the climatology `choice` names for it among those available (NaN for
    a quantity none has); distances from the temperature source."""
    chosen = choice(points)
    parts = {name: sample(points[name], lat, lon, elevation_m, [q for q, s in chosen.items() if s == name])
             for name in sorted(set(chosen.values()))}
    n = len(np.atleast_1d(lat))
    nan = np.full((n, 12), np.nan)
    values = {q: (parts[chosen[q]].values[q] if q in chosen else nan.copy()) for q in PREFERENCE}
    t = parts[chosen["tmean_c"]] if "tmean_c" in chosen else empty_sample(n, [])
    return Sample(values, t.distance_km, t.n_points, t.lapse_corrected, t.dz_m)


def gridded_quantities(sample: Sample, lat) -> dict[str, np.ndarray]:
    """A sample's quantities → atlas variables (cities, 12): temperatures (°C), precipitation
    (mm) and humidity (%) as they are; sunshine hours from % of possible (× S₀ at the city's
    latitude); cloud cover (%) from that sunshine; wind km/h from the source's m/s. Wet days stay
    on CRU's > 0.1 mm count (`wet_days_01`): climate/wetdays.py brings them to ≥ 1 mm."""
    lat = np.asarray(lat, float)
    months = np.arange(1, 13)
    v = sample.values
    out = {k: v[k] for k in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "rhum_pct")}
    out["sun_hours"] = sunshine_from_percent(v["sun_pct"], lat[:, None], months[None, :])
    out["cloud_pct"] = cloud_from_sunshine(out["sun_hours"], lat[:, None], months[None, :])
    out["wind_kmh"] = kmh_from_ms(v["wind_ms"])
    out["wet_days_01"] = v["wet_days_01"]
    return out
