"""A daily climatology from the monthly normals, mean-preserving: the mean of a month's daily
values is the month's normal.

Two published methods, each reduced to one linear operator from 12 monthly values to 365 daily
ones (a non-leap year; 29 February reads as 28 February), so the whole atlas interpolates as one
matrix product:

- **Temperatures** (`quantity == "temperature"`: tmax_c, tmin_c, tmean_c): Epstein's harmonic
  method (Epstein 1991, "On obtaining daily climatological values from monthly means", J. Climate
  4, 365–368): the annual and semi-annual harmonics fitted to the monthly means under his
  condition that each month's *daily* mean is matched (least squares over the 12 calendar
  months), and what those two harmonics leave of each month's mean added back by the smoothing
  below, so every month's mean is exact. All six harmonics would match exactly on their own,
  but their high terms ring: on the atlas they put the warmest day a median 0.9 °C (99th
  percentile 4.4 °C) above the warmest month's mean, against 0.4 °C (0.8 °C) for this sum.
  The bounds step below keeps them within the variable's physical range too.
- **Everything bounded** (precipitation, wet days, sunshine, humidity, cloud, wind): the
  mean-preserving smoothing of Rymes & Myers (2001, "Mean preserving algorithm for smoothly
  interpolating averaged data", Solar Energy 71(4), 225–231): start from the monthly steps,
  repeatedly replace each day by the mean of itself and its neighbours, then shift each month
  back to its mean. Their bounds step is applied to every row that leaves the variable's range
  after the linear pass: days beyond a bound are set to it and the month's difference is spread
  over its other days, repeated until the means hold (a row that does not settle keeps the
  monthly steps, which are mean-preserving and within bounds).

Amounts (prcp_mm, wet_days, sun_hours: totals per month) are interpolated as rates per day (the
total over the month's days in an average year, February 28.25, climate.calendar) and given back
in the atlas's units as *the month's total at that day's rate*, so a day is rated by the index
engine exactly as a month with that day's normals would be, and the mean over a month's days is
the month's normal. Per day, wet days are at most 1 and sunshine at most 24 h.

A city whose 12 values of a variable are not all known keeps that variable's monthly steps (NaN
in the unknown months): nothing is invented across a gap.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .calendar import DAYS_IN_MONTH
from .variables import SPEC

DAYS = 365
MONTH_LENGTHS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
DAY_MONTH = np.repeat(np.arange(1, 13), MONTH_LENGTHS)          # (365,) month 1–12 of each day
DAY_OF_MONTH = np.concatenate([np.arange(1, n + 1) for n in MONTH_LENGTHS])
MONTH_START = np.concatenate([[0], np.cumsum(MONTH_LENGTHS)[:-1]])   # day index of each month's 1st

AMOUNTS = ("prcp_mm", "wet_days", "sun_hours")     # totals per month, interpolated per day
PER_DAY_HI = {"wet_days": 1.0, "sun_hours": 24.0}  # the most a single day can hold
SMOOTHING_PASSES = 400                              # Rymes & Myers iterations (converged: < 1e-6 change)
BOUND_PASSES = 60
HARMONICS = 2                                       # Epstein's terms kept: annual, semi-annual


def method(variable: str) -> str:
    """"harmonic" (Epstein 1991) for temperatures, "smooth" (Rymes & Myers 2001) otherwise."""
    return "harmonic" if SPEC[variable].quantity == "temperature" else "smooth"


@lru_cache(maxsize=None)
def _steps() -> np.ndarray:
    """(365, 12): day d belongs to month m."""
    return (DAY_MONTH[:, None] == np.arange(1, 13)[None, :]).astype(float)


@lru_cache(maxsize=None)
def _month_mean() -> np.ndarray:
    """(12, 365): the averaging of each month's days."""
    return _steps().T / MONTH_LENGTHS[:, None]


