"""Tourism-climate comfort indices on monthly normals, vectorised over the whole atlas.

Indices (definitions in ../shared/reference/comfort-indices.md, tables cited per function):

- HCI:Urban and HCI:Beach — Holiday Climate Index, Scott, Rutty, Amelung & Tang (2016),
  Atmosphere 7(6):80, Tables 3–6 as coded by the Copernicus C3S tourism indicators.
- TCI — Tourism Climate Index, Mieczkowski (1985), Canadian Geographer 29(3):220–233.
- UTCI — Universal Thermal Climate Index (Bröde et al. 2012) via ECMWF's thermofeel, used for
  the afternoon thermal-stress class and the heat/cold gate.

**Monthly approximation.** HCI is defined on daily weather; the atlas holds monthly normals.
We apply it to a *typical afternoon* of the month: the mean daily maximum temperature, the
afternoon humidity implied by the month's mean vapour pressure, mean cloud cover and wind.
Precipitation is treated as a mixture of days: a fraction wet_days/days of the month has the
month's mean wet-day amount (prcp / wet_days), the rest are dry, and the precipitation rating is
the expected rating over those days. Monthly means still hide hot-humid spells, so a gate caps
months whose typical afternoon is in strong UTCI heat or cold stress (see `GATE_CAPS`).

**Missing inputs.** A component whose inputs are missing (wind everywhere in the embedded atlas)
is left out and the remaining weights are rescaled to 100 (HCI) or to the index's range (TCI);
`coverage` is the share of the index's weight whose inputs were measured or derived, and
`coverage_imputed` / `coverage_missing` the shares resting on imputed or missing inputs.

**Personal comfort band.** `comfort_band=(lo, hi)` (°C of effective temperature, "I like
18–24 °C afternoons") maps the band onto the index's optimal class and shifts temperatures
outside it by the same distance, so the thermal rating peaks over the person's band. With no
band the published index is reproduced exactly.

Units: temperatures °C, humidity %, precipitation mm per month, sunshine h per month,
cloud %, wind km/h. Scores are 0–100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .astro import days_in_month

# ---------------------------------------------------------------------------- rating tables
# Lookup convention for HCI: the published tables list whole degrees / percent / mm, so the
# input is rounded to the nearest whole number and placed in the class that lists it; the
# edges below sit halfway between the listed integers. For TCI the published ranges are
# continuous ("20–26"): a value on an edge belongs to the class that starts there.

# HCI:Urban thermal comfort by effective temperature (°C), Scott et al. 2016 Table 3.
HCI_URBAN_TC_EDGES = np.array([-5.5, -0.5, 6.5, 10.5, 14.5, 17.5, 19.5, 22.5, 25.5, 26.5, 28.5, 30.5, 32.5, 34.5, 36.5, 38.5])
HCI_URBAN_TC_RATINGS = np.array([1, 2, 3, 4, 5, 6, 7, 9, 10, 9, 8, 7, 6, 5, 4, 2, 0], dtype=float)
# HCI:Beach thermal comfort (°C).
HCI_BEACH_TC_EDGES = np.array([9.5, 14.5, 16.5, 17.5, 18.5, 19.5, 20.5, 21.5, 22.5, 25.5, 27.5, 30.5, 32.5, 33.5, 34.5, 35.5, 36.5, 37.5, 38.5])
HCI_BEACH_TC_RATINGS = np.array([-10, -5, 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 9, 8, 7, 6, 5, 4, 2, 0], dtype=float)
# Aesthetic (cloud cover %), Table 4.
HCI_URBAN_CLOUD_EDGES = np.array([0.5, 10.5, 20.5, 30.5, 40.5, 50.5, 60.5, 70.5, 80.5, 90.5, 99.5])
HCI_URBAN_CLOUD_RATINGS = np.array([8, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], dtype=float)
HCI_BEACH_CLOUD_EDGES = np.array([0.5, 14.5, 25.5, 35.5, 45.5, 55.5, 65.5, 75.5, 85.5, 95.5])
HCI_BEACH_CLOUD_RATINGS = np.array([8, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=float)
# Physical: daily precipitation (mm), Table 5: 0 → 10, < 3 → 9, 3–5 → 8, 6–8 → 5 (beach 6),
# 9–11 → 2 (beach 4), 12–25 → 0, > 25 → −1. A day with a trace (< 0.5 mm) counts as dry.
HCI_PRCP_EDGES = np.array([0.5, 2.5, 5.5, 8.5, 11.5, 25.5])
HCI_URBAN_PRCP_RATINGS = np.array([10, 9, 8, 5, 2, 0, -1], dtype=float)
HCI_BEACH_PRCP_RATINGS = np.array([10, 9, 8, 6, 4, 0, -1], dtype=float)
# Wind (km/h), Table 6: calm 0 → 8, 1–9 → 10, 10–19 → 9, 20–29 → 8, 30–39 → 6, 40–49 → 3,
# 50–70 → 0, > 70 → −10.
HCI_WIND_EDGES = np.array([0.5, 9.5, 19.5, 29.5, 39.5, 49.5, 70.5])
HCI_WIND_RATINGS = np.array([8, 10, 9, 8, 6, 3, 0, -10], dtype=float)

# TCI (Mieczkowski 1985) as commonly reproduced; where public copies disagree on the extreme
# thermal classes we follow: −1 for 36–37 °C and −15…−10 °C, −2 for 37–39 °C and −20…−15 °C,
# −3 at ≥ 39 °C or < −20 °C.
TCI_TC_EDGES = np.array([-20, -15, -10, -5, 0, 5, 10, 15, 17, 18, 19, 20, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 39], dtype=float)
TCI_TC_RATINGS = np.array([-3, -2, -1, 0, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5, 0, -1, -2, -3])
TCI_PRCP_EDGES = np.arange(15.0, 151.0, 15.0)  # mm/month: 0–14.9 → 5 … ≥ 150 → 0
TCI_PRCP_RATINGS = np.arange(5.0, -0.1, -0.5)
TCI_SUN_EDGES = np.arange(1.0, 10.1, 1.0)  # h/day: < 1 → 0 … ≥ 10 → 5
TCI_SUN_RATINGS = np.arange(0.0, 5.1, 0.5)
TCI_WIND_EDGES = np.array([2.88, 5.76, 9.04, 12.24, 19.80, 24.30, 28.80, 38.53])  # km/h, normal system (38.52 still rates 1)
TCI_WIND_RATINGS = np.array([5, 4.5, 4, 3.5, 3, 2.5, 2, 1, 0], dtype=float)

# UTCI stress classes (°C): upper edges and names.
UTCI_EDGES = np.array([-40, -27, -13, 0, 9, 26, 32, 38, 46], dtype=float)
UTCI_CLASSES = np.array([
    "extreme cold stress", "very strong cold stress", "strong cold stress", "moderate cold stress",
    "slight cold stress", "no thermal stress", "moderate heat stress", "strong heat stress",
    "very strong heat stress", "extreme heat stress",
])
# Gate: the highest score a month may have when its typical afternoon is in that class, after
# the hard limits of the Camping Climate Index and similar indices. Heat: strong heat stress
# caps at "acceptable" (59), very strong at "unfavourable" (39), extreme at "impossible" (9).
# Cold: moderate cold stress (afternoons around or below freezing) caps at "marginal" (49),
# strong cold at "very unfavourable" (29), very strong cold at 19, extreme cold at 9.
GATE_CAPS = np.array([9, 19, 29, 49, 100, 100, 100, 59, 39, 9], dtype=float)
# Wind assumed for UTCI where the atlas has none: 2 m/s at 10 m, a light breeze (stated in the
# product). UTCI's regression is valid for 0.5–17 m/s.
DEFAULT_WIND_MS = 2.0

LABELS = [(90, "ideal"), (80, "excellent"), (70, "very good"), (60, "good"), (50, "acceptable"),
          (40, "marginal"), (30, "unfavourable"), (20, "very unfavourable"), (10, "extremely unfavourable"),
          (-np.inf, "impossible")]
LABEL_ORDER = [name for _, name in reversed(LABELS)]


@dataclass(frozen=True)
class IndexSpec:
    """An index's components, weights and optimal thermal class (°C of effective temperature)."""

    key: str
    name: str
    weights: dict[str, float]
    optimum: tuple[float, float]


