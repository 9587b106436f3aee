"""The index-agnostic scoring engine: any registered index over the whole atlas, vectorised.

**Monthly approximation.** The indices are defined on daily weather; the atlas holds monthly
normals. Each month's thermal rating is the expectation over its afternoons: daily maxima drawn
around the mean (indices.Conditions.over_days: σ = 0.25 × diurnal range within 1.5–4 °C), the
afternoon humidity implied by the month's mean vapour pressure; precipitation as a mixture of
wet and dry days, capped by the month's total (indices.monthly_amount_ceiling). Thermal stress
lowers a score smoothly with the typical afternoon's UTCI (`stress_factor`), for every index
that declares `utci_gate`, from the UTCI class its declaration names (HCI:Beach: "strong heat
stress"; its thermal table reads the afternoon air temperature, indices.air_temperature). Measured on the atlas:
rating the mean afternoon instead of the days overstates near-optimum scores by a median 1.1,
at most 3.9 HCI points; the precipitation ceiling lowers 31 % of city-months (median 0.7
points); the caps this penalty replaced moved a score by up to 15 points for one °C and put
9.8 % of city-months at exactly 59 — now at most 12 points per °C and 1.1 % for any one value.

**Missing inputs.** Where humidity is missing, the month's vapour pressure is estimated from its
night minimum (physics.dew_point_estimate: dew point ≈ mean daily minimum, FAO-56 / Kimball et
al. 1997) and the humidity counts as *imputed* in the thermal component's provenance. A thermal
component (indices.Component.thermal) is never left out: a month where one cannot be rated (no
afternoon maximum, no humidity and no minimum) gets no score (NaN, label tables.NO_SCORE, "not enough data"), so it is
never ranked nor in a window. Any other component whose inputs are missing (wind where no
gridded point is near) is left out and the remaining weights are rescaled; `coverage` is the
share of the index's weight whose inputs were observed (measured, derived or gridded),
`coverage_imputed` / `coverage_missing` the shares resting on imputed or missing inputs.

**Personal comfort band.** `comfort_band=(lo, hi)` (°C of effective temperature) maps the band
onto the index's optimal class (indices.personal_temperature). With no band the index's
published tables are applied as declared.

Units: temperatures °C, humidity %, precipitation mm per month, sunshine h per month, cloud %,
wind km/h. Scores are 0–100.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ..climate.variables import OBSERVED, PROVENANCE
from .indices import ComfortIndex, Conditions, index_for
from .physics import utci_at_afternoon_maximum
from .tables import LABEL_ORDER, NO_SCORE, UTCI_CLASSES, label_codes, utci_class_start, utci_codes

# Thermal stress penalty: the score is multiplied by a factor that falls linearly with the UTCI of
# the typical afternoon, from 1 where the index's heat onset class starts (ComfortIndex.
# heat_onset_class: "moderate heat stress", 26 °C, for HCI:Urban and TCI; "strong heat stress",
# 32 °C, for HCI:Beach) by MAX_PENALTY over HEAT_SPAN_C degrees (to 0.1 at 46 °C, where "extreme
# heat stress" starts, from the default onset), and from 1 where "slight cold stress" starts
# (9 °C) to 1 − MAX_PENALTY where "extreme cold stress" starts (−40 °C) — every threshold read
# from the UTCI assessment scale (tables.UTCI_EDGES; Bröde et al. 2012, Błażejczyk et al. 2013).
# One slope for every index, so no cliff: one °C of UTCI moves a score by at most MAX_PENALTY /
# HEAT_SPAN_C (4.5 %) of it. A typical afternoon in "very strong heat stress" (≥ 38 °C) keeps at
# most 1 − 0.9·6/20 = 73 % of a beach score (< 80 whatever its sky), 46 % of a sightseeing one.
MAX_PENALTY = 0.9
HEAT_ONSET_C = utci_class_start("moderate heat stress")   # the default onset (26 °C)
HEAT_SPAN_C = utci_class_start("extreme heat stress") - HEAT_ONSET_C   # 20 °C: full penalty at 46 °C from 26 °C
COLD_ONSET_C, COLD_EXTREME_C = utci_class_start("slight cold stress"), utci_class_start("extreme cold stress")
# Measured on the embedded atlas, quoted by the method text (present/text.method_paragraphs). The
# build does not record them (measuring them again means scoring the atlas with and without each
# change), so they are declared here, beside the science they measure:
# One °C more in every month moves no score by more than MAX_POINTS_PER_C (tests/test_comfort.py):
# 9.7 under HCI:Urban; 11.9 under HCI:Beach and 11.0 under TCI, at the published tables' steep cool
# edges (beach thermal −5 → 0 at 14.5 °C) in months with no cloud or sunshine data, where the
# rescaled weights make the thermal part count more (issue 17: rating the beach on air temperature).
MAX_POINTS_PER_C = 12
MAX_VALUE_SHARE = 0.011     # the largest share of city-months holding any one score value
CAPS_PLATEAU, CAPS_PLATEAU_SHARE = 59, 0.098   # the caps this penalty replaced put 9.8 % of city-months at 59
# Counting the gridded 10 m wind (a component left out where wind is missing) moves scores by a
# median WIND_EFFECT_MEDIAN points, from WIND_EFFECT_RANGE_90[0] to [1] for 90 % of city-months.
WIND_EFFECT_MEDIAN, WIND_EFFECT_RANGE_90 = 1.2, (-6, 4)


def stress_factor(utci_c, heat_onset_c: float = HEAT_ONSET_C) -> np.ndarray:
    """Multiplier (1 − MAX_PENALTY … 1) of a score for the typical afternoon's UTCI (°C): 1 up to
    heat_onset_c, 1 − MAX_PENALTY from heat_onset_c + HEAT_SPAN_C, linear between (the cold side
    alike from COLD_ONSET_C to COLD_EXTREME_C); 1 where NaN."""
    u = np.asarray(utci_c, dtype=float)
    heat = np.clip((u - heat_onset_c) / HEAT_SPAN_C, 0.0, 1.0)
    cold = np.clip((COLD_ONSET_C - u) / (COLD_ONSET_C - COLD_EXTREME_C), 0.0, 1.0)
    return np.where(np.isnan(u), 1.0, 1.0 - MAX_PENALTY * (heat + cold))


INPUT_COLUMNS = ["tmax_c", "tmin_c", "tmean_c", "rhum_pct", "prcp_mm", "wet_days", "sun_hours", "cloud_pct", "wind_kmh"]
PARALLEL_ROWS = 200_000  # above this, the NumPy core runs in one thread per core …
CHUNK_ROWS = 50_000      # … on chunks of this many rows
_MISSING = PROVENANCE.index("missing")
_IMPUTED = PROVENANCE.index("imputed")
_LAST_OBSERVED = max(PROVENANCE.index(p) for p in OBSERVED)


def provenance_codes(src: pd.Series | None, n: int) -> np.ndarray:
    """Provenance labels → codes (index into PROVENANCE; absent column or unknown: missing).

    A categorical column (as load_atlas returns it) is mapped through its categories without
    touching the rows' strings."""
    if src is None:
        return np.full(n, _MISSING, dtype=np.int8)
    if isinstance(src.dtype, pd.CategoricalDtype):
        codes, uniques = src.cat.codes.to_numpy(), list(src.cat.categories)
    else:
        codes, uniques = pd.factorize(src, use_na_sentinel=True)
    lut = np.array([PROVENANCE.index(u) if u in PROVENANCE else _MISSING for u in uniques] + [_MISSING], dtype=np.int8)
    return lut[codes]  # the NA sentinel −1 picks the trailing "missing"