@lru_cache(maxsize=None)
def harmonic_operator() -> np.ndarray:
    """(365, 12) Epstein's annual + semi-annual harmonics (HARMONICS), month means made exact by
    the smoothing of the residual: daily = H @ monthly."""
    t = 2 * np.pi * (np.arange(DAYS) + 0.5) / DAYS
    basis = np.stack([np.ones(DAYS)] + [f(k * t) for k in range(1, HARMONICS + 1) for f in (np.cos, np.sin)], axis=1)
    mean = _month_mean()
    fitted = basis @ np.linalg.pinv(mean @ basis)                   # (365, 12) least squares on month means
    return fitted + smoothing_operator() @ (np.eye(12) - mean @ fitted)


@lru_cache(maxsize=None)
def smoothing_operator() -> np.ndarray:
    """(365, 12) Rymes & Myers' mean-preserving smoothing, as the linear map it converges to."""
    steps, mean = _steps(), _month_mean()
    x = steps.copy()
    for _ in range(SMOOTHING_PASSES):
        x = (np.roll(x, 1, axis=0) + x + np.roll(x, -1, axis=0)) / 3.0
        x += steps @ (np.eye(12) - mean @ x)
    return x


def month_means(days: np.ndarray) -> np.ndarray:
    """(…, 365) daily values → (…, 12) means of each calendar month's days."""
    return np.asarray(days, dtype=float) @ _month_mean().T


def _bounded(x: np.ndarray, target: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Rymes & Myers' bounds step on the rows of x (r, 365) that leave [lo, hi]: clip, spread each
    month's difference over its days not at the bound it would cross, repeat; a row that does not
    settle within 0.01 keeps its monthly steps."""
    bad = np.flatnonzero(((x < lo - 1e-9) | (x > hi + 1e-9)).any(axis=1))
    if not len(bad):
        return x
    y, t = x[bad], target[bad]
    steps = _steps()
    for _ in range(BOUND_PASSES):
        y = np.clip(y, lo, hi)
        diff = t - month_means(y)                                    # (r, 12) per-day shift needed
        d = diff @ steps.T                                           # (r, 365)
        free = np.where(d > 0, y < hi, y > lo)
        free_n = free.astype(float) @ steps                          # free days per month
        share = np.where(free_n > 0, diff * MONTH_LENGTHS / np.maximum(free_n, 1), 0.0) @ steps.T
        y = y + np.where(free, share, 0.0)
    y = np.clip(y, lo, hi)
    unsettled = np.abs(month_means(y) - t).max(axis=1) > 0.01
    y[unsettled] = t[unsettled] @ steps.T
    x = x.copy()
    x[bad] = y
    return x


def interpolate(variable: str, monthly) -> np.ndarray:
    """Daily values (n, 365) of one atlas variable from its monthly normals (n, 12), in the
    atlas's units (amounts: the month's total at that day's rate; see the module docstring)."""
    m = np.atleast_2d(np.asarray(monthly, dtype=float))
    spec = SPEC[variable]
    per_day = DAYS_IN_MONTH if variable in AMOUNTS else np.ones(12)
    rate = m / per_day
    complete = ~np.isnan(rate).any(axis=1)
    out = np.empty((len(m), DAYS))
    if not complete.all():
        out[~complete] = rate[~complete][:, DAY_MONTH - 1]           # the steps: gaps stay gaps
    if complete.any():
        r = rate[complete]
        op = harmonic_operator() if method(variable) == "harmonic" else smoothing_operator()
        hi = PER_DAY_HI.get(variable, spec.hi / (31.0 if variable in AMOUNTS else 1.0))
        out[complete] = _bounded(r @ op.T, r, spec.lo, hi)
    if variable in AMOUNTS:
        out *= DAYS_IN_MONTH[DAY_MONTH - 1]
    return out


def daily_normals(monthly: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every variable of `monthly` ({column: (n, 12)}) as daily values {column: (n, 365)}."""
    return {v: interpolate(v, a) for v, a in monthly.items()}