INDICES = {
    "hci_urban": IndexSpec("hci_urban", "HCI:Urban", {"thermal": 4, "aesthetic": 2, "precipitation": 3, "wind": 1}, (22.5, 25.5)),
    "hci_beach": IndexSpec("hci_beach", "HCI:Beach", {"thermal": 2, "aesthetic": 4, "precipitation": 3, "wind": 1}, (27.5, 30.5)),
    "tci": IndexSpec("tci", "TCI", {"daytime_comfort": 8, "daily_comfort": 2, "precipitation": 4, "sunshine": 4, "wind": 2}, (20.0, 26.0)),
}
STYLES = {"urban": "hci_urban", "beach": "hci_beach", "tci": "tci"}
# Inputs of each component (for provenance / coverage). The wet-day count refines the
# precipitation rating when present but is not required, so it does not count here.
COMPONENT_INPUTS = {
    "thermal": ("tmax_c", "tmean_c", "rhum_pct"),
    "daytime_comfort": ("tmax_c", "tmean_c", "rhum_pct"),
    "daily_comfort": ("tmean_c", "rhum_pct"),
    "aesthetic": ("cloud_pct",),
    "precipitation": ("prcp_mm",),
    "sunshine": ("sun_hours",),
    "wind": ("wind_kmh",),
}


