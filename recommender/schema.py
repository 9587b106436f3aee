"""The normals schema (one row per city and month) and its validation.

Units: temperatures °C, precipitation mm per month, wet days per month, relative
humidity %, sunshine hours per month, cloud cover %, wind km/h.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .astro import days_in_month, monthly_max_sunshine_hours
from .errors import AtlasError

VARIABLES = [
    "tmax_c",
    "tmin_c",
    "tmean_c",
    "prcp_mm",
    "wet_days",
    "rhum_pct",
    "sun_hours",
    "cloud_pct",
    "wind_kmh",
]
PROVENANCE = ("measured", "derived", "imputed", "missing")
SRC_COLUMNS = [f"{v}_src" for v in VARIABLES]
NORMALS_COLUMNS = ["city_id", "month", *VARIABLES, *SRC_COLUMNS, "period"]

# Small slack for values rounded to 0.1 in the sources.
_TOL = 0.05


def row_problems(df: pd.DataFrame, lat: pd.Series | np.ndarray) -> pd.DataFrame:
    """Check every row; return a frame (row index, column, reason) of the failures.

    `lat` (°N) is aligned with `df` and used for the sunshine ceiling. Missing values pass:
    they are flagged by provenance, not rejected.
    """
    problems = []
    month = df["month"].to_numpy()

    def add(mask, column, reason):
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask):
            problems.append((df.index[i], column, reason(i)))

    tmin, tmean, tmax = (df[c].to_numpy(dtype=float) for c in ("tmin_c", "tmean_c", "tmax_c"))
    add(tmin > tmean + _TOL, "tmin_c", lambda i: f"tmin {tmin[i]} °C above tmean {tmean[i]} °C")
    add(tmean > tmax + _TOL, "tmax_c", lambda i: f"tmean {tmean[i]} °C above tmax {tmax[i]} °C")
    add(tmin > tmax + _TOL, "tmin_c", lambda i: f"tmin {tmin[i]} °C above tmax {tmax[i]} °C")
    rh = df["rhum_pct"].to_numpy(dtype=float)
    add((rh < 0) | (rh > 100), "rhum_pct", lambda i: f"humidity {rh[i]} % outside 0–100")
    pr = df["prcp_mm"].to_numpy(dtype=float)
    add(pr < 0, "prcp_mm", lambda i: f"precipitation {pr[i]} mm is negative")
    wd = df["wet_days"].to_numpy(dtype=float)
    dim = days_in_month(month)
    add((wd < 0) | (wd > dim + _TOL), "wet_days", lambda i: f"{wd[i]} wet days in a {dim[i]:g}-day month")
    sun = df["sun_hours"].to_numpy(dtype=float)
    smax = monthly_max_sunshine_hours(np.asarray(lat, dtype=float), month)
    add((sun < 0) | (sun > smax + 0.5), "sun_hours",
        lambda i: f"{sun[i]} h of sunshine above the astronomical maximum {smax[i]:.1f} h")
    cl = df["cloud_pct"].to_numpy(dtype=float)
    add((cl < 0) | (cl > 100), "cloud_pct", lambda i: f"cloud cover {cl[i]} % outside 0–100")
    wi = df["wind_kmh"].to_numpy(dtype=float)
    add(wi < 0, "wind_kmh", lambda i: f"wind {wi[i]} km/h is negative")
    return pd.DataFrame(problems, columns=["row", "column", "reason"])


def validate_normals(df: pd.DataFrame, lat_by_city: pd.Series) -> None:
    """Raise AtlasError naming the city, month and column of the first invalid value.

    Checks: the columns exist; 12 months (1–12) per city; provenance values are known and
    agree with missing values; tmin ≤ tmean ≤ tmax; 0 ≤ rhum ≤ 100; prcp ≥ 0;
    wet_days ≤ days in month; sunshine ≤ astronomical maximum at the city's latitude.
    """
    missing_cols = [c for c in NORMALS_COLUMNS if c not in df.columns]
    if missing_cols:
        raise AtlasError(
            f"The normals table lacks the columns {', '.join(missing_cols)}; rebuild it with "
            "`python -m recommender build-atlas` or re-run the refresh."
        )
    counts = df.groupby("city_id")["month"].agg(["count", "nunique", "min", "max"])
    bad = counts[(counts["count"] != 12) | (counts["nunique"] != 12) | (counts["min"] != 1) | (counts["max"] != 12)]
    if len(bad):
        city = bad.index[0]
        raise AtlasError(
            f"City '{city}' has {int(bad.iloc[0]['count'])} monthly rows (months "
            f"{sorted(df.loc[df.city_id == city, 'month'].tolist())}); every city needs months 1–12 "
            "once each. Rebuild the atlas or delete the refreshed store for that city."
        )
    for v in VARIABLES:
        src = df[f"{v}_src"]
        unknown = ~src.isin(PROVENANCE)
        if unknown.any():
            r = df[unknown].iloc[0]
            raise AtlasError(
                f"City '{r.city_id}', month {r.month}: column {v}_src has '{src[unknown].iloc[0]}'; "
                f"allowed are {', '.join(PROVENANCE)}."
            )
        isna = df[v].isna()
        clash = isna != (src == "missing")
        if clash.any():
            r = df[clash].iloc[0]
            raise AtlasError(
                f"City '{r.city_id}', month {r.month}: column {v} is "
                f"{'empty' if pd.isna(r[v]) else r[v]} but {v}_src says '{r[f'{v}_src']}'."
            )
    unknown_city = ~df["city_id"].isin(lat_by_city.index)
    if unknown_city.any():
        raise AtlasError(
            f"City '{df.loc[unknown_city, 'city_id'].iloc[0]}' has normals but is not in the city "
            "registry (data/cities.csv); rebuild the atlas."
        )
    lat = lat_by_city.reindex(df["city_id"]).to_numpy()
    problems = row_problems(df, lat)
    if len(problems):
        p = problems.iloc[0]
        r = df.loc[p["row"]]
        raise AtlasError(
            f"City '{r.city_id}', month {int(r.month)}, column {p['column']}: {p['reason']}. "
            "Rebuild the atlas (`python -m recommender build-atlas`) or re-run the refresh for this city."
        )
