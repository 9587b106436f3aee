"""Unit conversion at the edges (the atlas and scores are in °C throughout)."""

from __future__ import annotations

import numpy as np


def c_to_f(t_c):
    """°C → °F."""
    return np.asarray(t_c, dtype=float) * 9.0 / 5.0 + 32.0


def temp(t_c: float, unit: str = "°C", decimals: int = 0) -> str:
    """A temperature for display in the chosen unit, with a real minus sign: "−7 °C", "19 °F"."""
    if t_c is None or (isinstance(t_c, float) and np.isnan(t_c)):
        return "—"
    v = float(c_to_f(t_c)) if unit == "°F" else float(t_c)
    return f"{v:.{decimals}f}".replace("-", "−") + f" {unit}"