def rate(values, edges, ratings) -> np.ndarray:
    """Rating of each value from a class table (NaN stays NaN)."""
    v = np.asarray(values, dtype=float)
    out = np.asarray(ratings, dtype=float)[np.searchsorted(edges, v, side="right")]
    return np.where(np.isnan(v), np.nan, out)


def whole(x) -> np.ndarray:
    """Round half up to whole units (23.5 → 24), as a reader of the published tables would."""
    return np.floor(np.asarray(x, dtype=float) + 0.5)


LABEL_EDGES = np.array([lo for lo, _ in reversed(LABELS[:-1])], dtype=float)  # 10, 20, …, 90


def label_codes(score) -> np.ndarray:
    """Index into LABEL_ORDER of each 0–100 score (−1 where the score is NaN)."""
    s = np.asarray(score, dtype=float)
    return np.where(np.isnan(s), -1, np.searchsorted(LABEL_EDGES, np.nan_to_num(s), side="right"))


def label(score) -> np.ndarray:
    """Verbal class of a 0–100 score: ideal (90–100) … impossible (< 10); "unknown" for NaN."""
    codes = label_codes(score)
    return np.where(codes < 0, "unknown", np.array(LABEL_ORDER, dtype=object)[codes])


def index_key(name: str) -> str:
    """Index key for a trip style ('urban', 'beach', 'tci') or an index key; ValueError if unknown."""
    key = STYLES.get(str(name).lower(), str(name).lower())
    if key not in INDICES:
        raise ValueError(f"unknown index '{name}'; choose one of {', '.join([*STYLES, *INDICES])}")
    return key


# ---------------------------------------------------------------------------- physics


def saturation_vapour_pressure_hpa(t_c) -> np.ndarray:
    """Saturation vapour pressure over water (hPa) at t_c (°C), Magnus form with the
    Alduchov & Eskridge (1996) coefficients: 6.1094·exp(17.625·T / (T + 243.04))."""
    t = np.asarray(t_c, dtype=float)
    return 6.1094 * np.exp(17.625 * t / (t + 243.04))


def vapour_pressure_hpa(tmean_c, rhum_pct) -> np.ndarray:
    """The month's mean vapour pressure (hPa): its mean humidity at its mean temperature."""
    return saturation_vapour_pressure_hpa(tmean_c) * np.asarray(rhum_pct, dtype=float) / 100.0


def afternoon_humidity(tmax_c, e_hpa) -> np.ndarray:
    """Afternoon (minimum) relative humidity (%), holding the day's vapour pressure constant:
    the same vapour pressure at the afternoon maximum temperature."""
    return np.clip(100.0 * np.asarray(e_hpa, dtype=float) / saturation_vapour_pressure_hpa(tmax_c), 0.0, 100.0)


