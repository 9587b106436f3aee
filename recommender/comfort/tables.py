"""Published rating tables of the tourism-climate indices and the UTCI assessment scale,
exactly as published (their boundary tests pin them), with the two lookup helpers.

References:
[1] Scott, Rutty, Amelung & Tang (2016), An inter-comparison of the Holiday Climate Index
    (HCI) and the Tourism Climate Index (TCI) in Europe, Atmosphere 7(6):80, Tables 3–6, as
    coded by the Copernicus C3S tourism indicators.
[2] Mieczkowski (1985), The Tourism Climatic Index: a method of evaluating world climates for
    tourism, Canadian Geographer 29(3):220–233.
[3] Bröde et al. (2012), Deriving the operational procedure for the Universal Thermal Climate
    Index (UTCI), Int. J. Biometeorol. 56:481–494 (assessment scale); the same ten classes in
    Błażejczyk et al. (2013), An introduction to the Universal Thermal Climate Index (UTCI),
    Geographia Polonica 86(1):5–10, Table 1.
"""

from __future__ import annotations

import numpy as np

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
LABELS = [(90, "ideal"), (80, "excellent"), (70, "very good"), (60, "good"), (50, "acceptable"),
          (40, "marginal"), (30, "unfavourable"), (20, "very unfavourable"), (10, "extremely unfavourable"),
          (-np.inf, "impossible")]
LABEL_ORDER = [name for _, name in reversed(LABELS)]
# The class of a month without a score (its thermal comfort cannot be rated, score.score_core):
# never ranked, never in a travel window.
NO_SCORE = "not enough data"



def rate(values, edges, ratings) -> np.ndarray:
    """Rating of each value from a class table (NaN stays NaN)."""
    v = np.asarray(values, dtype=float)
    out = np.asarray(ratings, dtype=float)[np.searchsorted(edges, v, side="right")]
    return np.where(np.isnan(v), np.nan, out)


def whole(x) -> np.ndarray:
    """Round half up to whole units (23.5 → 24), as a reader of the published tables would."""
    return np.floor(np.asarray(x, dtype=float) + 0.5)


def utci_codes(utci_c) -> np.ndarray:
    """Index into UTCI_CLASSES of each UTCI value in °C (−1 where it is NaN)."""
    u = np.asarray(utci_c, dtype=float)
    return np.where(np.isnan(u), -1, np.searchsorted(UTCI_EDGES, np.nan_to_num(u), side="right").clip(0, 9))


def utci_class_start(name: str) -> float:
    """The UTCI (°C) at which a stress class of the assessment scale [3] starts, on the side away
    from thermal neutrality: the lower edge of a heat class ("strong heat stress" → 32.0), the
    upper edge of a cold class ("slight cold stress" → 9.0, "extreme cold stress" → −40.0)."""
    k = list(UTCI_CLASSES).index(name)
    neutral = list(UTCI_CLASSES).index("no thermal stress")
    if k == neutral:
        raise ValueError("'no thermal stress' has no onset: it is the neutral class")
    return float(UTCI_EDGES[k - 1] if k > neutral else UTCI_EDGES[k])


def utci_class(utci_c) -> np.ndarray:
    """UTCI stress class name (°C thresholds of the UTCI assessment scale [3]); "unknown" for NaN."""
    codes = utci_codes(utci_c)
    return np.where(codes < 0, "unknown", UTCI_CLASSES[codes])


LABEL_EDGES = np.array([lo for lo, _ in reversed(LABELS[:-1])], dtype=float)  # 10, 20, …, 90


def label_codes(score) -> np.ndarray:
    """Index into LABEL_ORDER of each 0–100 score (−1 where the score is NaN)."""
    s = np.asarray(score, dtype=float)
    return np.where(np.isnan(s), -1, np.searchsorted(LABEL_EDGES, np.nan_to_num(s), side="right"))


def label(score) -> np.ndarray:
    """Verbal class code of a 0–100 score: ideal (90–100) … impossible (< 10); "unknown" for NaN."""
    codes = label_codes(score)
    return np.where(codes < 0, "unknown", np.array(LABEL_ORDER, dtype=object)[codes])
