"""Period harmonisation: a delta adjustment from the gridded climatologies' 1961–1990 to the
reference periods of the station tables (mostly 1971–2000 to 1991–2020), estimated where both
exist.

The offset of a month in a latitude band is the mean of (station − gridded) over the cities of
that band that have both, shrunk towards the month's global mean offset with weight
n / (n + SHRINK) (few cities in a band: mostly the global offset). Bands are BAND_DEG wide.
Applied additively to temperatures (°C). Its error is measured with folds blocked in space
(`blocked_folds`: whole 5° cells held out), not by city, so neighbours cannot leak.
"""

from __future__ import annotations

import numpy as np

BAND_DEG = 15.0
SHRINK = 30.0
CELL_DEG = 5.0


def bands(lat) -> np.ndarray:
    """Latitude band index of each latitude (°N)."""
    return np.floor((np.asarray(lat, dtype=float) + 90.0) / BAND_DEG).astype(int)


def fit_offsets(measured: np.ndarray, gridded: np.ndarray, lat) -> dict:
    """Offsets per (band, month) from (cities, 12) arrays; NaN pairs are ignored."""
    diff = np.asarray(measured, float) - np.asarray(gridded, float)
    b = bands(lat)
    global_mean = np.nanmean(diff, axis=0)                      # (12,)
    table = {}
    for band in np.unique(b):
        rows = diff[b == band]
        n = np.sum(~np.isnan(rows), axis=0)
        with np.errstate(invalid="ignore"):
            mean = np.where(n > 0, np.nansum(rows, axis=0) / np.maximum(n, 1), 0.0)
        wgt = n / (n + SHRINK)
        table[int(band)] = wgt * mean + (1 - wgt) * global_mean
    return {"bands": table, "global": global_mean}


def apply_offsets(gridded: np.ndarray, lat, offsets: dict) -> np.ndarray:
    """Gridded (cities, 12) values plus the offset of their band (the global one for a band
    without data)."""
    b = bands(lat)
    add = np.array([offsets["bands"].get(int(x), offsets["global"]) for x in b]).reshape(len(b), 12)
    return np.asarray(gridded, float) + add


def blocked_folds(lat, lon, k: int = 5) -> np.ndarray:
    """Fold number (0…k−1) of each city: whole CELL_DEG × CELL_DEG cells go to one fold."""
    cell = (np.floor((np.asarray(lat, float) + 90) / CELL_DEG) * 1000
            + np.floor((np.asarray(lon, float) + 180) / CELL_DEG)).astype(np.int64)
    # a fixed, well-mixed assignment of cells to folds (no randomness: the build is deterministic)
    return ((cell * 2654435761) % 2**32 % k).astype(int)


def cross_validated_errors(measured: np.ndarray, gridded: np.ndarray, lat, lon, k: int = 5) -> np.ndarray:
    """|adjusted − measured| of every city-month, each fold adjusted with offsets fitted on the others."""
    folds = blocked_folds(lat, lon, k)
    err = np.full(np.shape(measured), np.nan)
    lat = np.asarray(lat, float)
    for f in range(k):
        test = folds == f
        if not test.any():
            continue
        off = fit_offsets(measured[~test], gridded[~test], lat[~test])
        err[test] = np.abs(apply_offsets(gridded[test], lat[test], off) - measured[test])
    return err
