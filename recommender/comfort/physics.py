"""Thermal physics for the comfort indices, vectorised over NumPy arrays.

Units: temperatures °C, vapour pressure hPa, relative humidity %, wind km/h (converted to
m/s only at the UTCI boundary).

References:
[1] Alduchov & Eskridge (1996), Improved Magnus form approximation of saturation vapor
    pressure, J. Appl. Meteorol. 35:601–609.
[2] Missenard (1937) effective temperature, in the form used by the Copernicus C3S HCI code.
[3] Bröde et al. (2012), UTCI operational procedure, via ECMWF thermofeel (Brimicombe et al.
    2022, SoftwareX 18:101005).
"""

from __future__ import annotations

import numpy as np

# Wind assumed for UTCI where the atlas has none: 2 m/s at 10 m, a light breeze (stated in the
# product). UTCI's regression is valid for 0.5–17 m/s.
DEFAULT_WIND_MS = 2.0
# Where humidity is missing, UTCI is taken at this afternoon humidity (its reference value).
REFERENCE_RH_PCT = 50.0


def saturation_vapour_pressure_hpa(t_c) -> np.ndarray:
    """Saturation vapour pressure over water (hPa) at t_c (°C), Magnus form [1]:
    6.1094·exp(17.625·T / (T + 243.04))."""
    t = np.asarray(t_c, dtype=float)
    return 6.1094 * np.exp(17.625 * t / (t + 243.04))


def vapour_pressure_hpa(tmean_c, rhum_pct) -> np.ndarray:
    """The month's mean vapour pressure (hPa): its mean humidity (%) at its mean temperature (°C)."""
    return saturation_vapour_pressure_hpa(tmean_c) * np.asarray(rhum_pct, dtype=float) / 100.0


def afternoon_humidity(tmax_c, e_hpa) -> np.ndarray:
    """Afternoon (minimum) relative humidity (%), holding the day's vapour pressure (hPa)
    constant: the same vapour pressure at the afternoon maximum temperature (°C)."""
    return np.clip(100.0 * np.asarray(e_hpa, dtype=float) / saturation_vapour_pressure_hpa(tmax_c), 0.0, 100.0)


def effective_temperature(t_c, rh_pct) -> np.ndarray:
    """Missenard effective temperature (°C) [2]: ET = T − 0.4·(T − 10)·(1 − RH/100)."""
    t = np.asarray(t_c, dtype=float)
    return t - 0.4 * (t - 10.0) * (1.0 - np.asarray(rh_pct, dtype=float) / 100.0)


def utci_from_vapour(t_c, e_hpa, wind_kmh) -> np.ndarray:
    """UTCI (°C) in the shade (mean radiant = air temperature) [3] from air temperature (°C),
    vapour pressure (hPa) and wind at 10 m (km/h; DEFAULT_WIND_MS where NaN), the wind clipped
    to the regression's 0.5–17 m/s and the vapour pressure to its 50 hPa limit."""
    from thermofeel import calculate_utci

    t_c = np.asarray(t_c, dtype=float)
    wind_kmh = np.asarray(wind_kmh, dtype=float)
    va = np.clip(np.where(np.isnan(wind_kmh), DEFAULT_WIND_MS, wind_kmh / 3.6), 0.5, 17.0)
    tk = t_c + 273.15
    return calculate_utci(tk, va, tk, ehPa=np.minimum(np.asarray(e_hpa, dtype=float), 50.0)) - 273.15


def utci_at_afternoon_maximum(tmax_c, e_hpa, wind_kmh) -> np.ndarray:
    """UTCI (°C) at the afternoon maximum (°C) with the month's vapour pressure (hPa) and wind
    (km/h); where the vapour pressure is NaN, at REFERENCE_RH_PCT afternoon humidity."""
    tmax_c = np.asarray(tmax_c, dtype=float)
    e = np.asarray(e_hpa, dtype=float)
    e = np.where(np.isnan(e), saturation_vapour_pressure_hpa(tmax_c) * REFERENCE_RH_PCT / 100.0, e)
    return utci_from_vapour(tmax_c, e, wind_kmh)


def utci_afternoon(tmax_c, tmean_c, rhum_pct, wind_kmh) -> np.ndarray:
    """UTCI (°C) of a typical afternoon: the month's vapour pressure from its mean humidity (%)
    and temperature (°C) at the afternoon maximum (°C); where humidity is missing, at
    REFERENCE_RH_PCT afternoon humidity."""
    return utci_at_afternoon_maximum(tmax_c, vapour_pressure_hpa(tmean_c, rhum_pct), wind_kmh)
