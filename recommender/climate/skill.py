"""How well an estimate reproduces measured values: the error figures of the build (data/README.md).

Every figure is of absolute errors |estimate − measured| in the variable's own unit (°C, mm,
%, days, or the fraction S/S₀), over the city-months where both exist (NaN is left out):

- `median_p95`: the median and the 95th percentile;
- `error_summary`: those, the mean absolute error and the number of city-months;
- `adjustment_errors`: a gridded temperature against the tables, raw and after the period
  offsets of harmonise.py cross-validated in folds blocked in space (harmonise.blocked_folds:
  whole 5° cells held out, so neighbours cannot leak).
"""

from __future__ import annotations

import numpy as np

from .harmonise import cross_validated_errors


def median_p95(errors) -> tuple[float, float]:
    """(median, 95th percentile) of the non-NaN values; (NaN, NaN) when there are none."""
    a = np.asarray(errors, float)
    a = a[~np.isnan(a)]
    return (float(np.median(a)), float(np.percentile(a, 95))) if a.size else (np.nan, np.nan)


def error_summary(estimate, measured) -> dict:
    """{"raw": (median, p95), "mae": mean, "n": city-months} of |estimate − measured|."""
    e = np.abs(np.asarray(estimate, float) - np.asarray(measured, float))
    return {"raw": median_p95(e), "mae": float(np.nanmean(e)), "n": int(np.sum(~np.isnan(e)))}


def adjustment_errors(measured: np.ndarray, gridded: np.ndarray, lat, lon) -> dict:
    """{"raw": (median, p95), "adjusted": (median, p95), "n": city-months} of a gridded
    temperature (cities, 12) against the measured one (°C), before and after the period offsets
    (cross-validated, spatially blocked folds)."""
    return {"raw": median_p95(np.abs(gridded - measured)),
            "adjusted": median_p95(cross_validated_errors(measured, gridded, lat, lon)),
            "n": int(np.sum(~np.isnan(measured - gridded)))}
