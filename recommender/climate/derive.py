"""Values computed from other values by stated physics, declared once for the build (Wikipedia
tables), the refresh (Meteostat daily data) and any later source.

- tmean = (tmax + tmin) / 2 where a table gives only the extremes;
- sunshine hours = percent of possible sunshine × the astronomical maximum S₀ (astro.py);
- cloud cover = 100·(1 − S/S₀), the complement of relative sunshine duration (first-order
  Ångström–Prescott relation; it misses thin cloud that does not stop the sunshine recorder,
  so it slightly underestimates cover under high cirrus). Undefined where S₀ < 10 h in the
  month (polar night), where it stays missing;
- monthly normals from daily series (`normals_from_daily`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .astro import monthly_max_sunshine_hours
from .variables import NORMALS_COLUMNS, VARIABLES, round_to_spec, src_column

MIN_DAYLIGHT_HOURS = 10.0   # S₀ below this (polar night): relative sunshine is undefined
WET_DAY_MM = 1.0            # a wet day has at least 1 mm of precipitation (WMO convention)
MIN_DAYS_FRACTION = 0.8     # a month's totals need 80 % of its days
MIN_YEARS_FRACTION = 0.5    # a calendar month's normal needs half of the period's years


def tmean_from_extremes(tmax_c, tmin_c) -> np.ndarray:
    """Mean daily temperature (°C) as the mean of the daily extremes (°C)."""
    return (np.asarray(tmax_c, dtype=float) + np.asarray(tmin_c, dtype=float)) / 2.0


def sunshine_from_percent(pct_possible, lat_deg, month) -> np.ndarray:
    """Sunshine (h per month) from percent of possible sunshine at latitude lat_deg (°N)."""
    return np.asarray(pct_possible, dtype=float) / 100.0 * monthly_max_sunshine_hours(lat_deg, month)


def daylight(lat_deg, month) -> np.ndarray:
    """True where the month has enough daylight (S₀ ≥ MIN_DAYLIGHT_HOURS) for relative sunshine."""
    return monthly_max_sunshine_hours(lat_deg, month) >= MIN_DAYLIGHT_HOURS


def cloud_from_sunshine(sun_hours, lat_deg, month) -> np.ndarray:
    """Cloud cover (%) as 100·(1 − S/S₀), clipped to 0–100; NaN in polar night or without S."""
    s0 = monthly_max_sunshine_hours(lat_deg, month)
    with np.errstate(invalid="ignore", divide="ignore"):
        cloud = np.clip(100.0 * (1.0 - np.asarray(sun_hours, dtype=float) / s0), 0.0, 100.0)
    return np.where(s0 >= MIN_DAYLIGHT_HOURS, cloud, np.nan)


def fill_provenance(values: np.ndarray, present: str = "measured") -> np.ndarray:
    """Provenance labels for an array: `present` where a value exists, "missing" where NaN."""
    return np.where(np.isnan(np.asarray(values, dtype=float)), "missing", present).astype(object)


def normals_from_daily(daily: pd.DataFrame, lat: float, city_id: str, start: int, end: int) -> pd.DataFrame:
    """Daily series (index: dates; temp/tmin/tmax °C, rhum %, prcp mm, wspd km/h, tsun min)
    → 12 rows of normals in the atlas schema with provenance.

    Monthly totals (precipitation, wet days, sunshine) need MIN_DAYS_FRACTION of the month's
    days and are scaled to the full month; a calendar month's normal needs MIN_YEARS_FRACTION
    of the period's years. tmean falls back to the extremes and cloud comes from sunshine
    (both "derived").
    """
    d = daily.copy()
    for c in ("temp", "tmin", "tmax", "rhum", "prcp", "wspd", "tsun"):
        d[c] = d[c].astype("float64") if c in d.columns else np.nan
    idx = pd.DatetimeIndex(d.index)
    d["year"], d["month"] = idx.year, idx.month
    g = d.groupby(["year", "month"])
    size = g.size()
    days_in = pd.to_datetime(dict(year=size.index.get_level_values(0), month=size.index.get_level_values(1),
                                  day=1)).dt.days_in_month.to_numpy()

    def total(col: str, values: pd.Series | None = None) -> np.ndarray:
        n = g[col].count().to_numpy()
        s = (g[col].sum() if values is None else values.groupby([d["year"], d["month"]]).sum()).to_numpy()
        return np.where(n >= MIN_DAYS_FRACTION * days_in, s / np.maximum(n, 1) * days_in, np.nan)

    monthly = pd.DataFrame(
        {
            "tmax_c": g["tmax"].mean().to_numpy(),
            "tmin_c": g["tmin"].mean().to_numpy(),
            "tmean_c": g["temp"].mean().to_numpy(),
            "rhum_pct": g["rhum"].mean().to_numpy(),
            "wind_kmh": g["wspd"].mean().to_numpy(),
            "prcp_mm": total("prcp"),
            "wet_days": total("prcp", (d["prcp"] >= WET_DAY_MM).astype(float)),
            "sun_hours": total("tsun") / 60.0,
        },
        index=size.index,
    )
    min_years = max(1, math.ceil(MIN_YEARS_FRACTION * (end - start + 1)))
    by_month = monthly.groupby(level="month")
    normal = by_month.mean().where(by_month.count() >= min_years).reindex(range(1, 13))
    months = np.arange(1, 13)
    out = pd.DataFrame({"city_id": city_id, "month": months})
    for v in VARIABLES:
        out[v] = normal[v].to_numpy() if v in normal else np.nan
        out[src_column(v)] = fill_provenance(out[v])
    fill = out["tmean_c"].isna() & out["tmax_c"].notna() & out["tmin_c"].notna()
    out.loc[fill, "tmean_c"] = tmean_from_extremes(out.loc[fill, "tmax_c"], out.loc[fill, "tmin_c"])
    out.loc[fill, src_column("tmean_c")] = "derived"
    out["cloud_pct"] = cloud_from_sunshine(out["sun_hours"].to_numpy(), lat, months)
    out[src_column("cloud_pct")] = fill_provenance(out["cloud_pct"], "derived")
    round_to_spec(out)
    out["period"] = f"{start}-{end}"
    return out[NORMALS_COLUMNS]