def effective_temperature(t_c, rh_pct) -> np.ndarray:
    """Missenard effective temperature (°C) as used by the Copernicus HCI code:
    ET = T − 0.4·(T − 10)·(1 − RH/100)."""
    t = np.asarray(t_c, dtype=float)
    return t - 0.4 * (t - 10.0) * (1.0 - np.asarray(rh_pct, dtype=float) / 100.0)


def utci_afternoon(tmax_c, tmean_c, rhum_pct, wind_kmh) -> np.ndarray:
    """UTCI (°C) of a typical afternoon in the shade (mean radiant = air temperature).

    Vapour pressure from the month's mean humidity and temperature; wind at 10 m from the
    atlas, or DEFAULT_WIND_MS where missing, clipped to the regression's 0.5–17 m/s.
    """
    e_hpa = vapour_pressure_hpa(tmean_c, rhum_pct)
    return _utci_from_vapour(np.asarray(tmax_c, dtype=float), e_hpa, np.asarray(wind_kmh, dtype=float))


def utci_codes(utci_c) -> np.ndarray:
    """Index into UTCI_CLASSES of each UTCI value in °C (−1 where it is NaN)."""
    u = np.asarray(utci_c, dtype=float)
    return np.where(np.isnan(u), -1, np.searchsorted(UTCI_EDGES, np.nan_to_num(u), side="right").clip(0, 9))


def utci_class(utci_c) -> np.ndarray:
    """UTCI stress class name (°C thresholds of the UTCI assessment scale); "unknown" for NaN."""
    codes = utci_codes(utci_c)
    return np.where(codes < 0, "unknown", UTCI_CLASSES[codes])


def personal_temperature(et, optimum: tuple[float, float], band: tuple[float, float] | None) -> np.ndarray:
    """Map effective temperature so that the person's band lands on the index's optimum.

    Inside the band: a linear map onto the optimal class; below or above it: shifted by the
    same distance from the band's edge. band=None returns et unchanged.
    """
    et = np.asarray(et, dtype=float)
    if band is None:
        return et
    lo, hi = float(band[0]), float(band[1])
    if not lo < hi:
        raise ValueError(f"comfort band must be (low, high) with low < high, got {band}")
    o_lo, o_hi = optimum
    # Land strictly inside the optimal class so rounding to whole degrees keeps it there.
    inner_lo, inner_hi = o_lo + 0.01, o_hi - 0.01
    inside = inner_lo + (et - lo) * (inner_hi - inner_lo) / (hi - lo)
    return np.where(et < lo, et - lo + inner_lo, np.where(et > hi, et - hi + inner_hi, inside))


# ---------------------------------------------------------------------------- scoring


def _expected_precip_rating(prcp_mm, wet_days, month, ratings) -> np.ndarray:
    """Expected HCI precipitation rating over the days of the month (see module doc)."""
    days = days_in_month(month)
    prcp = np.asarray(prcp_mm, dtype=float)
    wet = np.asarray(wet_days, dtype=float)
    has_wet = ~np.isnan(wet) & (wet > 0)
    p_wet = np.where(has_wet, np.clip(wet / days, 0, 1), 0.0)
    with np.errstate(over="ignore"):  # a tiny wet-day count gives a huge (harmless) intensity
        intensity = np.where(has_wet, prcp / np.where(has_wet, wet, 1.0), prcp / days)
    wet_rating = rate(intensity, HCI_PRCP_EDGES, ratings)
    dry_rating = ratings[0]
    expected = np.where(has_wet, p_wet * wet_rating + (1 - p_wet) * dry_rating, wet_rating)
    # Without a wet-day count the whole month is rated on its mean daily amount.
    return np.where(np.isnan(prcp), np.nan, expected)


PROVENANCE_ORDER = ["measured", "derived", "imputed", "missing"]
_INPUT_COLUMNS = ["tmax_c", "tmean_c", "rhum_pct", "prcp_mm", "wet_days", "sun_hours", "cloud_pct", "wind_kmh"]
_PARALLEL_ROWS = 200_000  # above this, the NumPy core runs in one thread per core


