"""The calendar months, written once: numbers, English names for parsing and display,
lengths in an average year, and the one parser for a month a person typed."""

from __future__ import annotations

import re

import numpy as np

from ..errors import RecommenderError, shown

MONTHS = tuple(range(1, 13))
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
MONTH_ABBR = tuple(n[:3] for n in MONTH_NAMES)
# Days per month in an average year (February 28.25).
DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

_ASCII_MONTH = re.compile(r"[0-9]{1,2}")
_BY_NAME = {n.lower(): i for i, n in enumerate(MONTH_NAMES, 1)} | {a.lower(): i for i, a in enumerate(MONTH_ABBR, 1)}


def days_in_month(month) -> np.ndarray:
    """Days in a month (1–12) of an average year (February 28.25); broadcasts."""
    return DAYS_IN_MONTH[np.asarray(month, dtype=int) - 1]


def parse_month(month) -> int:
    """A month as 1–12: an int, ASCII digits "1"–"12" or an English name ("jan", "January").

    Anything else ("13", "³", "１２", "٣", 5,000 digits, True, 1.5) raises RecommenderError
    saying what is allowed.
    """
    if isinstance(month, (int, np.integer)) and not isinstance(month, bool):
        value = int(month)
    else:
        text = month.strip() if isinstance(month, str) else ""
        if _ASCII_MONTH.fullmatch(text):
            value = int(text)
        elif text.lower() in _BY_NAME:
            value = _BY_NAME[text.lower()]
        else:
            value = 0
    if not 1 <= value <= 12:
        raise RecommenderError("Month must be a whole number from 1 (January) to 12 (December) or a month name, "
                               f"got {shown(month, 20)}.")
    return value
