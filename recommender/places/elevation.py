"""Elevations that describe the town, not the nearest weather station.

Terrain: the global 5′ (1/12°, ≈ 9 km) altitude grid shipped with pvlib (`pvlib/data/Altitude.h5`,
read here directly and vectorised; the encoding is pvlib's `location.lookup_altitude`: uint8,
metres = value × 28 − 450, 255 = no data over sea). pvlib aggregated it from the Mapzen terrain
tiles (SRTM, GMTED2010, ETOPO1, EU-DEM, 3DEP and national models; attributions in data/README.md).
A cell is an *average*: in a narrow valley it lies above the valley floor (Innsbruck's cell is
≈ 1,060 m, the town 574 m), never the height of a summit.

**The rule** (`town_elevation`), per city:
1. The terrain's range near the town is [lowest of the 3 × 3 cells around it − VALLEY_M,
   the town's cell + ABOVE_M]. A weather station within STATION_KM whose elevation lies in that
   range describes the town's terrain (it is more precise than a 9 km cell): the nearest such
   station's elevation is used (`station`). A station outside the range — a summit observatory
   (Mount Fuji's 3,772 m for Fujinomiya, Campo Imperatore's 2,138 m for Teramo) or a placeholder
   0 m in the mountains — is never used.
2. Otherwise the terrain cell itself (`terrain`).
3. A town whose cell is sea (a coast or an island smaller than a cell) takes its lowest land
   neighbour, else it stays unknown (NaN, `unknown`): 0 m is never a placeholder.

`point_elevation` applies steps 1–3's check to the gridded climatologies' sample points, whose
GSOD elevations carry the same faults.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CELLS_PER_DEGREE = 12          # 5′ grid
STEP_M, OFFSET_M, NODATA = 28.0, -450.0, 255
VALLEY_M = 900.0               # a town may lie this far below the lowest cell average around it
ABOVE_M = 300.0                # … and this far above its own cell's average
STATION_KM = 15.0              # stations farther than this say nothing about the town


@lru_cache(maxsize=1)
def _grid() -> np.ndarray:
    """The terrain grid in metres (rows from 90°N southwards, columns from 180°W), NaN = sea."""
    import importlib.util
    from pathlib import Path

    import h5py

    spec = importlib.util.find_spec("pvlib")        # the file only: pvlib itself is not imported
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pvlib is not installed: `python3 -m pip install -c requirements.lock -e .` "
                           "(the terrain grid ships with it)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "Altitude.h5"
    with h5py.File(str(path), "r") as f:
        raw = f["Altitude"][:]
    grid = raw.astype(np.float32) * STEP_M + OFFSET_M
    grid[raw == NODATA] = np.nan
    return grid


@dataclass
class Terrain:
    """Terrain at points (m): the point's cell and the lowest / highest land cell of the 3 × 3
    block around it (NaN where all are sea)."""

    cell: np.ndarray
    low: np.ndarray
    high: np.ndarray


def terrain_at(lat, lon, grid: np.ndarray | None = None) -> Terrain:
    """Terrain of the grid (default: pvlib's) at points (°N, °E), vectorised."""
    g = _grid() if grid is None else grid
    n_rows, n_cols = g.shape
    per_deg = n_cols / 360.0
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    i = np.clip(np.floor((90.0 - lat) * per_deg).astype(int), 0, n_rows - 1)
    j = np.floor(((lon + 180.0) % 360.0) * per_deg).astype(int) % n_cols
    di, dj = np.meshgrid([-1, 0, 1], [-1, 0, 1], indexing="ij")
    ii = np.clip(i[:, None] + di.reshape(-1)[None, :], 0, n_rows - 1)
    jj = (j[:, None] + dj.reshape(-1)[None, :]) % n_cols
    block = g[ii, jj].astype(float)
    with warnings.catch_warnings():                    # all-sea blocks: NaN, said by the caller
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(block, axis=1), np.nanmax(block, axis=1)
    return Terrain(g[i, j].astype(float), low, high)


def plausible(elevation_m, terrain: Terrain) -> np.ndarray:
    """Whether an elevation (m) fits the terrain around its point (the range of rule 1)."""
    e = np.asarray(elevation_m, float)
    lo = terrain.low - VALLEY_M
    hi = np.where(np.isnan(terrain.cell), np.fmax(terrain.high, 0.0), terrain.cell) + ABOVE_M
    lo = np.where(np.isnan(lo), -50.0, lo)            # all sea around: a coast
    return ~np.isnan(e) & (e >= lo) & (e <= hi)


def town_elevation(lat, lon, station_km: np.ndarray, station_elev_m: np.ndarray,
                   grid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(elevation m, source) of each town by the module's rule. `station_km` and
    `station_elev_m` are (towns, k) arrays of the k nearest stations, nearest first."""
    t = terrain_at(lat, lon, grid)
    d = np.asarray(station_km, float)
    e = np.asarray(station_elev_m, float)
    ok = (d <= STATION_KM) & plausible(e, Terrain(t.cell[:, None], t.low[:, None], t.high[:, None]))
    first = np.argmax(ok, axis=1)
    has = ok.any(axis=1)
    station = e[np.arange(len(e)), first]
    fallback = np.where(np.isnan(t.cell), t.low, t.cell)
    elev = np.where(has, station, fallback)
    src = np.where(has, "station", np.where(np.isnan(fallback), "unknown", "terrain"))
    return elev, src


def point_elevation(lat, lon, elevation_m, grid: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(elevation m, replaced?) of gridded sample points: a recorded elevation that does not fit
    the terrain (a placeholder, a summit coordinate error) is replaced by the terrain cell."""
    t = terrain_at(lat, lon, grid)
    fits = plausible(elevation_m, t)
    fallback = np.where(np.isnan(t.cell), t.low, t.cell)
    replace = ~fits & ~np.isnan(fallback)
    return np.where(replace, fallback, np.asarray(elevation_m, float)), replace