def provenance_codes(src: pd.Series | None, n: int) -> np.ndarray:
    """Provenance labels → codes 0 measured, 1 derived, 2 imputed, 3 missing (absent column: 3)."""
    if src is None:
        return np.full(n, 3, dtype=np.int8)
    codes, uniques = pd.factorize(src, use_na_sentinel=True)
    lut = np.array([PROVENANCE_ORDER.index(u) if u in PROVENANCE_ORDER else 3 for u in uniques] + [3], dtype=np.int8)
    return lut[codes]  # the NA sentinel −1 picks the trailing 3


def _score_core(x: dict[str, np.ndarray], index: str, band) -> dict[str, np.ndarray]:
    """The whole index on NumPy arrays (one chunk of rows); see score_atlas for the outputs."""
    spec = INDICES[index]
    month, tmax, tmean, rhum = x["month"], x["tmax_c"], x["tmean_c"], x["rhum_pct"]
    e = vapour_pressure_hpa(tmean, rhum)  # once, for the afternoon humidity and UTCI
    rh_pm = afternoon_humidity(tmax, e)
    et = effective_temperature(tmax, rh_pm)
    et_personal = personal_temperature(et, spec.optimum, band)
    r: dict[str, np.ndarray] = {}
    if index == "tci":
        et_daily = effective_temperature(tmean, rhum)
        r["daytime_comfort"] = rate(et_personal, TCI_TC_EDGES, TCI_TC_RATINGS)
        r["daily_comfort"] = rate(personal_temperature(et_daily, spec.optimum, band), TCI_TC_EDGES, TCI_TC_RATINGS)
        r["precipitation"] = rate(x["prcp_mm"], TCI_PRCP_EDGES, TCI_PRCP_RATINGS)
        r["sunshine"] = rate(x["sun_hours"] / days_in_month(month), TCI_SUN_EDGES, TCI_SUN_RATINGS)
        r["wind"] = rate(x["wind_kmh"], TCI_WIND_EDGES, TCI_WIND_RATINGS)
        top = 5.0
    else:
        beach = index == "hci_beach"
        tc_edges, tc_ratings = (HCI_BEACH_TC_EDGES, HCI_BEACH_TC_RATINGS) if beach else (HCI_URBAN_TC_EDGES, HCI_URBAN_TC_RATINGS)
        cl_edges, cl_ratings = (HCI_BEACH_CLOUD_EDGES, HCI_BEACH_CLOUD_RATINGS) if beach else (HCI_URBAN_CLOUD_EDGES, HCI_URBAN_CLOUD_RATINGS)
        r["thermal"] = rate(whole(et_personal), tc_edges, tc_ratings)
        r["aesthetic"] = rate(whole(x["cloud_pct"]), cl_edges, cl_ratings)
        r["precipitation"] = _expected_precip_rating(x["prcp_mm"], x["wet_days"], month,
                                                     HCI_BEACH_PRCP_RATINGS if beach else HCI_URBAN_PRCP_RATINGS)
        r["wind"] = rate(whole(x["wind_kmh"]), HCI_WIND_EDGES, HCI_WIND_RATINGS)
        top = 10.0
    # Weighted sum over the available components, rescaled to the full weight.
    n = len(month)
    total_w = sum(spec.weights.values())
    num = np.zeros(n)
    w_avail = np.zeros(n)
    cov_good = np.zeros(n)
    cov_imp = np.zeros(n)
    out: dict[str, np.ndarray] = {}
    for comp, w in spec.weights.items():
        val = r[comp]
        ok = ~np.isnan(val)
        num += np.where(ok, w * val, 0.0)
        w_avail += np.where(ok, w, 0.0)
        code = np.zeros(n, dtype=np.int8)
        for col in COMPONENT_INPUTS[comp]:
            code = np.maximum(code, x[f"{col}_src"])
        code = np.where(ok, code, 3).astype(np.int8)
        cov_good += np.where(code <= 1, w, 0.0)
        cov_imp += np.where(code == 2, w, 0.0)
        out[f"r_{comp}"] = val
        out[f"src_{comp}"] = code
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(w_avail > 0, np.clip(100.0 * num / (w_avail * top), 0.0, 100.0), np.nan)
    # Where humidity is missing, UTCI is taken at 50 % afternoon humidity (its reference value).
    utci = _utci_from_vapour(tmax, np.where(np.isnan(e), saturation_vapour_pressure_hpa(tmax) * 0.5, e), x["wind_kmh"])
    klass = utci_codes(utci)
    cap = np.where(klass < 0, 100.0, GATE_CAPS[klass])
    out.update(score=np.round(np.minimum(raw, cap), 1), raw_score=np.round(raw, 1), et_c=np.round(et, 1),
               rh_afternoon_pct=np.round(rh_pm, 0), utci_c=np.round(utci, 1), utci_code=klass,
               gate_cap=cap, coverage=np.round(cov_good / total_w, 3), coverage_imputed=np.round(cov_imp / total_w, 3),
               coverage_missing=np.round(1 - (cov_good + cov_imp) / total_w, 3))
    return out