def score_core(x: dict[str, np.ndarray], index: ComfortIndex, band) -> dict[str, np.ndarray]:
    """The whole index on NumPy arrays (one chunk of rows); see score_atlas for the outputs."""
    c = Conditions(x, index.optimum, band)
    n = len(c["month"])
    # humidity estimated from the night minimum counts as imputed (at best as good as the minimum)
    x = {**x, "rhum_pct_src": np.where(c["rhum_estimated"], np.maximum(_IMPUTED, x["tmin_c_src"]),
                                       x["rhum_pct_src"]).astype(np.int8)}
    total_w = sum(index.weights.values())
    num, w_avail, cov_good, cov_imp = (np.zeros(n) for _ in range(4))
    thermal_ok = np.ones(n, dtype=bool)
    out: dict[str, np.ndarray] = {}
    for comp in index.components:
        val = np.asarray(comp.rate(c), dtype=float)
        ok = ~np.isnan(val)
        if comp.thermal:
            thermal_ok &= ok
        num += np.where(ok, comp.weight * val, 0.0)
        w_avail += np.where(ok, comp.weight, 0.0)
        code = np.zeros(n, dtype=np.int8)
        for col in comp.inputs:
            code = np.maximum(code, x[f"{col}_src"])
        code = np.where(ok, code, _MISSING).astype(np.int8)
        cov_good += np.where(code <= _LAST_OBSERVED, comp.weight, 0.0)
        cov_imp += np.where(code == _IMPUTED, comp.weight, 0.0)
        out[f"r_{comp.key}"] = val
        out[f"src_{comp.key}"] = code
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where((w_avail > 0) & thermal_ok, np.clip(100.0 * num / (w_avail * index.top), 0.0, 100.0), np.nan)
    utci = utci_at_afternoon_maximum(c["tmax_c"], c["e_hpa"], c["wind_kmh"])
    klass = utci_codes(utci)
    factor = stress_factor(utci, index.heat_onset_utci) if index.utci_gate else np.ones(n)
    out.update(score=np.round(raw * factor, 1), raw_score=np.round(raw, 1), et_c=np.round(c["et_pm_c"], 1),
               rh_afternoon_pct=np.round(c["rh_pm_pct"], 0), utci_c=np.round(utci, 1), utci_code=klass,
               stress_factor=np.round(factor, 3), coverage=np.round(cov_good / total_w, 3), coverage_imputed=np.round(cov_imp / total_w, 3),
               coverage_missing=np.round(1 - (cov_good + cov_imp) / total_w, 3))
    return out


