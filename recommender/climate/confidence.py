"""How far a city-month's climate can be trusted: a grade (high / medium / low) and the reason.

The grade is derived, row by row and vectorised, from three things the atlas records:

1. **Agreement of independent sources** (`check_c`, °C): the absolute difference between the
   month's mean temperature as used and a second, independent estimate at the same place (a
   station table against the gridded climatologies; WorldClim against CRU for a gridded city;
   refreshed Meteostat data against the embedded atlas). The build measures how large that
   difference is where both sources are good and writes the tolerances into
   `data/build_info.json` (`AGREE_C`: the median-ish agreement of good pairs; `TOLERANCE_C`:
   the high quantile beyond which a source counts as disagreeing; see data/README.md).
2. **Distance to the data** (`gridded_km`, km; `gridded_dz_m`, m): how far the nearest gridded
   sample point is from a city whose climate is gridded, and how far above or below the town the
   points used lie; a table borrowed from a neighbour (`proxy`) is always
   low.
3. **Share of imputed inputs** among the values the scores rest on (INPUTS): a month whose
   temperatures are imputed, or half of whose inputs are, is low; any imputed input caps it at
   medium.

Worst reason wins. Codes (translated by the presentation): REASONS.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .variables import src_column

GRADES = ("high", "medium", "low")
# reason code → grade it allows at best; ordered from the best to the worst
REASONS = {
    "agree": "high",          # two independent sources agree within AGREE_C
    "near_agree": "medium",   # they agree within TOLERANCE_C but not within AGREE_C
    "unchecked": "medium",    # no second estimate at this place to compare with
    "imputed": "medium",      # some inputs of the score are modelled, not observed
    "far": "medium",          # the nearest gridded point is FAR_KM or more away, or FAR_DZ_M in elevation
    "disagree": "low",        # the sources disagree beyond TOLERANCE_C (the better one is used)
    "very_far": "low",        # the nearest gridded point is VERY_FAR_KM or more away
    "mostly_imputed": "low",  # temperatures, or half of the inputs, are modelled
    "proxy": "low",           # a neighbour's table, no data at the place itself
}
INPUTS = ("tmax_c", "tmin_c", "prcp_mm", "rhum_pct", "sun_hours", "wind_kmh")
FAR_KM = 25.0
VERY_FAR_KM = 50.0
FAR_DZ_M = 500.0          # the sample points used lie this far above or below the town (gridded.POINT_DZ_M)
# Defaults used only when build_info.json carries no measured tolerances (an old build).
DEFAULT_TOLERANCES = {"agree_c": 1.0, "tolerance_c": 2.5}


def tolerances(data_dir: Path | None) -> dict[str, float]:
    """The agreement tolerances (°C) the build measured, from `data_dir`/build_info.json; the
    defaults for a build that did not record them, AtlasError for a damaged record."""
    from ..paths import recorded_measure

    # °C: a tolerance is positive and finite; AtlasError when the record is damaged
    return {k: recorded_measure(data_dir, "tolerances", k, (0.0, 50.0), v) for k, v in DEFAULT_TOLERANCES.items()}


def grade(frame: pd.DataFrame, tol: dict[str, float] | None = None) -> pd.DataFrame:
    """`confidence` and `confidence_reason` for every row of an atlas frame.

    Uses the columns `check_c` (°C, NaN when there is no second estimate), `gridded_km`,
    `climate_note`, `data_source` and the provenance columns of INPUTS, where present.
    """
    tol = tol or DEFAULT_TOLERANCES
    n = len(frame)
    order = list(REASONS)
    worst = np.zeros(n, dtype=int)          # index into `order`; start at "agree"

    def cap(mask, reason):
        nonlocal worst
        worst = np.where(np.asarray(mask, bool), np.maximum(worst, order.index(reason)), worst)

    check = frame["check_c"].to_numpy(float) if "check_c" in frame else np.full(n, np.nan)
    with np.errstate(invalid="ignore"):
        cap(np.isnan(check), "unchecked")
        cap(check > tol["agree_c"], "near_agree")
        cap(check > tol["tolerance_c"], "disagree")
    srcs = [frame[src_column(v)].astype(str).to_numpy() for v in INPUTS if src_column(v) in frame]
    if srcs:
        imputed = np.mean([s == "imputed" for s in srcs], axis=0)
        cap(imputed > 0, "imputed")
        thermal = np.zeros(n, bool)
        for v in ("tmax_c", "tmin_c"):
            if src_column(v) in frame:
                thermal |= frame[src_column(v)].astype(str).to_numpy() == "imputed"
        cap((imputed >= 0.5) | thermal, "mostly_imputed")
    note = frame["climate_note"].astype(str).to_numpy() if "climate_note" in frame else np.full(n, "")
    source = frame["data_source"].astype(str).to_numpy() if "data_source" in frame else np.full(n, "")
    if "gridded_km" in frame:
        km = frame["gridded_km"].to_numpy(float)
        gridded = (note == "gridded") & (source != "meteostat")
        dz = frame["gridded_dz_m"].to_numpy(float) if "gridded_dz_m" in frame else np.full(n, np.nan)
        with np.errstate(invalid="ignore"):
            cap(gridded & ((km >= FAR_KM) | (dz >= FAR_DZ_M)), "far")
            cap(gridded & (km >= VERY_FAR_KM), "very_far")
    cap(np.char.startswith(note.astype(str), "proxy") & (source != "meteostat"), "proxy")
    reason = np.array(order, dtype=object)[worst]
    levels = np.array([REASONS[r] for r in order], dtype=object)[worst]
    return pd.DataFrame({"confidence": pd.Categorical(levels, categories=list(GRADES)),
                         "confidence_reason": reason}, index=frame.index)
