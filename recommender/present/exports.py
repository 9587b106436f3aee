"""Export builders: a home city's year as CSV / JSON, its travel windows as iCalendar, a
printable HTML report. Pure functions of the typed results (HomeYear, Recommendation); the
dashboard and the tests call them directly. Machine-readable exports (CSV, JSON) stay in
English; the report and the calendar's texts are in the person's language.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pandas as pd

from .. import breaks
from ..results import DaySpan, HomeYear, Recommendation
from ..rules import break_in_window, runs_mask
from . import i18n, safe_text, style, text
from .documents import document
from .i18n import translator
from .text import month_name

TABLE_COLUMNS = ["home_id", "home_name", "partner_id", "partner_name", "partner_country", "degree", "month", "score",
                 "label", "home_score", "delta", "in_window", "window", "index", "coverage", "confidence",
                 "confidence_reason", "flags"]


def recommendations_table(year: HomeYear) -> pd.DataFrame:
    """One row per partner and month (12 per partner): scores, classes, deltas and windows.

    Columns: home_id, home_name, partner_id, partner_name, partner_country, degree, month,
    score, label, home_score, delta, in_window, window, index, coverage, confidence (high | medium |
    low), confidence_reason (a code of climate.confidence.REASONS); the last two empty without data;
    flags: what the index does not rate in the month, codes of flags.FLAG_CODES separated by spaces.
    """
    h = year.home
    nan = float("nan")
    rows = []
    for p in year.partners:
        window = " ".join("-".join(str(x) for x in r) for r in p.windows)
        for m in range(1, 13):
            s = p.scores[m - 1] if p.has_climate else nan
            hs = h.scores[m - 1] if h.has_climate else nan
            grade = p.confidence[m - 1] if p.has_climate else None
            rows.append({
                "home_id": h.city.id, "home_name": h.city.name, "partner_id": p.city.id, "partner_name": p.city.name,
                "partner_country": p.city.country, "degree": p.degree, "month": m, "score": s,
                "label": p.labels[m - 1] if p.has_climate else text.NO_DATA, "home_score": hs,
                "delta": round(s - hs, 1) if p.has_climate and h.has_climate else nan,
                "in_window": m in p.window, "window": window, "index": year.index.name,
                "coverage": p.coverage[m - 1] if p.has_climate else 0.0,
                "confidence": grade.grade if grade else "", "confidence_reason": grade.reason if grade else "",
                "flags": " ".join(p.flags[m - 1]) if p.has_climate and p.flags else "",
            })
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def to_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a BOM-free header, CRLF rows as RFC 4180 has them) of recommendations_table;
    a text cell a spreadsheet would run as a formula (a name starting with = + - @) starts with '
    (safe_text.csv_cell), and a cell holding a line break is quoted (safe_text.CSV_LINE_END)."""
    cells = table.map(safe_text.csv_cell).rename(columns=safe_text.csv_cell)
    return cells.to_csv(index=False, lineterminator=safe_text.CSV_LINE_END).encode("utf-8")


def to_json(year: HomeYear, month: int) -> bytes:
    """The HomeYear's JSON document (documents.document) with the month the person chose:
    {"home", "month", "index", "comfort_band", "good", "margin", "partners": [{… "months": [12], "windows"}]};
    each month, and home's 12, with "confidence": {"grade", "reason"} (null without climate data)."""
    doc = document(year)
    doc = {"home": doc.pop("home"), "month": month} | doc
    return safe_text.json_text(doc, indent=2).encode("utf-8")


def occurrences(span: DaySpan, start: date, end: date) -> list[tuple[date, date]]:
    """The dated occurrences (first, last day) of a span of the climatological year that overlap
    start … end (a span in progress on `start` is given whole; 29 February joins 28 February's span)."""
    out = []
    for y in range(start.year - 1, end.year + 1):
        first = text.day_date(span.start, y)
        last = text.day_date(span.end, y + (span.start > span.end))
        if last.month == 2 and last.day == 28 and calendar.isleap(last.year):
            last += timedelta(days=1)              # 29 February counts as 28 February (rules.day_index)
        if last >= start and first <= end:
            out.append((first, last))
    return out


