"""Source: Wikipedia's "Climate data for X" tables (the scraped `cities_climate.csv`).

`read_climate` reads the raw table; `city_normals` turns one city's rows into twelve monthly
values per variable with provenance (measured; tmean from the extremes, sunshine from percent
possible and wet days = rainy + snowy days are derived). Licence CC BY-SA 4.0; reference periods differ per city and
are not in the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..climate.calendar import DAYS_IN_MONTH, MONTH_ABBR
from ..climate.derive import sunshine_from_percent, tmean_from_extremes

MEASURES = {
    "Average high (°C)": "tmax_c",
    "Average low (°C)": "tmin_c",
    "Daily mean (°C)": "tmean_c",
    "Average precipitation (mm)": "prcp_mm",
    "Average rainy days": "wet_days",
    "Average snowy days": "snow_days",
    "Average relative humidity (%)": "rhum_pct",
    "Mean monthly sunshine hours": "sun_hours",
    "Percent possible sunshine": "pct_sun",
}
PERIOD = "unspecified (Wikipedia climate table)"


def read_climate(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """Climate table → {name: {variable: 12 floats}} for the measures we use."""
    df = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    out: dict[str, dict[str, np.ndarray]] = {}
    for row in df.itertuples(index=False):
        var = MEASURES.get(row.Measure)
        if var is None:
            continue
        vals = pd.to_numeric(pd.Series([getattr(row, m).replace("−", "-") for m in MONTH_ABBR]),
                             errors="coerce").to_numpy(dtype=float)
        out.setdefault(row.City, {}).setdefault(var, vals)
    return out


def city_normals(values: dict[str, np.ndarray], lat: float) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Twelve monthly values and provenance per variable from one city's climate-table rows."""
    nan = np.full(12, np.nan)
    months = np.arange(1, 13)
    out: dict[str, tuple[np.ndarray, list[str]]] = {}

    def put(var, vals, src_if_present):
        vals = np.asarray(vals, dtype=float)
        out[var] = (vals, [src_if_present if not np.isnan(v) else "missing" for v in vals])

    for var in ("tmax_c", "tmin_c", "prcp_mm", "wet_days", "rhum_pct"):
        put(var, values.get(var, nan), "measured")
    # Snow days count as wet days: the tables' "rainy days" row leaves them out where a "snowy
    # days" row exists (Murmansk: 0.1 rainy and 23 snowy days in January).
    snow = values.get("snow_days", nan)
    add = ~np.isnan(out["wet_days"][0]) & ~np.isnan(snow) & (snow > 0)
    if add.any():
        wet = out["wet_days"][0].copy()
        wet[add] = np.minimum(wet[add] + snow[add], DAYS_IN_MONTH[add])
        out["wet_days"] = (wet, [("derived" if a else s) for a, s in zip(add, out["wet_days"][1])])
    tmean = values.get("tmean_c", nan).copy()
    src = ["measured" if not np.isnan(v) else "missing" for v in tmean]
    # Mean daily temperature from the mean of the daily extremes where the table has no mean.
    fill = np.isnan(tmean) & ~np.isnan(out["tmax_c"][0]) & ~np.isnan(out["tmin_c"][0])
    tmean[fill] = np.round(tmean_from_extremes(out["tmax_c"][0][fill], out["tmin_c"][0][fill]), 1)
    out["tmean_c"] = (tmean, [("derived" if f else s) for f, s in zip(fill, src)])
    sun = values.get("sun_hours", nan).copy()
    src = ["measured" if not np.isnan(v) else "missing" for v in sun]
    # Sunshine hours from percent possible sunshine × the astronomical maximum at this latitude.
    pct = values.get("pct_sun", nan)
    fill = np.isnan(sun) & ~np.isnan(pct)
    sun[fill] = np.round(sunshine_from_percent(pct, lat, months)[fill], 1)
    out["sun_hours"] = (sun, [("derived" if f else s) for f, s in zip(fill, src)])
    out["cloud_pct"] = (nan.copy(), ["missing"] * 12)
    out["wind_kmh"] = (nan.copy(), ["missing"] * 12)
    return out
