"""Options a person gives the CLI or the API, parsed once for both: a comfort band ("18-24", °C)
and a calendar date ("2027-02-06"). Each raises RecommenderError naming the option and what it
takes."""

from __future__ import annotations

import datetime as dt
import re

from .errors import RecommenderError, shown

_BAND = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_band(text: str | None, option: str = "--band") -> tuple[float, float] | None:
    """'18-24' (or '-5-10', '18–24') → (18.0, 24.0) in °C; None when not given."""
    if not text:
        return None
    m = _BAND.match(text)
    if not m or not float(m.group(1)) < float(m.group(2)):
        raise RecommenderError(f"{option} takes LOW-HIGH in °C with LOW < HIGH, e.g. 18-24; got {shown(text)}.")
    return float(m.group(1)), float(m.group(2))


def parse_date(text: str) -> dt.date:
    """'2027-02-06' → a date."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise RecommenderError(f"Date {shown(text)} is not a date; give it as YYYY-MM-DD, e.g. 2027-02-06.") from None