def score_arrays(x: dict[str, np.ndarray], index: ComfortIndex, band=None, keep=None) -> dict[str, np.ndarray]:
    """score_core over any number of rows: `x` holds `month` (1–12), every INPUT_COLUMNS array
    and its `<col>_src` provenance codes. Above PARALLEL_ROWS the rows go in CHUNK_ROWS chunks,
    one thread per core (NumPy releases the GIL in its loops; chunks keep temporaries in cache).
    `keep`: the outputs wanted (default all)."""
    n = len(x["month"])
    if n <= PARALLEL_ROWS:
        res = score_core(x, index, band)
        return res if keep is None else {c: res[c] for c in keep}
    bounds = np.unique(np.r_[np.arange(0, n, CHUNK_ROWS), n])
    chunks = [{c: v[a:b] for c, v in x.items()} for a, b in zip(bounds[:-1], bounds[1:])]
    with ThreadPoolExecutor(max(1, os.cpu_count() or 1)) as pool:
        parts = list(pool.map(lambda ch: score_core(ch, index, band), chunks))
    return {c: np.concatenate([p[c] for p in parts]) for c in (keep or parts[0])}


def score_atlas(atlas: pd.DataFrame, index: str | ComfortIndex = "hci_urban",
                comfort_band: tuple[float, float] | None = None) -> pd.DataFrame:
    """Score every city-month of `atlas` (the normals schema) with one index.

    Returns one row per input row (same index) with: city_id, month, score (0–100, after the
    gate; NaN where the thermal comfort cannot be rated), raw_score (before it), label
    (tables.LABEL_ORDER; tables.NO_SCORE where there is no score), the component ratings (`r_<component>` on the
    index's rating scale), their provenance (`src_<component>`), effective temperature et_c,
    afternoon humidity rh_afternoon_pct, utci_c, utci_class, stress_factor, coverage,
    coverage_imputed, coverage_missing. Text columns are pandas categoricals.
    """
    spec = index if isinstance(index, ComfortIndex) else index_for(index)
    n = len(atlas)
    x = {"month": atlas["month"].to_numpy(dtype=int)}
    for col in INPUT_COLUMNS:
        x[col] = atlas[col].to_numpy(dtype=float)
        x[f"{col}_src"] = provenance_codes(atlas.get(f"{col}_src"), n)
    res = score_arrays(x, spec, comfort_band)
    out = {"city_id": atlas["city_id"].to_numpy(), "month": x["month"], "score": res["score"], "raw_score": res["raw_score"]}
    codes = label_codes(res["score"])
    out["label"] = pd.Categorical.from_codes(np.where(codes < 0, len(LABEL_ORDER), codes),
                                             categories=[*LABEL_ORDER, NO_SCORE])
    for comp in spec.components:
        out[f"r_{comp.key}"] = res[f"r_{comp.key}"]
        out[f"src_{comp.key}"] = pd.Categorical.from_codes(res[f"src_{comp.key}"], categories=list(PROVENANCE))
    for col in ("et_c", "rh_afternoon_pct", "utci_c"):
        out[col] = res[col]
    out["utci_class"] = pd.Categorical.from_codes(np.where(res["utci_code"] < 0, len(UTCI_CLASSES), res["utci_code"]),
                                                  categories=[*UTCI_CLASSES, "unknown"])
    for col in ("stress_factor", "coverage", "coverage_imputed", "coverage_missing"):
        out[col] = res[col]
    return pd.DataFrame(out, index=atlas.index)
