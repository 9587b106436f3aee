"""Export builders: recommendations as CSV / JSON, travel windows as iCalendar, a printable
HTML report. Pure functions of a Recommender and the user's choice; the dashboard and the
tests call them directly.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..recommend import GOOD, MARGIN, Confidence, Recommender, circular_runs
from . import i18n, text
from .i18n import translator
from .text import month_name


@dataclass(frozen=True)
class Choice:
    """What the person picked: home city id, month (1–12), style, comfort band (°C), partner
    filter, the temperature unit and the language (en, zh, ur) the words use. Machine-readable
    exports (CSV, JSON) stay in English; the report and the calendar's texts are translated."""

    home: str
    month: int
    style: str = "urban"
    band: tuple[float, float] | None = None
    country: str | None = None
    second_degree: bool = False
    unit: str = "°C"
    lang: str = "en"


def recommendations_table(rec: Recommender, ch: Choice) -> pd.DataFrame:
    """One row per partner and month (12 per partner): scores, classes, deltas and windows.

    Columns: home_id, home_name, partner_id, partner_name, partner_country, degree, month,
    score, label, home_score, delta, in_window, window, index, coverage, confidence (high | medium |
    low), confidence_reason (a code of climate.confidence.REASONS); the last two empty without data.
    """
    sc = rec.scored(ch.style, ch.band)
    home_name = rec.cities.at[ch.home, "name"]
    i = sc.pos.get(ch.home)
    home_scores = sc.score[i] if i is not None else np.full(12, np.nan)
    rows = []
    for pid, degree, _via in rec.partners(ch.home, ch.country, ch.second_degree):
        j = sc.pos.get(pid)
        window = rec.window_months(sc, ch.home, pid)  # [] for a partner without climate data
        runs = circular_runs(window)
        for m in range(1, 13):
            s = float(sc.score[j, m - 1]) if j is not None else np.nan
            hs = float(home_scores[m - 1])
            grade = sc.confidence(j, m)
            rows.append({
                "home_id": ch.home, "home_name": home_name, "partner_id": pid,
                "partner_name": rec.cities.at[pid, "name"], "partner_country": rec.cities.at[pid, "country"],
                "degree": degree, "month": m, "score": s,
                "label": str(sc.label[j, m - 1]) if j is not None else "no climate data",
                "home_score": hs, "delta": round(s - hs, 1) if not (np.isnan(s) or np.isnan(hs)) else np.nan,
                "in_window": m in window, "window": " ".join("-".join(str(x) for x in r) for r in runs),
                "index": sc.index.name, "coverage": float(sc.coverage[j, m - 1]) if j is not None else 0.0,
                "confidence": grade.grade if grade else "", "confidence_reason": grade.reason if grade else "",
            })
    return pd.DataFrame(rows, columns=["home_id", "home_name", "partner_id", "partner_name", "partner_country", "degree",
                                       "month", "score", "label", "home_score", "delta", "in_window", "window", "index",
                                       "coverage", "confidence", "confidence_reason"])


def _confidence(grade: str, reason: str) -> Confidence | None:
    """A table row's confidence columns as a Confidence (None: empty, no climate data)."""
    return Confidence(grade, reason) if isinstance(grade, str) and grade else None


def to_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a BOM-free header) of recommendations_table."""
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def to_json(rec: Recommender, ch: Choice) -> bytes:
    """JSON: {"home", "month", "index", "comfort_band", "partners": [{… "months": [12 entries], "windows"}]};
    each month, and home's 12, with "confidence": {"grade", "reason"} (null without climate data)."""
    table = recommendations_table(rec, ch)
    sc = rec.scored(ch.style, ch.band)
    i = sc.pos.get(ch.home)
    home = text.city_json(rec.city_ref(ch.home))
    home["scores"] = [None if i is None else float(sc.score[i, m]) for m in range(12)]
    home["confidence"] = [text.confidence_json(sc.confidence(i, m)) for m in range(1, 13)]
    partners = []
    for pid, g in table.groupby("partner_id", sort=False):
        first = g.iloc[0]
        partners.append({
            "id": pid, "name": first["partner_name"], "country": first["partner_country"], "degree": int(first["degree"]),
            "windows": circular_runs([int(m) for m in g.loc[g["in_window"], "month"]]),
            "months": [{"month": int(r.month), "score": None if np.isnan(r.score) else float(r.score), "label": r.label,
                        "delta": None if np.isnan(r.delta) else float(r.delta), "in_window": bool(r.in_window),
                        "confidence": text.confidence_json(_confidence(r.confidence, r.confidence_reason))}
                       for r in g.itertuples()],
        })
    doc = {"home": home, "month": ch.month, "index": sc.index.name,
           "comfort_band": list(ch.band) if ch.band else None, "good": GOOD, "margin": MARGIN, "partners": partners}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def _next_start(run: list[int], today: date) -> date:
    """First day of the run's next occurrence (this year if it has not started yet)."""
    year = today.year if run[0] >= today.month else today.year + 1
    return date(year, run[0], 1)


