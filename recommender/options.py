"""Options a person gives the CLI or the API, parsed once for both: a comfort band ("18-24", °C,
within BAND_RANGE), a calendar date ("2027-02-06"), a country of the registry ("PK", "Pakistan"),
a count of rows (`--limit`, 1 to a maximum), the text of a city search and two cities that must
differ. Each rule is declared here once; each raises RecommenderError naming the option (`option`:
"--band" for the CLI, "band" for the API) and what it takes."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable

from .errors import RecommenderError, shown

_BAND = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\s*$", re.ASCII)   # ASCII digits, as the month
BAND_RANGE = (-40.0, 50.0)      # °C: afternoon feels-like temperatures people live in
LIMIT_MIN = 1
PAIRS_LIMIT_MAX = 5000          # the most pairs one answer lists (leave --limit out for every pair)
CITIES_LIMIT_MAX = 1000         # the most cities one API answer lists


def parse_band(text: str | None, option: str = "--band") -> tuple[float, float] | None:
    """'18-24' (or '-5-10', '18–24') → (18.0, 24.0) in °C; None when not given."""
    if not text:
        return None
    lo_max, hi_max = BAND_RANGE
    m = _BAND.match(text)
    low, high = (float(m.group(1)), float(m.group(2))) if m else (None, None)
    if not m or not lo_max <= low < high <= hi_max:
        raise RecommenderError(f"{option} takes LOW-HIGH in °C with {lo_max:g} ≤ LOW < HIGH ≤ {hi_max:g}, e.g. 18-24; "
                               f"got {shown(text)}.")
    return low, high


def parse_limit(text, option: str = "--limit", maximum: int = PAIRS_LIMIT_MAX) -> int | None:
    """'20' → 20: a whole number from LIMIT_MIN to `maximum`; None when not given."""
    if text is None:
        return None
    t = str(text).strip()
    if not (t.isascii() and t.isdigit() and len(t) <= 9 and LIMIT_MIN <= int(t) <= maximum):
        raise RecommenderError(f"{option} takes a whole number from {LIMIT_MIN} to {maximum}; got {shown(text)}.")
    return int(t)


def parse_country(text: str | None, option: str = "--country", known: Iterable[str] | None = None) -> str | None:
    """'pk', 'PK' or 'Pakistan' → 'PK', a country of the registry (`known`, default the registry's
    countries); None when not given. Unknown: the error names the closest countries."""
    from .places.countries import country_code, country_name
    from .places.names import normalize_name

    if text is None:
        return None
    known = set(known) if known is not None else _registry_countries()
    try:
        iso = country_code(text)
    except RecommenderError:
        iso = None
    if iso in known:
        return iso
    t = str(text).strip()
    names = {normalize_name(country_name(c)): c for c in known}
    key = normalize_name(t)
    close = [names[n] for n in difflib.get_close_matches(key, list(names), n=3, cutoff=0.75)] if key else []
    close += [names[n] for n in sorted(names) if len(key) >= 3 and n.startswith(key)]
    if len(t) == 2:            # a code with one letter wrong: the same first letter first
        u = t.upper()
        close += sorted((c for c in known if (c[0] == u[0]) != (c[1] == u[1])), key=lambda c: (c[0] != u[0], c))
    close = list(dict.fromkeys(close))[:4]
    if iso and country_name(iso) != iso:       # a real country, none of whose cities are in the registry
        what = shown(t) + ("" if key == normalize_name(country_name(iso)) else f" ({country_name(iso)})") + \
            " has no city in the registry"
    else:
        what = f"{shown(t)} is not a country of the registry"
    hint = f"; did you mean {', '.join(f'{c} ({country_name(c)})' for c in close)}?" if close else "."
    raise RecommenderError(f"{option} {what}{hint} Give the ISO code of a country of the registry, such as PK or CN, "
                           "or its English name.")


def _registry_countries() -> set[str]:
    from .atlas import load_cities

    return set(load_cities()["country"])


NO_SEARCH_TEXT = "the search has no letters or digits, so it finds no city; give part of a city's name or id."


def search_key(text: str) -> str | None:
    """The compare form of a city search ('Ürümqi' → 'urumqi'); None when it has no letters or
    digits ('!!!', '   ', '-'), which finds no city (NO_SEARCH_TEXT says so)."""
    from .places.names import normalize_name

    key = normalize_name(text)
    return key if any(ch.isalnum() for ch in key) else None


def check_distinct(a: str, b: str, option: str = "--partner", other: str = "--home") -> None:
    """Two city ids that must differ (a pair: home and partner)."""
    if a == b:
        raise RecommenderError(f"{option} is the same city as {other} ({a}); give two different cities.")


def parse_date(text: str) -> dt.date:
    """'2027-02-06' → a date."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise RecommenderError(f"Date {shown(text)} is not a date; give it as YYYY-MM-DD, e.g. 2027-02-06.") from None
