"""The text alternative of every chart (WCAG 2.2, 1.1.1 Non-text Content): one summary sentence
that says what the chart shows, and its data as table rows (column header → value), both drawn
from the same typed results as the figure (present/charts.py). Scores are 0–100; temperatures
are in the unit asked for (°C or °F), precipitation in mm/month, sunshine in h/day, humidity in %,
distances in km (great circle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import numpy as np

from ..climate.variables import SPEC
from ..places.names import haversine_km
from ..results import CityYear, HomeYear
from ..rules import GOOD, day_index
from . import i18n
from .i18n import N_, translator
from .text import country, join, local_name, month_name, months_text
from .units import convert_temp, value

TABLE_TITLE = N_("This chart's data as a table")
RANKED = N_("In {month} the most comfortable sister city is {city} ({score}); home scores {home}.")
RANKED_NO_HOME = N_("In {month} the most comfortable sister city is {city} ({score}).")
BEST_MONTH = N_("{city}'s most comfortable month is {month} ({score}), its least comfortable {worst} ({low}).")
CLIMATE = N_("{city}: warmest in {warm} ({high}), coolest in {cool} ({low}), wettest in {wet} ({prcp}).")
MAP = N_("{n} sister cities, from {near} ({near_km} km away) to {far} ({far_km} km).")
WINDOWS = N_("{n} of {total} sister cities have a travel window in {month}: {cities}.")
NO_WINDOWS = N_("None of the {total} sister cities has a travel window in {month}.")
DAILY = N_("{city} by day: highest {high} around {high_date}, lowest {low} around {low_date}; {n} days score "
           "{good} or more.")


@dataclass(frozen=True)
class ChartText:
    """A chart's text alternative: its summary sentence and its data (one dict per row)."""

    summary: str
    rows: list[dict]

    @cached_property
    def table(self):
        """The rows as an Arrow table, built once (a cached alternative is drawn at every rerun and
        st.dataframe sends an Arrow table as it is); names in it as plain characters (safe_text.plain)."""
        import pandas as pd
        import pyarrow as pa

        from .safe_text import plain_cells

        return pa.Table.from_pandas(plain_cells(pd.DataFrame(self.rows)), preserve_index=False)


def _name(c: CityYear, lang: str) -> str:
    return local_name(c.city, lang)


def _n(x: float, lang: str) -> str:
    return i18n.number(x, lang)


def _scores_rows(cities, lang: str) -> list[dict]:
    """One row per city: its name and its 12 monthly scores (None where not rated)."""
    _ = translator(lang)
    months = i18n.month_names(lang, "abbreviated")
    return [{_("city"): _name(c, lang)} | {months[k]: (None if np.isnan(s) else round(float(s))) for k, s in
                                             enumerate(c.scores)} for c in cities]


def _extremes(c: CityYear, lang: str) -> str:
    """A city's best and worst month, as a sentence ("" when no month is rated)."""
    s = np.asarray(c.scores, dtype=float)
    if not c.has_climate or np.isnan(s).all():
        return ""
    hi, lo = int(np.nanargmax(s)), int(np.nanargmin(s))
    return translator(lang)(BEST_MONTH).format(city=_name(c, lang), month=month_name(hi + 1, lang),
                                               score=_n(s[hi], lang), worst=month_name(lo + 1, lang),
                                               low=_n(s[lo], lang))


def ranking(year: HomeYear, month: int, lang: str = i18n.DEFAULT_LANGUAGE) -> ChartText:
    """The comfort curves' and the heatmap's text: the month's most comfortable sister city against
    home, home's best and worst month; the rows: home, then the partners ranked by the month."""
    _ = translator(lang)
    ranked = [p for p in year.ranked(month) if p.has_climate and not np.isnan(p.scores[month - 1])]
    h = year.home
    parts = []
    if ranked:
        top = ranked[0]
        home_scored = h.has_climate and not np.isnan(h.scores[month - 1])
        parts.append(_(RANKED if home_scored else RANKED_NO_HOME).format(
            month=month_name(month, lang), city=_name(top, lang), score=_n(top.scores[month - 1], lang),
            home=_n(h.scores[month - 1], lang) if home_scored else ""))
    parts.append(_extremes(h, lang))
    rows = [c for c in [h, *year.ranked(month)] if c.has_climate]
    return ChartText(" ".join(p for p in parts if p), _scores_rows(rows, lang))


