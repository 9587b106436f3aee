"""The index-agnostic scoring engine: any registered index over the whole atlas, vectorised.

**Monthly approximation.** The indices are defined on daily weather; the atlas holds monthly
normals. Each month is scored as a *typical afternoon*: the mean daily maximum temperature,
the afternoon humidity implied by the month's mean vapour pressure, mean cloud cover and
wind; precipitation as a mixture of wet and dry days (indices.expected_precip_rating).
Monthly means still hide hot-humid spells, so a gate caps months whose typical afternoon is in
strong UTCI heat or cold stress (GATE_CAPS), for every index that declares `utci_gate`.

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
from .physics import REFERENCE_RH_PCT, saturation_vapour_pressure_hpa, utci_from_vapour
from .tables import LABEL_ORDER, UTCI_CLASSES, label_codes, utci_codes

# Gate: the highest score a month may have when its typical afternoon is in that UTCI class,
# after the hard limits of the Camping Climate Index and similar indices. Heat: strong heat
# stress caps at "acceptable" (59), very strong at "unfavourable" (39), extreme at
# "impossible" (9). Cold: moderate cold stress (afternoons around or below freezing) caps at
# "marginal" (49), strong cold at 29, very strong cold at 19, extreme cold at 9.
GATE_CAPS = np.array([9, 19, 29, 49, 100, 100, 100, 59, 39, 9], dtype=float)
INPUT_COLUMNS = ["tmax_c", "tmean_c", "rhum_pct", "prcp_mm", "wet_days", "sun_hours", "cloud_pct", "wind_kmh"]
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
    tmax = c["tmax_c"]
    e = c["e_hpa"]
    utci = utci_from_vapour(tmax, np.where(np.isnan(e), saturation_vapour_pressure_hpa(tmax) * REFERENCE_RH_PCT / 100, e),
                            c["wind_kmh"])
    klass = utci_codes(utci)
    cap = np.where((klass < 0) | (not index.utci_gate), 100.0, GATE_CAPS[klass])
    out.update(score=np.round(np.minimum(raw, cap), 1), raw_score=np.round(raw, 1), et_c=np.round(c["et_pm_c"], 1),
               rh_afternoon_pct=np.round(c["rh_pm_pct"], 0), utci_c=np.round(utci, 1), utci_code=klass,
               gate_cap=cap, coverage=np.round(cov_good / total_w, 3), coverage_imputed=np.round(cov_imp / total_w, 3),
               coverage_missing=np.round(1 - (cov_good + cov_imp) / total_w, 3))
    return out


def score_atlas(atlas: pd.DataFrame, index: str | ComfortIndex = "hci_urban",
                comfort_band: tuple[float, float] | None = None) -> pd.DataFrame:
    """Score every city-month of `atlas` (the normals schema) with one index.

    Returns one row per input row (same index) with: city_id, month, score (0–100, after the
    gate), raw_score (before it), label, the component ratings (`r_<component>` on the
    index's rating scale), their provenance (`src_<component>`), effective temperature et_c,
    afternoon humidity rh_afternoon_pct, utci_c, utci_class, gate_cap, coverage,
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
    for col in ("gate_cap", "coverage", "coverage_imputed", "coverage_missing"):
        out[col] = res[col]
    return pd.DataFrame(out, index=atlas.index)
