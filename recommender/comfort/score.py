"""The index-agnostic scoring engine: any registered index over the whole atlas, vectorised.

**Monthly approximation.** The indices are defined on daily weather; the atlas holds monthly
normals. Each month's thermal rating is the expectation over its afternoons: daily maxima drawn
around the mean (indices.Conditions.over_days: σ = 0.25 × diurnal range within 1.5–4 °C), the
afternoon humidity implied by the month's mean vapour pressure; precipitation as a mixture of
wet and dry days, capped by the month's total (indices.monthly_amount_ceiling). Thermal stress
lowers a score smoothly with the typical afternoon's UTCI (`stress_factor`), for every index
that declares `utci_gate`; the beach index spares its own optimum. Measured on the atlas:
rating the mean afternoon instead of the days overstates near-optimum scores by a median 1.1,
at most 3.9 HCI points; the precipitation ceiling lowers 31 % of city-months (median 0.7
points); the caps this penalty replaced moved a score by up to 15 points for one °C and put
9.8 % of city-months at exactly 59 — now at most 10 points per °C and 1.1 % for any one value.

**Missing inputs.** A component whose inputs are missing (wind everywhere in the embedded
atlas) is left out and the remaining weights are rescaled; `coverage` is the share of the
index's weight whose inputs were observed (measured, derived or gridded), `coverage_imputed` / `coverage_missing`
the shares resting on imputed or missing inputs.

**Personal comfort band.** `comfort_band=(lo, hi)` (°C of effective temperature) maps the band
onto the index's optimal class (indices.personal_temperature). With no band the published
index is reproduced exactly.

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
from .tables import LABEL_ORDER, UTCI_CLASSES, label_codes, utci_codes

# Thermal stress penalty: the score is multiplied by a factor that falls linearly with the UTCI of
# the typical afternoon, from 1 at the index's heat onset (26 °C, the start of "moderate heat
# stress", for HCI:Urban and TCI) to 1 − MAX_PENALTY HEAT_SPAN_C degrees higher (46 °C, "extreme
# heat stress"), and from 1 at 9 °C (the start of "slight cold stress") to 1 − MAX_PENALTY at
# −40 °C ("extreme cold stress"). No cliff: one °C of UTCI moves a score by at most
# MAX_PENALTY / HEAT_SPAN_C (4.5 %) of it. The beach index declares a heat onset of 42 °C, above
# every UTCI its optimal class reaches in the atlas (41.1 °C), so it is not punished there.
MAX_PENALTY = 0.9
HEAT_ONSET_C = 26.0   # the default heat onset (indices.ComfortIndex.heat_onset_utci declares each index's)
HEAT_SPAN_C, COLD_ONSET_C, COLD_EXTREME_C = 20.0, 9.0, -40.0
# Measured on the embedded atlas, quoted by the method text (present/text.method_paragraphs). The
# build does not record them (measuring them again means scoring the atlas with and without each
# change), so they are declared here, beside the science they measure:
MAX_POINTS_PER_C = 10       # one °C more in every month moves no score by more than this (tests/test_comfort.py)
MAX_VALUE_SHARE = 0.011     # the largest share of city-months holding any one score value
CAPS_PLATEAU, CAPS_PLATEAU_SHARE = 59, 0.098   # the caps this penalty replaced put 9.8 % of city-months at 59
# Counting the gridded 10 m wind (a component left out where wind is missing) moves scores by a
# median WIND_EFFECT_MEDIAN points, from WIND_EFFECT_RANGE_90[0] to [1] for 90 % of city-months.
WIND_EFFECT_MEDIAN, WIND_EFFECT_RANGE_90 = 1.2, (-6, 4)


def stress_factor(utci_c, heat_onset_c: float = HEAT_ONSET_C) -> np.ndarray:
    """Multiplier (1 − MAX_PENALTY … 1) of a score for the typical afternoon's UTCI (°C); 1 where NaN."""
    u = np.asarray(utci_c, dtype=float)
    heat = np.clip((u - heat_onset_c) / HEAT_SPAN_C, 0.0, 1.0)
    cold = np.clip((COLD_ONSET_C - u) / (COLD_ONSET_C - COLD_EXTREME_C), 0.0, 1.0)
    return np.where(np.isnan(u), 1.0, 1.0 - MAX_PENALTY * (heat + cold))


