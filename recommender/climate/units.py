"""Unit conversions of the build, declared once (exact by definition, SI Brochure, BIPM 2019).

The atlas stores wind in km/h (variables.py); the gridded climatology CRU CL 2.0 gives it in
m/s (New et al. 2002). 1 km/h = 1000 m / 3600 s, so 1 m/s = 3.6 km/h exactly.
"""

from __future__ import annotations

import numpy as np

KMH_PER_MS = 3.6   # km/h in one m/s (exact)


def kmh_from_ms(speed_ms) -> np.ndarray:
    """Speed (m/s) → km/h."""
    return np.asarray(speed_ms, dtype=float) * KMH_PER_MS


def ms_from_kmh(speed_kmh) -> np.ndarray:
    """Speed (km/h) → m/s."""
    return np.asarray(speed_kmh, dtype=float) / KMH_PER_MS
