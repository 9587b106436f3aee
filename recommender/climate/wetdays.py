"""Wet days on one threshold: days per month with ≥ 1 mm of precipitation (derive.WET_DAY_MM,
the WMO convention the refresh's daily data are counted with).

The sources count differently:

- the Wikipedia tables' "rainy days" use ≥ 0.1 mm or ≥ 1 mm depending on the national service
  (≥ 0.1 mm: the US, China, Canada…; ≥ 1 mm: Japan, the UK, Germany, France…), and the scraped
  rows do not say which;
- CRU CL 2.0 (New, Lister, Hulme & Makin 2002, Climate Research 21:1–25) counts days > 0.1 mm.

`unify_wet_days` sorts each table by its yearly wet days over CRU's > 0.1 mm days at its place:
a ratio ≥ RATIO_SPLIT is a ≥ 0.1 mm table, below it a ≥ 1 mm table. The factor between the two
thresholds is the ratio of the two groups' median ratios (≈ 0.63 on the embedded atlas, in the
statistics of data/README.md); ≥ 0.1 mm tables are multiplied by it. `gridded_factor` fits the
factor that brings CRU's > 0.1 mm days to the tables' ≥ 1 mm days, `from_cru` applies it.
Units: days per month throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import DAYS_IN_MONTH
from .variables import src_column

RATIO_SPLIT = 0.82   # a table counting ≥ 0.1 mm days has about as many as CRU's > 0.1 mm days; a ≥ 1 mm table ~⅔
MIN_MONTHS = 10      # months with both counts a table needs to be classified
OBSERVED = ("measured", "derived")   # the tables' own counts (rainy days, or rainy + snowy days)
# Used only when build_info.json carries no measured factor (a build before it was recorded).
DEFAULT_FACTOR = 0.63


@dataclass
class WetDayThresholds:
    """How the tables' wet-day counts were brought to one threshold (≥ 1 mm)."""

    factor: float            # days ≥ 1 mm ≈ factor × days ≥ 0.1 mm
    n_fine: int              # tables classified as counting ≥ 0.1 mm days (converted)
    n_coarse: int            # tables classified as counting ≥ 1 mm days (kept)
    n_unknown: int           # no gridded point to compare with (kept)
    ratio_split: float = RATIO_SPLIT   # the ratio to CRU's > 0.1 mm days that sorts them


def unify_wet_days(N: pd.DataFrame, cru_days_01: np.ndarray) -> WetDayThresholds:
    """Bring the station tables' wet days (`N`: 12 rows per city, columns wet_days and its
    provenance) to ≥ 1 mm days, in place: the tables classified as counting ≥ 0.1 mm days are
    multiplied by the factor (rounded to 0.1 day, provenance "derived"). `cru_days_01` (cities,
    12) holds CRU's days > 0.1 mm at the same places, in the same order (NaN where none)."""
    rd = np.asarray(cru_days_01, float)
    n = len(rd)
    src = src_column("wet_days")
    wd = N["wet_days"].to_numpy(float).reshape(n, 12)
    measured = np.isin(N[src].to_numpy().reshape(n, 12), OBSERVED)
    wd_m = np.where(measured, wd, np.nan)
    both = ~np.isnan(wd_m) & ~np.isnan(rd)
    enough = both.sum(axis=1) >= MIN_MONTHS
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(enough, np.where(both, wd_m, 0).sum(axis=1) / np.where(both, rd, 0).sum(axis=1), np.nan)
    fine, coarse = enough & (ratio >= RATIO_SPLIT), enough & (ratio < RATIO_SPLIT)
    if not fine.any() or not coarse.any():   # a build without CRU: nothing to classify by, all kept
        return WetDayThresholds(float("nan"), 0, 0, n)
    factor = float(np.median(ratio[coarse]) / np.median(ratio[fine]))
    convert = np.repeat(fine, 12) & measured.reshape(-1) & ~np.isnan(wd.reshape(-1))
    N.loc[convert, "wet_days"] = (N.loc[convert, "wet_days"].to_numpy(float) * factor).round(1)
    N.loc[convert, src] = "derived"
    return WetDayThresholds(factor, int(fine.sum()), int(coarse.sum()), int((~enough).sum()))


def gridded_factor(table_days: np.ndarray, cru_days_01: np.ndarray) -> float:
    """The factor f minimising Σ (table − f · CRU)² over the city-months that have both (a
    least-squares line through the origin): the tables' ≥ 1 mm wet days ≈ f × CRU's > 0.1 mm
    days. NaN when no city-month has both."""
    wd, rd = np.asarray(table_days, float), np.asarray(cru_days_01, float)
    ok = ~np.isnan(wd) & ~np.isnan(rd)
    return float(np.sum(wd[ok] * rd[ok]) / np.sum(rd[ok] ** 2)) if ok.any() else float("nan")


def from_cru(cru_days_01: np.ndarray, factor: float) -> np.ndarray:
    """(cities, 12) CRU days > 0.1 mm → wet days ≥ 1 mm: × factor, at most the days of the month."""
    return np.minimum(factor * np.asarray(cru_days_01, float), DAYS_IN_MONTH[None, :])


def recorded_factor(data_dir: Path | None) -> float:
    """The factor the build converted ≥ 0.1 mm tables with (`WetDayThresholds.factor`), from
    `data_dir`/build_info.json (3 decimals); DEFAULT_FACTOR for a build that did not record it,
    AtlasError for a damaged record. A ≥ 1 mm table counts fewer days than a ≥ 0.1 mm one: 0 < factor ≤ 1."""
    from ..paths import recorded_measure

    return recorded_measure(data_dir, "wet_days", "factor", (0.0, 1.0), DEFAULT_FACTOR)