def _utci_from_vapour(t_c, e_hpa, wind_kmh) -> np.ndarray:
    """UTCI (°C) in the shade from air temperature, vapour pressure and wind (DEFAULT_WIND_MS if NaN)."""
    from thermofeel import calculate_utci

    va = np.clip(np.where(np.isnan(wind_kmh), DEFAULT_WIND_MS, wind_kmh / 3.6), 0.5, 17.0)
    tk = t_c + 273.15
    return calculate_utci(tk, va, tk, ehPa=np.minimum(e_hpa, 50.0)) - 273.15


def score_atlas(atlas: pd.DataFrame, index: str = "hci_urban", comfort_band: tuple[float, float] | None = None) -> pd.DataFrame:
    """Score every city-month of `atlas` (the normals schema) with one index.

    Returns one row per input row (same index) with: city_id, month, score (0–100, after the
    gate), raw_score (before it), label, the component ratings (`r_<component>`: 0–10 for HCI,
    −3…5 or 0…5 for TCI), their provenance (`src_<component>`), effective temperature et_c,
    afternoon humidity rh_afternoon_pct, utci_c, utci_class, gate_cap, coverage,
    coverage_imputed, coverage_missing. Text columns are pandas categoricals.
    """
    index = index_key(index)
    n = len(atlas)
    x = {"month": atlas["month"].to_numpy(dtype=int)}
    for col in _INPUT_COLUMNS:
        x[col] = atlas[col].to_numpy(dtype=float)
        x[f"{col}_src"] = provenance_codes(atlas.get(f"{col}_src"), n)
    if n > _PARALLEL_ROWS:
        # NumPy releases the GIL in its loops: one chunk per core.
        import os
        from concurrent.futures import ThreadPoolExecutor

        k = max(1, os.cpu_count() or 1)
        bounds = np.linspace(0, n, k + 1).astype(int)
        chunks = [{c: v[a:b] for c, v in x.items()} for a, b in zip(bounds[:-1], bounds[1:])]
        with ThreadPoolExecutor(k) as pool:
            parts = list(pool.map(lambda ch: _score_core(ch, index, comfort_band), chunks))
        res = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    else:
        res = _score_core(x, index, comfort_band)
    out = {"city_id": atlas["city_id"].to_numpy(), "month": x["month"], "score": res["score"], "raw_score": res["raw_score"]}
    out["label"] = pd.Categorical.from_codes(label_codes(res["score"]), categories=LABEL_ORDER)
    for comp in INDICES[index].weights:
        out[f"r_{comp}"] = res[f"r_{comp}"]
        out[f"src_{comp}"] = pd.Categorical.from_codes(res[f"src_{comp}"], categories=PROVENANCE_ORDER)
    for c in ("et_c", "rh_afternoon_pct", "utci_c"):
        out[c] = res[c]
    out["utci_class"] = pd.Categorical.from_codes(res["utci_code"], categories=list(UTCI_CLASSES))
    for c in ("gate_cap", "coverage", "coverage_imputed", "coverage_missing"):
        out[c] = res[c]
    return pd.DataFrame(out, index=atlas.index)
