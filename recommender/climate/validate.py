"""Validation of normals tables (one row per city and month) against the variable specs.

Units and physical ranges come from `variables.py`; the checks here add the relations
between values (tmin ≤ tmean ≤ tmax, wet days ≤ days in month, sunshine ≤ the astronomical
maximum at the city's latitude).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AtlasError
from .astro import sunshine_ceiling
from .calendar import days_in_month
from .variables import NORMALS_COLUMNS, PROVENANCE, SPEC, VARIABLES, src_column

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

    for v in VARIABLES:  # the declared physical range of every variable (inf and 1e309 included)
        x = df[v].to_numpy(dtype=float)
        spec = SPEC[v]
        add(~np.isnan(x) & ~((x >= spec.lo) & (x <= spec.hi)), v,
            lambda i, x=x, spec=spec: f"{spec.label} {x[i]:g} {spec.unit} outside the physical range "
                                      f"{spec.lo:g} to {spec.hi:g} {spec.unit}")
    tmin, tmean, tmax = (df[c].to_numpy(dtype=float) for c in ("tmin_c", "tmean_c", "tmax_c"))
    add(tmin > tmean + _TOL, "tmin_c", lambda i: f"tmin {tmin[i]} °C above tmean {tmean[i]} °C")
    add(tmean > tmax + _TOL, "tmax_c", lambda i: f"tmean {tmean[i]} °C above tmax {tmax[i]} °C")
    add(tmin > tmax + _TOL, "tmin_c", lambda i: f"tmin {tmin[i]} °C above tmax {tmax[i]} °C")
    wd = df["wet_days"].to_numpy(dtype=float)
    dim = days_in_month(month)
    add(wd > dim + _TOL, "wet_days", lambda i: f"{wd[i]} wet days in a {dim[i]:g}-day month")
    sun = df["sun_hours"].to_numpy(dtype=float)
    smax = sunshine_ceiling(np.asarray(lat, dtype=float), month)
    add(sun > smax + 1.0, "sun_hours",   # 1 h slack: rounding, and the interpolated ceiling
        lambda i: f"{sun[i]} h of sunshine above the astronomical maximum {smax[i]:.1f} h")
    return pd.DataFrame(problems, columns=["row", "column", "reason"])


def validate_normals(df: pd.DataFrame, lat_by_city: pd.Series, allow_empty: bool = False) -> None:
    """Raise AtlasError naming the city, month and column of the first invalid value.

    Checks: the columns exist; some rows (unless allow_empty); 12 months (1–12) per city;
    provenance values are known and agree with missing values; every value inside its
    declared physical range (variables.py); tmin ≤ tmean ≤ tmax; wet_days ≤ days in month;
    sunshine ≤ astronomical maximum at the city's latitude.
    """
    missing_cols = [c for c in NORMALS_COLUMNS if c not in df.columns]
    if missing_cols:
        raise AtlasError(
            f"The normals table lacks the columns {', '.join(missing_cols)}; rebuild it with "
            "`python -m recommender build-atlas` or re-run the refresh."
        )
    if df.empty and not allow_empty:
        raise AtlasError("The normals table has no rows; restore data/normals.parquet from the repository or rebuild "
                         "it with `python -m recommender build-atlas`.")
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
        src = df[src_column(v)]
        unknown = ~src.isin(PROVENANCE)
        if unknown.any():
            r = df[unknown].iloc[0]
            raise AtlasError(
                f"City '{r.city_id}', month {r.month}: column {src_column(v)} has '{src[unknown].iloc[0]}'; "
                f"allowed are {', '.join(PROVENANCE)}."
            )
        isna = df[v].isna()
        clash = isna != (src == "missing")
        if clash.any():
            r = df[clash].iloc[0]
            raise AtlasError(
                f"City '{r.city_id}', month {r.month}: column {v} is "
                f"{'empty' if pd.isna(r[v]) else r[v]} but {src_column(v)} says '{r[src_column(v)]}'."
            )
    codes, uniques = pd.factorize(df["city_id"])   # per city, not per row
    known = pd.Index(uniques).isin(lat_by_city.index)
    unknown_city = ~known[codes]
    if unknown_city.any():
        raise AtlasError(
            f"City '{df.loc[unknown_city, 'city_id'].iloc[0]}' has normals but is not in the city "
            f"registry (data/cities.csv, {len(lat_by_city):,} cities): the registry is truncated or from another "
            "build. Restore data/cities.csv from the repository or rebuild with `python -m recommender build-atlas`."
        )
    lat = lat_by_city.reindex(uniques).to_numpy()[codes]
    problems = row_problems(df, lat)
    if len(problems):
        p = problems.iloc[0]
        r = df.loc[p["row"]]
        raise AtlasError(
            f"City '{r.city_id}', month {int(r.month)}, column {p['column']}: {p['reason']}. "
            "Rebuild the atlas (`python -m recommender build-atlas`) or re-run the refresh for this city."
        )
