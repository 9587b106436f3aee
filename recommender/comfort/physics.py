"""Thermal physics for the comfort indices, vectorised over NumPy arrays.

Units: temperatures °C, vapour pressure hPa, relative humidity %, wind km/h (converted to
m/s only at the UTCI boundary).

References:
[1] Alduchov & Eskridge (1996), Improved Magnus form approximation of saturation vapor
    pressure, J. Appl. Meteorol. 35:601–609.
[2] Missenard (1937) effective temperature, in the form used by the Copernicus C3S HCI code.
[3] Bröde et al. (2012), UTCI operational procedure, via ECMWF thermofeel (Brimicombe et al.
    2022, SoftwareX 18:101005).
[4] Allen, Pereira, Raes & Smith (1998), Crop evapotranspiration, FAO Irrigation and Drainage
    Paper 56, Eq. 48 (actual vapour pressure from the daily minimum temperature, e_a = e°(Tmin),
    "where humidity data are lacking") and Annex 6 (Tdew ≈ Tmin − K_o: K_o ≈ 0 °C in humid and
    sub-humid climates, 2–3 °C in arid ones).
[5] Kimball, Running & Nemani (1997), An improved method for estimating surface humidity from
    daily minimum temperature, Agric. For. Meteorol. 85:87–98 (dew point ≈ night minimum, the
    MT-CLIM assumption of Running, Nemani & Hungerford 1987, holds except in arid conditions,
    where it overestimates humidity).
"""

from __future__ import annotations

import numpy as np

# Wind assumed for UTCI where the atlas has none: 2 m/s at 10 m, a light breeze (stated in the
# product). UTCI's regression is valid for 0.5–17 m/s.
DEFAULT_WIND_MS = 2.0
# Where humidity is missing it is estimated from the night minimum (dew_point_estimate [4, 5]):
# the dew point is the month's mean minimum, DRY_MONTH_DEW_DEPRESSION_C lower in a month with less
# than DRY_MONTH_MM of precipitation (FAO-56 Annex 6's arid K_o). Measured on the embedded atlas's
# 194,640 city-months that have humidity: the estimate's mean relative humidity is off by a median
# ESTIMATE_RH_BIAS_PCT, a mean absolute ESTIMATE_RH_MAE_PCT percentage points (Td = Tmin alone:
# +10.6 points in the 7,437 dry months, +2.2 with the depression).
DRY_MONTH_MM, DRY_MONTH_DEW_DEPRESSION_C = 10.0, 2.0
ESTIMATE_RH_BIAS_PCT, ESTIMATE_RH_MAE_PCT = -1.5, 4.9


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


def dew_point_estimate(tmin_c, prcp_mm) -> np.ndarray:
    """Dew point (°C) of a month without humidity data: its mean daily minimum (°C) [4, 5], less
    DRY_MONTH_DEW_DEPRESSION_C where its precipitation (mm/month) is below DRY_MONTH_MM (an
    unknown amount counts as not dry)."""
    dry = np.nan_to_num(np.asarray(prcp_mm, dtype=float), nan=np.inf) < DRY_MONTH_MM
    return np.asarray(tmin_c, dtype=float) - np.where(dry, DRY_MONTH_DEW_DEPRESSION_C, 0.0)


def vapour_pressure_or_estimate_hpa(tmean_c, rhum_pct, tmin_c, prcp_mm) -> tuple[np.ndarray, np.ndarray]:
    """(vapour pressure hPa, estimated?) of each month: from its mean humidity (%) at its mean
    temperature (°C); where that is NaN, the saturation vapour pressure at dew_point_estimate
    (NaN where the minimum is missing too)."""
    e = vapour_pressure_hpa(tmean_c, rhum_pct)
    est = np.isnan(e) & ~np.isnan(np.asarray(tmin_c, dtype=float))
    return np.where(est, saturation_vapour_pressure_hpa(dew_point_estimate(tmin_c, prcp_mm)), e), est


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
    (km/h); NaN where the temperature or the vapour pressure is NaN (never a guessed humidity)."""
    tmax_c = np.asarray(tmax_c, dtype=float)
    e = np.asarray(e_hpa, dtype=float)
    ok = ~(np.isnan(tmax_c) | np.isnan(e))
    u = utci_from_vapour(np.where(ok, tmax_c, 20.0), np.where(ok, e, 10.0), wind_kmh)
    return np.where(ok, u, np.nan)


def utci_afternoon(tmax_c, tmean_c, rhum_pct, wind_kmh) -> np.ndarray:
    """UTCI (°C) of a typical afternoon: the month's vapour pressure from its mean humidity (%)
    and temperature (°C) at the afternoon maximum (°C); NaN where humidity is missing."""
    return utci_at_afternoon_maximum(tmax_c, vapour_pressure_hpa(tmean_c, rhum_pct), wind_kmh)
