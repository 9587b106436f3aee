"""Astronomy for sunshine: astronomical day length and the monthly sunshine ceiling.

Day length uses the standard sunrise/sunset definition (sun centre 0.833° below the
horizon: refraction plus the solar radius) with the FAO-56 (Allen et al. 1998, eq. 24)
solar declination. All functions are vectorised over NumPy arrays.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .calendar import DAYS_IN_MONTH

_MONTH_START_DOY = np.cumsum(np.r_[0, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30]])
_HORIZON_RAD = np.deg2rad(-0.833)


def solar_declination_rad(day_of_year: np.ndarray) -> np.ndarray:
    """Solar declination (radians) for a day of the year (1–365), FAO-56 eq. 24."""
    return 0.409 * np.sin(2 * np.pi * np.asarray(day_of_year) / 365.0 - 1.39)


def day_length_hours(lat_deg: np.ndarray, day_of_year: np.ndarray) -> np.ndarray:
    """Astronomical day length (h) from sunrise to sunset at latitude lat_deg (°N)."""
    phi = np.deg2rad(np.asarray(lat_deg, dtype=float))
    dec = solar_declination_rad(day_of_year)
    cos_ws = (np.sin(_HORIZON_RAD) - np.sin(phi) * np.sin(dec)) / (np.cos(phi) * np.cos(dec))
    ws = np.arccos(np.clip(cos_ws, -1.0, 1.0))  # polar day/night clip to 24 h / 0 h
    return 24.0 / np.pi * ws


def monthly_max_sunshine_hours(lat_deg, month) -> np.ndarray:
    """Astronomical maximum sunshine (h per month): the sum of day lengths over the month.

    lat_deg (°N) and month (1–12) broadcast together.
    """
    lat = np.asarray(lat_deg, dtype=float)
    m = np.asarray(month, dtype=int)
    lat, m = np.broadcast_arrays(lat, m)
    days = np.arange(31)
    doy = _MONTH_START_DOY[m - 1][..., None] + 1 + days
    in_month = days < np.floor(DAYS_IN_MONTH[m - 1])[..., None]
    hours = np.where(in_month, day_length_hours(lat[..., None], doy), 0.0).sum(axis=-1)
    # February of an average year has 28.25 days: add a quarter of its last day.
    feb = m == 2
    return np.where(feb, hours + 0.25 * day_length_hours(lat, 60), hours)


@lru_cache(maxsize=1)
def _ceiling_table(step_deg: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    lat = np.arange(-90.0, 90.0 + step_deg / 2, step_deg)
    return lat, monthly_max_sunshine_hours(lat[:, None], np.arange(1, 13)[None, :])


def sunshine_ceiling(lat_deg, month) -> np.ndarray:
    """monthly_max_sunshine_hours interpolated from a 0.05° table (within 0.7 h of it, near the polar
    circles; far less elsewhere): fast
    enough to check every row of a large atlas on load."""
    grid, table = _ceiling_table()
    lat = np.asarray(lat_deg, dtype=float)
    m = np.asarray(month, dtype=int)
    lat, m = np.broadcast_arrays(lat, m)
    out = np.empty(lat.shape)
    for k in range(1, 13):
        sel = m == k
        out[sel] = np.interp(lat[sel], grid, table[:, k - 1])
    return out
