"""Unit conversion and number formatting at the edge: the atlas, the scores and the typed
results are in °C, mm, %, h and km/h throughout; only what a person reads is converted."""

from __future__ import annotations

import numpy as np

from ..climate.variables import SPEC

UNITS = ("°C", "°F")


def c_to_f(t_c):
    """°C → °F."""
    return np.asarray(t_c, dtype=float) * 9.0 / 5.0 + 32.0


def f_to_c(t_f):
    """°F → °C."""
    return (np.asarray(t_f, dtype=float) - 32.0) * 5.0 / 9.0


def convert_temp(t_c, unit: str = "°C"):
    """Temperatures (°C) in the chosen unit, as floats."""
    return c_to_f(t_c) if unit == "°F" else np.asarray(t_c, dtype=float)


def _missing(x) -> bool:
    return x is None or (isinstance(x, (float, np.floating)) and np.isnan(x))


def temp(t_c: float | None, unit: str = "°C", decimals: int = 0) -> str:
    """A temperature for display in the chosen unit, with a real minus sign: "−7 °C", "19 °F"."""
    if _missing(t_c):
        return "—"
    v = float(convert_temp(t_c, unit))
    return f"{v:.{decimals}f}".replace("-", "−") + f" {unit}"


def temp_difference(dt_c: float, unit: str = "°C", decimals: int = 0) -> str:
    """A temperature *difference* in the chosen unit (no offset): "5 °C" → "9 °F"."""
    v = float(dt_c) * (9.0 / 5.0 if unit == "°F" else 1.0)
    return f"{v:.{decimals}f}".replace("-", "−") + f" {unit}"


def value(variable: str, x: float | None, unit: str = "°C", decimals: int | None = None) -> str:
    """A climate variable's value with its declared unit ("—" when missing); temperatures in
    the chosen unit."""
    spec = SPEC[variable]
    if spec.quantity == "temperature":
        return temp(x, unit, spec.decimals if decimals is None else decimals)
    if _missing(x):
        return "—"
    d = 0 if decimals is None else decimals
    suffix = "" if spec.unit == "days" else (" " + spec.unit)
    return f"{float(x):.{d}f}{suffix}"
