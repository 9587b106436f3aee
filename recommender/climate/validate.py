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


def city_problems(df: pd.DataFrame, lat_by_city: pd.Series) -> pd.Series:
    """The first problem of each city that fails validation: a Series city_id → sentence.

    Vectorised over the whole table (one bad city never hides the others). Checks: the city is
    in the registry (`lat_by_city`: °N by city id); months are the integers 1–12, once each;
    values are numbers, not text; provenance values are known and agree with missing values;
    then `row_problems` (physical ranges and relations).
    """
    out: dict[str, str] = {}

    def note(mask, reason) -> None:
        """Record reason(row) for the first row of each not-yet-failed city where mask holds."""
        rows = df[np.asarray(mask, dtype=bool) & ~df["city_id"].isin(out.keys()).to_numpy()]
        for cid, r in rows.groupby("city_id", sort=False).head(1).set_index("city_id").iterrows():
            out[str(cid)] = reason(cid, r)

    ids = df["city_id"]
    note(~ids.isin(lat_by_city.index), lambda c, r: (
        f"City '{c}' has normals but is not in the city registry ({len(lat_by_city):,} cities): the registry is "
        "truncated or from another build"))
    month = pd.to_numeric(df["month"], errors="coerce")
    note(month.isna() | (month % 1 != 0), lambda c, r: f"City '{c}': month {r['month']!r} is not a whole number 1–12")
    m = month.where(month % 1 == 0)
    counts = pd.DataFrame({"city_id": ids, "m": m}).groupby("city_id", sort=False)["m"].agg(
        ["size", "nunique", "min", "max"])
    bad = counts[(counts["size"] != 12) | (counts["nunique"] != 12) | (counts["min"] != 1) | (counts["max"] != 12)]
    note(ids.isin(bad.index), lambda c, r: (
        f"City '{c}' has {int(counts.at[c, 'size'])} monthly rows (months "
        f"{sorted(df.loc[ids == c, 'month'].tolist())}); every city needs months 1–12 once each"))
    numbers = {}
    for v in VARIABLES:
        x = pd.to_numeric(df[v], errors="coerce")
        note(x.isna() & df[v].notna(), lambda c, r, v=v: (
            f"City '{c}', month {r['month']}: column {v} holds the text {str(r[v])[:40]!r}, not a number"))
        numbers[v] = x
        src = df[src_column(v)]
        note(~src.isin(PROVENANCE), lambda c, r, v=v: (
            f"City '{c}', month {r['month']}: column {src_column(v)} has '{r[src_column(v)]}'; "
            f"allowed are {', '.join(PROVENANCE)}"))
        note(x.isna() != (src == "missing"), lambda c, r, v=v: (
            f"City '{c}', month {r['month']}: column {v} is {'empty' if pd.isna(r[v]) else r[v]} but "
            f"{src_column(v)} says '{r[src_column(v)]}'"))
    rest = df.assign(month=m, **numbers)[~ids.isin(out.keys()).to_numpy()]
    if len(rest):
        lat = lat_by_city.reindex(rest["city_id"]).to_numpy(dtype=float)
        problems = row_problems(rest, lat)
        if len(problems):
            first = problems.drop_duplicates("row").assign(city_id=lambda p: rest.loc[p["row"], "city_id"].to_numpy())
            for p in first.drop_duplicates("city_id").itertuples():
                out[p.city_id] = f"City '{p.city_id}', month {int(rest.at[p.row, 'month'])}, column {p.column}: {p.reason}"
    return pd.Series(out, dtype=object).reindex(pd.unique(ids)).dropna()


def validate_normals(df: pd.DataFrame, lat_by_city: pd.Series, allow_empty: bool = False) -> None:
    """Raise AtlasError naming the city, month and column of the first invalid value.

    Checks: the columns exist; some rows (unless allow_empty); then `city_problems`.
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
    problems = city_problems(df, lat_by_city)
    if len(problems):
        raise AtlasError(f"{problems.iloc[0]}. Rebuild the atlas (`python -m recommender build-atlas`) or re-run "
                         "the refresh for this city.")