def climate(year: HomeYear, partner: str, unit: str = "°C", lang: str = i18n.DEFAULT_LANGUAGE) -> ChartText:
    """The climate panel's text: for the partner and home, the warmest, coolest and wettest month;
    the rows: one per month, each city's high, low, precipitation, humidity and sunshine."""
    _ = translator(lang)
    months = i18n.month_names(lang, "abbreviated")
    cities = [c for c in (year.partner(partner), year.home) if c.climate is not None]
    sentences, rows = [], [{_("month"): m} for m in months]
    for c in cities:
        k = c.climate
        hi, lo, wet = np.asarray(k.tmax_c, float), np.asarray(k.tmin_c, float), np.asarray(k.prcp_mm, float)
        w, cl, r = int(np.nanargmax(hi)), int(np.nanargmin(lo)), int(np.nanargmax(wet))
        sentences.append(_(CLIMATE).format(
            city=_name(c, lang), warm=month_name(w + 1, lang), high=value("tmax_c", hi[w], unit, lang=lang),
            cool=month_name(cl + 1, lang), low=value("tmin_c", lo[cl], unit, lang=lang),
            wet=month_name(r + 1, lang), prcp=value("prcp_mm", wet[r], lang=lang)))
        columns = ((f"{_(SPEC['tmax_c'].label)} ({unit})", convert_temp(hi, unit)),
                   (f"{_(SPEC['tmin_c'].label)} ({unit})", convert_temp(lo, unit)),
                   (_("{variable} ({unit}/month)").format(variable=_(SPEC["prcp_mm"].label), unit="mm"), wet),
                   (f"{_(SPEC['rhum_pct'].label)} (%)", np.asarray(k.rhum_pct, float)),
                   (_("{variable} ({unit}/day)").format(variable=_(SPEC["sun_hours"].label), unit="h"),
                    np.asarray(k.sun_h_per_day, float)))
        for header, series in columns:
            for row, x in zip(rows, series):
                row[f"{_name(c, lang)}: {header}"] = None if np.isnan(x) else round(float(x), 1)
    return ChartText(" ".join(sentences), rows)


def partner_map(year: HomeYear, month: int, lang: str = i18n.DEFAULT_LANGUAGE) -> ChartText:
    """The map's text: how many sister cities and the nearest and farthest; the rows: each partner's
    country, distance from home (km, great circle) and the month's score, nearest first."""
    _ = translator(lang)
    partners = list(year.partners)
    if not partners:
        return ChartText("", [])
    h = year.home.city
    km = haversine_km(h.lat, h.lon, np.array([p.city.lat for p in partners]), np.array([p.city.lon for p in partners]))
    order = np.argsort(km, kind="stable")
    near, far = order[0], order[-1]
    summary = _(MAP).format(n=_n(len(partners), lang), near=_name(partners[near], lang), near_km=_n(km[near], lang),
                            far=_name(partners[far], lang), far_km=_n(km[far], lang))
    rows = []
    for k in order:
        p = partners[k]
        s = p.scores[month - 1] if p.has_climate else np.nan
        rows.append({_("city"): _name(p, lang), _("country"): country(p.city.country, lang), _("distance (km)"): round(float(km[k])),
                     _("score"): None if np.isnan(s) else round(float(s))})
    return ChartText(summary, rows)


def window_strip(year: HomeYear, month: int, lang: str = i18n.DEFAULT_LANGUAGE) -> ChartText:
    """The window strip's text: which sister cities have a travel window in the month; the rows:
    each partner's window months."""
    _ = translator(lang)
    ranked = year.ranked(month)
    open_now = [_name(p, lang) for p in ranked if month in p.window]
    args = {"total": _n(len(ranked), lang), "month": month_name(month, lang)}
    summary = (_(WINDOWS).format(n=_n(len(open_now), lang), cities=join(open_now, lang), **args) if open_now
               else _(NO_WINDOWS).format(**args))
    return ChartText(summary, [{_("city"): _name(p, lang), _("travel window"): months_text(p.windows, lang)}
                               for p in ranked])


def exchange_calendar(pair, lang: str = i18n.DEFAULT_LANGUAGE) -> ChartText:
    """The exchange calendar's text: each direction's months, as a sentence and as two rows."""
    _ = translator(lang)
    a, b = local_name(pair.a, lang), local_name(pair.b, lang)
    ways = ((f"{a} → {b}", pair.a_to_b), (f"{b} → {a}", pair.b_to_a))
    return ChartText("; ".join(f"{w}: {months_text(runs, lang)}" for w, runs in ways) + ".",
                     [{_("travel window"): w, _("months"): months_text(runs, lang)} for w, runs in ways])


def daily(way, period, lang: str = i18n.DEFAULT_LANGUAGE, good: float = GOOD) -> ChartText:
    """The comfort-by-day chart's text over the period's dates: the visited city's highest and lowest
    day and how many days reach `good`; the rows: each month's mean daily score for both cities."""
    _ = translator(lang)
    start, end = period
    dates = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    days = np.array([day_index(d) for d in dates])
    dest, home = local_name(way.destination, lang), local_name(way.home, lang)
    if not len(way.destination_daily):
        return ChartText("", [])
    s = np.asarray(way.destination_daily, dtype=float)[days]
    hi, lo = int(np.nanargmax(s)), int(np.nanargmin(s))
    summary = _(DAILY).format(city=dest, high=_n(s[hi], lang), high_date=i18n.date_text(dates[hi], lang),
                              low=_n(s[lo], lang), low_date=i18n.date_text(dates[lo], lang),
                              n=_n(int((s >= good).sum()), lang), good=_n(good, lang))
    series = [(dest, s)]
    if len(way.home_daily):
        series.append((_("{city} (home)").format(city=home), np.asarray(way.home_daily, dtype=float)[days]))
    months = np.array([d.year * 12 + d.month - 1 for d in dates])
    rows = []
    for m in dict.fromkeys(months):          # the period's months in order
        inside = months == m
        row = {_("month"): i18n.month_year(m // 12, m % 12 + 1, lang)}
        for name, x in series:
            row[name] = round(float(np.nanmean(x[inside])))
        rows.append(row)
    return ChartText(summary, rows)
