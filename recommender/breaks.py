"""Public holidays of a city's country, grouped with the weekends beside them into breaks.

Source: the `holidays` package (https://github.com/vacanza/holidays, MIT licence), which covers
about 250 countries and territories, their weekends, and — for China — the State Council's
make-up working days (调休: a Saturday or Sunday worked to lengthen a holiday). Islamic and
other calculated dates are marked by the package as estimated; we keep that mark.

A break is a maximal run of consecutive days off — holidays, plus the country's weekend days
that are not make-up working days — holding at least one holiday; a plain weekend is not a break.
School holidays are not here: no worldwide data set of them exists (a person enters their own).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import RecommenderError, shown

EDGE_DAYS = 10   # the runs are built this many days beyond the period, so a break at its edge is whole


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    name: str           # in the requested language where the package has it, else its default
    estimated: bool     # the package marks the date as estimated


@dataclass(frozen=True)
class Break:
    country: str        # ISO 3166-1 alpha-2
    name: str           # the distinct holiday names in date order, " · " between
    start: dt.date
    end: dt.date        # inclusive
    estimated: bool     # any of its holidays is estimated
    holidays: tuple[Holiday, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period(year: int | None = None, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The calendar year `year`, or the 12 months from `today` (default: today's date)."""
    if year is not None:
        if not 1900 <= int(year) <= 2100:
            raise RecommenderError(f"Year {shown(year)} is out of range; give a year from 1900 to 2100.")
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    t = today or dt.date.today()
    try:
        nxt = t.replace(year=t.year + 1)
    except ValueError:               # 29 February
        nxt = t.replace(year=t.year + 1, day=28)
    return t, nxt - dt.timedelta(days=1)


def _code(country: str) -> str:
    c = str(country or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", c):
        raise RecommenderError(f"Country {shown(country)} is not an ISO 3166 two-letter code (e.g. CN, PK).")
    return c


@lru_cache(maxsize=None)
def _supported() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


def supported(country: str) -> bool:
    """The package covers the country."""
    try:
        return _code(country) in _supported()
    except RecommenderError:
        return False


def holiday_language(country: str, lang: str) -> str | None:
    """The package's language for a page language ("zh" → zh_CN, never zh_TW; "ur" → ur_PK; "en" →
    en_US), among the country's supported languages; None: the country's default."""
    import holidays

    langs = getattr(holidays.country_holidays(_code(country)), "supported_languages", ()) or ()
    prefer = {"zh": ("zh_CN",), "en": ("en_US", "en_GB")}.get(lang, ())
    for cand in (*prefer, lang):
        if cand in langs:
            return cand
    return next((x for x in langs if x.startswith(f"{lang}_") and x != "zh_TW"), None)


@lru_cache(maxsize=256)
def _calendar(code: str, years: tuple[int, ...], language: str | None):
    import holidays

    return holidays.country_holidays(code, years=years, language=language)


def _label(cal, attr: str) -> str | None:
    """The package's own label (e.g. "%s (estimated)", "%s（补假）") in the calendar's language."""
    label = getattr(cal, attr, None)
    if not isinstance(label, str) or "%s" not in label:
        return None
    tr = getattr(cal, "tr", None)
    return tr(label) if callable(tr) else label


def _without(name: str, label: str | None) -> tuple[str, bool]:
    """`name` without the label's words around "%s" (the name itself), and whether they were there."""
    if not label:
        return name, False
    before, after = (re.escape(x.strip()) for x in label.split("%s", 1))
    m = re.fullmatch(rf"\s*{before}\s*(.*?)\s*{after}\s*", name) if (before or after) else None
    return (m.group(1), True) if m else (name, False)


def holidays_in(country: str, start: dt.date, end: dt.date, lang: str = "en") -> list[Holiday]:
    """The public holidays between start and end (inclusive), sorted; [] where not covered."""
    code = _code(country)
    if code not in _supported():
        return []
    years = tuple(range(start.year, end.year + 1))
    english = _calendar(code, years, holiday_language(code, "en"))
    cal = _calendar(code, years, holiday_language(code, lang)) if lang != "en" else english
    est_en, est = _label(english, "estimated_label"), _label(cal, "estimated_label")
    out = []
    for day in sorted(d for d in cal if start <= d <= end):
        estimated = any(_without(n, est_en)[1] for n in english.get_list(day))
        names = [_without(n, est)[0] for n in cal.get_list(day)]
        out.append(Holiday(day, "; ".join(dict.fromkeys(names)), estimated))
    return out


def _substituted(cal, day: dt.date) -> bool:
    """A day off in lieu, not a holiday of its own: an observed day (the package's observed label)
    or a day given for a worked weekend day (China's 调休 days)."""
    names = cal.get_list(day)
    return bool(names) and all(_without(n, _label(cal, "observed_label"))[1] or re.search(r"substitut|day off", n, re.I)
                               for n in names)


def breaks(country: str, start: dt.date, end: dt.date, lang: str = "en") -> list[Break]:
    """The country's holiday breaks that overlap start … end, whole, in date order."""
    code = _code(country)
    if code not in _supported():
        return []
    lo, hi = start - dt.timedelta(EDGE_DAYS), end + dt.timedelta(EDGE_DAYS)
    hols = {h.day: h for h in holidays_in(code, lo, hi, lang)}
    english = _calendar(code, tuple(range(lo.year, hi.year + 1)), holiday_language(code, "en"))
    weekend = set(getattr(english, "weekend", {5, 6}))
    workdays = set(getattr(english, "weekend_workdays", ()) or ())

    def off(d: dt.date) -> bool:
        return d in hols or (d.weekday() in weekend and d not in workdays)

    out, run = [], []
    d = lo
    while d <= hi + dt.timedelta(1):
        if d <= hi and off(d):
            run.append(d)
        elif run:
            inside = [hols[x] for x in run if x in hols]
            if inside and run[-1] >= start and run[0] <= end and run[0] > lo and run[-1] < hi:
                named = [h for h in inside if not _substituted(english, h.day)] or inside
                out.append(Break(code, " · ".join(dict.fromkeys(h.name for h in named)), run[0], run[-1],
                                 any(h.estimated for h in inside), tuple(inside)))
            run = []
        d += dt.timedelta(1)
    return out