def to_ics(year: HomeYear, lang: str = "en", today: date | None = None, home_breaks: list | None = None) -> bytes:
    """iCalendar for the 12 months from `today`: per partner, each travel window by day and its
    best fortnight as dated all-day events, and each of the home country's holiday breaks that
    falls in a partner's window (breaks.breaks; computed when not given), naming those partners."""
    from icalendar import Calendar, Event, vText

    class Text(vText):
        """A TEXT value escaped once, by safe_text.ics_text (names are data: no ; , \\ or line
        break of a name ends or splits a value, no control character reaches a calendar)."""

        def to_ical(self) -> bytes:
            return safe_text.ics_text(self).encode(self.encoding)

    today = today or date.today()
    start, end = breaks.period(today=today)
    if home_breaks is None:
        country = year.home.city.country
        home_breaks = breaks.breaks(country, start, end, lang) if breaks.supported(country) else []
    _ = translator(lang)
    home = year.home.city
    home_name = text.local_name(home, lang)
    stamp = pd.Timestamp(today).to_pydatetime()
    cal = Calendar()
    cal.add("prodid", "-//sister-city-recommender//travel windows//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", Text(_("Travel windows from {home}").format(home=home_name)))

    def event(uid: str, summary: str, first: date, last: date, description: str) -> None:
        ev = Event()
        ev.add("uid", f"{uid}-{first.isoformat()}-{year.index.key}@sister-city-recommender")
        ev.add("summary", Text(summary))
        ev.add("dtstart", first)
        ev.add("dtend", last + timedelta(days=1))        # all-day events end exclusively
        ev.add("dtstamp", stamp)
        ev.add("description", Text(description))
        ev.add("categories", [_("travel"), _("sister cities")])
        cal.add_component(ev)

    rule = _("{city} is at least good ({index} ≥ {good}) and at least {margin} points more comfortable than {home} "
             "on these days (daily climatology).")
    holders: dict[int, list[str]] = {}
    for p in year.partners:
        name = text.local_name(p.city, lang)
        for span in p.window_days:
            for first, last in occurrences(span, start, end):
                event(f"{home.id}-{p.city.id}-window", _("Travel window: {home} → {city} ({months})").format(
                    home=home_name, city=name, months=text.dates_text(first, last, lang)), first, last,
                    rule.format(city=name, index=year.index.name, good=i18n.number(year.good, lang),
                                margin=i18n.number(year.margin, lang), home=home_name))
        if p.fortnight is not None and p.window_days:      # the best fortnight inside the window
            for first, last in occurrences(p.fortnight, start, end):
                event(f"{home.id}-{p.city.id}-fortnight", _("Best fortnight: {home} → {city}").format(
                    home=home_name, city=name), first, last, text.fortnight_text(p.fortnight, lang))
        mask = runs_mask([(s.start, s.end) for s in p.window_days])
        for k, b in enumerate(home_breaks):
            if p.window_days and break_in_window(b.start, b.end, mask):
                holders.setdefault(k, []).append(name)
    for k, names in holders.items():
        b = home_breaks[k]
        event(f"{home.id}-break-{b.country}", _("{holiday}: travel window for {cities}").format(
            holiday=text.break_name(b, lang), cities=text.join(names, lang)), b.start, b.end,
            _("A holiday break of {home}'s country, in the travel window from {home} to {cities}.").format(
                home=home_name, cities=text.join(names, lang)))
    return cal.to_ical()


def report_html(res: Recommendation, figures: dict[str, object], headline: str, unit: str = "°C", lang: str = "en",
                today: date | None = None) -> bytes:
    """A self-contained, printable HTML report of a Recommendation in the person's language
    (right to left where the language is written so): headline, ranking with the windows,
    charts, method. `figures` maps a (translated) title to a figure; `headline` is the page's."""
    _ = translator(lang)
    e = safe_text.html          # every name, title and sentence: text, never markup
    spec = res.index
    home = text.local_name(res.home, lang)
    direction = i18n.direction(lang)
    title = _("Travel comfort from {home}").format(home=home)
    heads = [_("city"), _("country"), _("score"), _("confidence"), _("class"), _("vs home"), _("travel window (months)"),
             _("coverage"), _("not rated")]
    parts = [
        f"<!doctype html><html lang='{lang}' dir='{direction}'><head><meta charset='utf-8'>",
        "<title>" + e(title) + "</title>",
        "<style>body{font-family:" + style.font_family(("system-ui", "Noto Sans", *i18n.declaration(lang).fonts,
                                                        "sans-serif")) + ";"
        "max-width:1100px;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        ".fig{page-break-inside:avoid;margin:1em 0;direction:ltr}@media print{.fig{break-inside:avoid}}</style></head><body>",
        f"<h1>{e(title)} — {e(month_name(res.month, lang))}</h1>",
        f"<p class='headline'>{e(headline)}</p>",
        *([f"<p class='flags'>{e(text.flag_caption(res, unit, lang))}</p>"] if text.flag_caption(res, unit, lang) else []),
        "<p>" + e(_("Index: {index}; weights {weights}; {band}.").format(
            index=spec.name, weights=text.weights_text(spec, lang), band=text.band_text(res.band, unit, lang))) + "</p>",
        "<p>" + e(_("Made on {date}.").format(date=i18n.date_text(today or date.today(), lang))) + "</p>",
        "<h2>" + e(_("Ranked sister cities")) + "</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in heads) + "</tr>",
    ]
    for p in res.partners:
        parts.append(
            f"<tr><td>{e(text.local_name(p.city, lang))}</td><td>{e(text.country(p.city.country, lang))}</td>"
            f"<td>{'' if p.score is None else i18n.number(p.score, lang)}</td>"
            f"<td>{e(text.confidence_badge(p.confidence, lang))}</td>"
            f"<td>{e(text.words(p.label, lang))}</td>"
            f"<td>{'' if p.delta is None else i18n.number(p.delta, lang, sign=True)}</td>"
            f"<td>{e(text.months_text(p.windows, lang))}</td>"
            f"<td>{i18n.percent(p.coverage, lang)}</td>"
            f"<td>{e(text.flags_cell(p, unit, lang))}</td></tr>")
    parts.append("</table><h2>" + e(_("Charts")) + "</h2>")
    first = True
    for title, fig in figures.items():
        parts.append(f"<div class='fig'><h3>{e(title)}</h3>")
        parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if first else False,
                                 config={"displaylogo": False}))
        parts.append("</div>")
        first = False
    parts += ["<h2>" + e(_("How is this scored?")) + "</h2>",
              *(f"<p>{e(p)}</p>" for p in text.method_paragraphs(unit, lang)),
              "<h2>" + e(_("Data sources")) + "</h2>", f"<p>{e(text.sources_paragraph(lang))}</p>", "</body></html>"]
    return "\n".join(parts).encode("utf-8")