def _month_after(d: date, n_months: int) -> date:
    k = d.month - 1 + n_months
    return date(d.year + k // 12, k % 12 + 1, 1)


def to_ics(rec: Recommender, ch: Choice, today: date | None = None) -> bytes:
    """iCalendar with one yearly, all-day event per travel window from home to each partner."""
    from icalendar import Calendar, Event

    today = today or date.today()
    lang = ch.lang
    _ = translator(lang)
    home_name = text.local_city(rec, ch.home, lang)
    cal = Calendar()
    cal.add("prodid", "-//sister-city-recommender//travel windows//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Travel windows from {home}").format(home=home_name))
    sc = rec.scored(ch.style, ch.band)
    index = sc.index.name
    for pid, _deg, _via in rec.partners(ch.home, ch.country, ch.second_degree):
        runs = circular_runs(rec.window_months(sc, ch.home, pid))
        for run in runs:
            start = _next_start(run, today)
            ev = Event()
            name = text.local_city(rec, pid, lang)
            span = month_name(run[0], lang) + (f"–{month_name(run[-1], lang)}" if len(run) > 1 else "")
            ev.add("uid", f"{ch.home}-{pid}-{run[0]}-{len(run)}-{sc.index.key}@sister-city-recommender")
            ev.add("summary", _("Travel window: {home} → {city} ({months})").format(home=home_name, city=name,
                                                                                   months=span))
            ev.add("dtstart", start)
            ev.add("dtend", _month_after(start, len(run)))  # all-day events end exclusively
            ev.add("rrule", {"freq": "yearly"})
            ev.add("dtstamp", pd.Timestamp(today).to_pydatetime())
            ev.add("description", _("{city} is at least good ({index} ≥ {good}) and at least {margin} points more "
                                    "comfortable than {home} in these months.").format(
                city=name, index=index, good=i18n.number(GOOD, lang), margin=i18n.number(MARGIN, lang), home=home_name))
            ev.add("categories", [_("travel"), _("sister cities")])
            cal.add_component(ev)
    return cal.to_ical()


def report_html(rec: Recommender, ch: Choice, figures: dict[str, object], headline: str,
                today: date | None = None) -> bytes:
    """A self-contained, printable HTML report in the person's language (right to left for
    Urdu): headline, ranking, windows, charts, method. `figures` maps a (translated) title to a
    figure; `headline` is the page's headline."""
    lang = ch.lang
    _ = translator(lang)
    e = html.escape
    table = recommendations_table(rec, ch)
    month_rows = table[table["month"] == ch.month].sort_values("score", ascending=False, na_position="last")
    sc = rec.scored(ch.style, ch.band)
    spec = sc.index
    home = text.local_city(rec, ch.home, lang)
    direction = "rtl" if i18n.is_rtl(lang) else "ltr"
    title = _("Travel comfort from {home}").format(home=home)
    heads = [_("city"), _("country"), _("score"), _("confidence"), _("class"), _("vs home"), _("travel window (months)"),
             _("coverage")]
    weights = text.join([f"{text.component_label(k, lang)} {i18n.number(v, lang)}" for k, v in spec.weights.items()], lang)
    parts = [
        f"<!doctype html><html lang='{lang}' dir='{direction}'><head><meta charset='utf-8'>",
        "<title>" + e(title) + "</title>",
        "<style>body{font-family:system-ui,'Noto Sans','Noto Sans CJK SC','Noto Nastaliq Urdu',sans-serif;"
        "max-width:1100px;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        ".fig{page-break-inside:avoid;margin:1em 0;direction:ltr}@media print{.fig{break-inside:avoid}}</style></head><body>",
        f"<h1>{e(title)} — {e(month_name(ch.month, lang))}</h1>",
        f"<p class='headline'>{e(headline)}</p>",
        "<p>" + e(_("Index: {index}; weights {weights}; {band}.").format(
            index=spec.name, weights=weights, band=text.band_text(ch.band, ch.unit, lang))) + "</p>",
        "<p>" + e(_("Made on {date}.").format(date=i18n.date_text(today or date.today(), lang))) + "</p>",
        "<h2>" + e(_("Ranked sister cities")) + "</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in heads) + "</tr>",
    ]
    for r in month_rows.itertuples():
        window = text.months_text(circular_runs(rec.window_months(sc, ch.home, r.partner_id)), lang)
        parts.append(
            f"<tr><td>{e(text.local_city(rec, r.partner_id, lang))}</td><td>{e(i18n.country(r.partner_country, lang))}</td>"
            f"<td>{'' if np.isnan(r.score) else i18n.number(r.score, lang)}</td>"
            f"<td>{e(text.confidence_badge(_confidence(r.confidence, r.confidence_reason), lang))}</td>"
            f"<td>{e(text.words(r.label, lang))}</td>"
            f"<td>{'' if np.isnan(r.delta) else i18n.number(r.delta, lang, sign=True)}</td><td>{e(window)}</td>"
            f"<td>{i18n.percent(r.coverage, lang)}</td></tr>")
    parts.append("</table><h2>" + e(_("Charts")) + "</h2>")
    first = True
    for title, fig in figures.items():
        parts.append(f"<div class='fig'><h3>{e(title)}</h3>")
        parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if first else False,
                                 config={"displaylogo": False}))
        parts.append("</div>")
        first = False
    parts += ["<h2>" + e(_("How is this scored?")) + "</h2>",
              *(f"<p>{e(p)}</p>" for p in text.method_paragraphs(ch.unit, lang)),
              "<h2>" + e(_("Data sources")) + "</h2>", f"<p>{e(text.sources_paragraph(lang))}</p>", "</body></html>"]
    return "\n".join(parts).encode("utf-8")
