"""Unit conversion and number formatting at the edge: the atlas, the scores and the typed
results are in °C, mm, %, h and km/h throughout; only what a person reads is converted."""

from __future__ import annotations

import numpy as np

from ..climate.variables import SPEC
from .i18n import isolate, number, unit_space

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


def temp(t_c: float | None, unit: str = "°C", decimals: int = 0, lang: str = "en") -> str:
    """A temperature for display in the chosen unit and language (CLDR digits), with a real
    minus sign: "−7 °C", "19 °F" (isolated left to right inside right-to-left text)."""
    if _missing(t_c):
        return "—"
    return isolate(f"{number(float(convert_temp(t_c, unit)), lang, decimals)}{unit_space(lang)}{unit}", lang)


def temp_difference(dt_c: float, unit: str = "°C", decimals: int = 0, lang: str = "en") -> str:
    """A temperature *difference* in the chosen unit (no offset): "5 °C" → "9 °F"."""
    return isolate(f"{number(float(dt_c) * (9.0 / 5.0 if unit == '°F' else 1.0), lang, decimals)}{unit_space(lang)}{unit}",
                   lang)


def value(variable: str, x: float | None, unit: str = "°C", decimals: int | None = None, lang: str = "en") -> str:
    """A climate variable's value with its declared unit ("—" when missing); temperatures in
    the chosen unit."""
    spec = SPEC[variable]
    if spec.quantity == "temperature":
        return temp(x, unit, spec.decimals if decimals is None else decimals, lang)
    if _missing(x):
        return "—"
    suffix = "" if spec.unit == "days" else (unit_space(lang) + spec.unit)
    return isolate(f"{number(float(x), lang, 0 if decimals is None else decimals)}{suffix}", lang)