INPUT_COLUMNS = ["tmax_c", "tmin_c", "tmean_c", "rhum_pct", "prcp_mm", "wet_days", "sun_hours", "cloud_pct", "wind_kmh"]
PARALLEL_ROWS = 200_000  # above this, the NumPy core runs in one thread per core
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
    total_w = sum(index.weights.values())
    num, w_avail, cov_good, cov_imp = (np.zeros(n) for _ in range(4))
    out: dict[str, np.ndarray] = {}
    for comp in index.components:
        val = np.asarray(comp.rate(c), dtype=float)
        ok = ~np.isnan(val)
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
        raw = np.where(w_avail > 0, np.clip(100.0 * num / (w_avail * index.top), 0.0, 100.0), np.nan)
    utci = utci_at_afternoon_maximum(c["tmax_c"], c["e_hpa"], c["wind_kmh"])
    klass = utci_codes(utci)
    factor = stress_factor(utci, index.heat_onset_utci) if index.utci_gate else np.ones(n)
    out.update(score=np.round(raw * factor, 1), raw_score=np.round(raw, 1), et_c=np.round(c["et_pm_c"], 1),
               rh_afternoon_pct=np.round(c["rh_pm_pct"], 0), utci_c=np.round(utci, 1), utci_code=klass,
               stress_factor=np.round(factor, 3), coverage=np.round(cov_good / total_w, 3), coverage_imputed=np.round(cov_imp / total_w, 3),
               coverage_missing=np.round(1 - (cov_good + cov_imp) / total_w, 3))
    return out


def score_atlas(atlas: pd.DataFrame, index: str | ComfortIndex = "hci_urban",
                comfort_band: tuple[float, float] | None = None) -> pd.DataFrame:
    """Score every city-month of `atlas` (the normals schema) with one index.

    Returns one row per input row (same index) with: city_id, month, score (0–100, after the
    gate), raw_score (before it), label, the component ratings (`r_<component>` on the
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
    if n > PARALLEL_ROWS:
        # NumPy releases the GIL in its loops: one chunk per core.
        k = max(1, os.cpu_count() or 1)
        bounds = np.linspace(0, n, k + 1).astype(int)
        chunks = [{c: v[a:b] for c, v in x.items()} for a, b in zip(bounds[:-1], bounds[1:])]
        with ThreadPoolExecutor(k) as pool:
            parts = list(pool.map(lambda ch: score_core(ch, spec, comfort_band), chunks))
        res = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    else:
        res = score_core(x, spec, comfort_band)
    out = {"city_id": atlas["city_id"].to_numpy(), "month": x["month"], "score": res["score"], "raw_score": res["raw_score"]}
    out["label"] = pd.Categorical.from_codes(label_codes(res["score"]), categories=LABEL_ORDER)
    for comp in spec.components:
        out[f"r_{comp.key}"] = res[f"r_{comp.key}"]
        out[f"src_{comp.key}"] = pd.Categorical.from_codes(res[f"src_{comp.key}"], categories=list(PROVENANCE))
    for col in ("et_c", "rh_afternoon_pct", "utci_c"):
        out[col] = res[col]
    out["utci_class"] = pd.Categorical.from_codes(res["utci_code"], categories=list(UTCI_CLASSES))
    for col in ("stress_factor", "coverage", "coverage_imputed", "coverage_missing"):
        out[col] = res[col]
    return pd.DataFrame(out, index=atlas.index)
