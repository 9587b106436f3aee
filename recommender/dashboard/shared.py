"""What every page reads: the recommender and its results cached per atlas version (shared by
all sessions of the process), the figures, the city picker's labels, the link's first choices,
and the sidebar's shared choices (trip style, temperature unit, comfort band)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import RecommenderError, breaks
from ..atlas import atlas_version
from ..climate.calendar import parse_month
from ..comfort.indices import styles
from ..present import chart_text, charts, i18n, safe_text, text
from ..present.units import UNITS, convert_temp, f_to_c
from ..recommend import Recommender
from ..results import Exchange, HomeYear, PairRanking, Plan, Recommendation
from . import state

DEFAULT_HOME = "urumqi"
N_ = i18n.N_
# The pages (st.navigation, the first is the default): key → (file relative to app.py, url path, title, icon).
# Icons are Material Symbols (drawn by Streamlit's own font: no emoji font needed).
PAGES = {"where": ("recommender/dashboard/pages/where_to_go.py", "where", N_("Where to go"), ":material/flight_takeoff:"),
         "pair": ("recommender/dashboard/pages/pair.py", "pair", N_("A pair"), ":material/sync_alt:"),
         "plan": ("recommender/dashboard/pages/plan.py", "plan", N_("Plan by dates"), ":material/event:"),
         "all_pairs": ("recommender/dashboard/pages/all_pairs.py", "pairs", N_("All pairs"), ":material/public:"),
         "method": ("recommender/dashboard/pages/method.py", "method", N_("How is this scored?"), ":material/info:")}
PAGE_FILES = {k: v[0] for k, v in PAGES.items()}
# Links of the single-page dashboard opened a tab by its label (?view=, in any language); the
# tabs that became pages open those pages.
LEGACY_VIEWS = {N_("Exchange explorer"): "all_pairs", N_("How is this scored?"): "method"}
BAND_C = (-10, 40, (18, 24))      # slider range and default, °C
BAND_F = (14, 104, (64, 75))      # the same in °F
LINK_NOTES = (N_("The link names an unknown city ({city}); showing {default} instead."),
              N_("The link's month {month} is not 1–12 or a month name; showing {shown}."),
              N_("The link's trip style {style} is unknown; showing {shown}."))


@dataclass(frozen=True)
class Choices:
    """The shared choices of this run: language, trip style, unit (°C | °F), comfort band (°C)."""

    lang: str
    style: str
    unit: str
    band: tuple[float, float] | None


# ------------------------------------------------------------------ cached per atlas version
_LOADED: set[tuple] = set()        # the atlas versions this process has loaded (get_recommender)
@st.cache_resource(show_spinner=False)
def get_recommender(version: tuple) -> Recommender:
    """One Recommender per atlas version; it scores each (style, band) once and keeps the arrays."""
    from ..prepared import recommender

    i18n.preload()      # catalogs and CLDR data read once, so a switch of language does not wait for them
    return recommender(Recommender)     # read from the prepared file when another process (or an earlier run) made it


def recommender() -> tuple[tuple, Recommender]:
    """(atlas version, its Recommender); an atlas that cannot be loaded is one note and the page stops."""
    _ = i18n.translator(st.session_state.get("lang", i18n.DEFAULT_LANGUAGE))
    try:
        version = atlas_version()
        if version in _LOADED:                 # no spinner (two more messages a rerun) once it is loaded
            return version, get_recommender(version)
        with st.spinner(_("Loading the climate atlas…")):
            rec = get_recommender(version)
        _LOADED.add(version)
        return version, rec
    except RecommenderError as exc:
        st.error(_("The climate atlas could not be loaded: {reason}").format(
            reason=text.literal(text.without_server_paths(exc), 600)))
        st.stop()


def atlas_warnings(rec: Recommender) -> None:
    """What the atlas load warned about (a refreshed city that failed its checks, …), one note each."""
    for w in rec.warnings():
        st.warning(text.literal(text.without_server_paths(w), 600))


@st.cache_resource(show_spinner=False, max_entries=256)
def home_year(version: tuple, home: str, style: str, band, country: str | None, second: bool) -> HomeYear:
    """A home city's year (results are immutable; shared by every session)."""
    return get_recommender(version).year(home, style=style, comfort_band=band, country=country, second_degree=second)


@st.cache_resource(show_spinner=False, max_entries=256)
def pair_year(version: tuple, a: str, b: str, style: str, band) -> HomeYear:
    return get_recommender(version).pair_year(a, b, style=style, comfort_band=band)


# Each chart kind, declared once: its figure (present/charts.py) and its text alternative
# (present/chart_text.py: a summary sentence and its data as a table), both of (year, month,
# partner, unit, lang).
CHARTS = {
    "curves": (lambda y, month, partner, unit, lang: charts.comfort_curves(y, month, lang),
               lambda y, month, partner, unit, lang: chart_text.ranking(y, month, lang)),
    "heatmap": (lambda y, month, partner, unit, lang: charts.partner_heatmap(y, month, lang),
                lambda y, month, partner, unit, lang: chart_text.ranking(y, month, lang)),
    "climate": (lambda y, month, partner, unit, lang: charts.climate_panel(y, partner, unit, lang),
                lambda y, month, partner, unit, lang: chart_text.climate(y, partner, unit, lang)),
    "map": (lambda y, month, partner, unit, lang: charts.partner_map(y, month, lang),
            lambda y, month, partner, unit, lang: chart_text.partner_map(y, month, lang)),
    "windows": (lambda y, month, partner, unit, lang: charts.window_strip(y, month, lang),
                lambda y, month, partner, unit, lang: chart_text.window_strip(y, month, lang)),
}


def cached_year(year: tuple) -> HomeYear:
    """The cached year a chart is drawn from (`year`: the arguments of home_year or pair_year, first
    "home" or "pair")."""
    return home_year(*year[1:]) if year[0] == "home" else pair_year(*year[1:])


@st.cache_resource(show_spinner=False, max_entries=512)
def figure(kind: str, year: tuple, month: int, partner: str | None, unit: str, lang: str):
    """A chart of a cached year (`year`: the arguments of home_year or pair_year, first "home" or
    "pair"), built once per process for each choice and shared by every session (figures are not
    changed after they are built). An unknown kind is a KeyError, never another chart."""
    return CHARTS[kind][0](cached_year(year), month, partner, unit, lang)


@st.cache_resource(show_spinner=False, max_entries=512)
def alternative(kind: str, year: tuple, month: int, partner: str | None, unit: str, lang: str) -> chart_text.ChartText:
    """A cached chart's text alternative (the arguments of `figure`)."""
    return CHARTS[kind][1](cached_year(year), month, partner, unit, lang)


def chart(kind: str, year: tuple, month: int, partner: str | None, unit: str, lang: str, key: str) -> None:
    """A cached chart (`figure`) and below it its text alternative (`text_alternative`)."""
    st.plotly_chart(figure(kind, year, month, partner, unit, lang), width="stretch", key=key)
    text_alternative(alternative(kind, year, month, partner, unit, lang), lang, key)


def text_alternative(alt: chart_text.ChartText, lang: str, key: str) -> None:
    """A chart's summary sentence (plain text: names are never markup) and its data as a table in
    a closed expander (WCAG 1.1.1: what the chart shows, for a screen reader or a colour-blind eye)."""
    if alt.summary:
        st.text(safe_text.plain(alt.summary))
    if alt.rows:
        with st.expander(i18n.translator(lang)(chart_text.TABLE_TITLE)):
            st.dataframe(alt.table, hide_index=True, width="stretch", key=f"{key}_data")


@st.cache_resource(show_spinner=False, max_entries=256)
def exchange(version: tuple, a: str, b: str, style: str, band, today: dt.date, lang: str) -> Exchange:
    """A pair's exchange (months, dates, best fortnights, both countries' breaks for the 12 months
    from `today`, holiday names in `lang`), shared by every session."""
    return get_recommender(version).exchange(a, b, style=style, comfort_band=band, today=today, lang=lang)


@st.cache_resource(show_spinner=False, max_entries=512)
def daily_figure(version: tuple, a: str, b: str, style: str, band, today: dt.date, lang: str, direction: str):
    """One direction's comfort by day (charts.daily_comfort), built once per process and choice."""
    ex = exchange(version, a, b, style, band, today, lang)
    return charts.daily_comfort(ex.way(direction), ex.period, lang)


@st.cache_resource(show_spinner=False, max_entries=512)
def daily_text(version: tuple, a: str, b: str, style: str, band, today: dt.date, lang: str, direction: str):
    """The text alternative of one direction's comfort by day (chart_text.daily)."""
    ex = exchange(version, a, b, style, band, today, lang)
    return chart_text.daily(ex.way(direction), ex.period, lang)


def show_way(version: tuple, a: str, b: str, style: str, band, direction: str, lang: str, key: str) -> None:
    """One direction of a pair in dates: the window ("Nov 9 – Mar 22") and its month summary, the
    best fortnight, the comfort by day with the home country's breaks, and those breaks."""
    _ = i18n.translator(lang)
    today = dt.date.today()
    ex = exchange(version, a, b, style, band, today, lang)
    way = ex.way(direction)
    home, dest = text.local_name(way.home, lang), text.local_name(way.destination, lang)
    st.metric(f"{safe_text.markdown(home)} → {safe_text.markdown(dest)}", text.days_text(way.days, lang))
    st.caption(" · ".join(x for x in (_("by month: {months}").format(months=text.months_text(way.months, lang)),
                                      text.fortnight_text(way.fortnight, lang)) if x))
    st.plotly_chart(daily_figure(version, a, b, style, band, today, lang, direction), width="stretch",
                    key=f"chart_days_{key}")
    text_alternative(daily_text(version, a, b, style, band, today, lang, direction), lang, f"chart_days_{key}")
    st.text(safe_text.plain(text.breaks_summary(way, lang)))
    if way.breaks:
        with st.expander(_("{home}'s holiday breaks, {dates}").format(
                home=safe_text.markdown(home), dates=text.dates_text(*ex.period, lang))):
            st.dataframe(safe_text.plain_cells(pd.DataFrame(text.break_rows(way, lang))), hide_index=True, width="stretch", key=f"breaks_{key}")


@st.cache_resource(show_spinner=False, max_entries=256)
def plan(version: tuple, home: str, start: dt.date, end: dt.date, style: str, band) -> Plan:
    """The sister cities ranked for a span of dates (Recommender.plan), shared by every session."""
    return get_recommender(version).plan(home, start, end, style=style, comfort_band=band)


@st.cache_resource(show_spinner=False, max_entries=256)
def home_breaks(country: str, today: dt.date, lang: str) -> list:
    """A country's holiday breaks in the 12 months from `today` (breaks.breaks; [] where the
    holidays package has no calendar for it)."""
    start, end = breaks.period(today=today)
    return breaks.breaks(country, start, end, lang) if breaks.supported(country) else []


@st.cache_resource(show_spinner=False, max_entries=512)
def recommendation(version: tuple, home: str, month: int, style: str, band, country: str | None,
                   second: bool) -> Recommendation:
    """A home city's ranked partners for a month (Recommender.recommend), shared by every session."""
    return get_recommender(version).recommend(home, month, style=style, comfort_band=band, country=country,
                                              second_degree=second)


@st.cache_resource(show_spinner=False, max_entries=512)
def partner_frame(version: tuple, home: str, month: int, style: str, band, country: str | None, second: bool,
                  unit: str, lang: str):
    """That recommendation's partner table (text.partner_rows) as an Arrow table, built once per choice."""
    res = recommendation(version, home, month, style, band, country, second)
    return arrow_table(pd.DataFrame(text.partner_rows(res, unit, lang)))


def arrow_table(frame: pd.DataFrame):
    """A frame as an Arrow table, which st.dataframe sends as it is (a pandas frame is converted
    again at every rerun: ~10 % of a loaded worker's time); names in it as plain characters."""
    import pyarrow as pa

    return pa.Table.from_pandas(safe_text.plain_cells(frame), preserve_index=False)


def partner_table(frame, lang: str, key: str) -> None:
    """The ranked partners (a frame of text.partner_rows) as a table, with the score as a bar."""
    _ = i18n.translator(lang)
    cols = text.partner_columns(lang)
    st.dataframe(frame, hide_index=True, width="stretch", key=key,
                 column_config={cols["score"]: st.column_config.ProgressColumn(cols["score"], min_value=0, max_value=100,
                                                                              format="%.0f"),
                                cols["confidence"]: st.column_config.TextColumn(cols["confidence"], help=_(
                                    "How far the month's climate can be trusted: ● high, ◐ medium, ○ low, and why "
                                    "(see How is this scored?)")),
                                cols["flags"]: st.column_config.TextColumn(cols["flags"], help=_(
                                    "What the index does not rate in this month: cold nights, high altitude, very strong "
                                    "heat stress, snow and ice, and regional cyclone, monsoon and poor-air seasons (see How "
                                    "is this scored?)")),
                                cols["vs home"]: st.column_config.NumberColumn(cols["vs home"], format="%+.0f")})


@st.cache_resource(show_spinner=False, max_entries=256)
def strongest_pairs(version: tuple, style: str, band, country: str | None, city: str | None) -> PairRanking:
    """The explorer's ranking (the strongest 200 of every matching pair), shared by every session."""
    return get_recommender(version).pair_ranking(style=style, comfort_band=band, country=country, city=city, limit=200)


@st.cache_resource(show_spinner=False)     # shared, not copied at each read (16k labels: ~5 % of a rerun)
def city_options(version: tuple, lang: str) -> tuple[list[str], dict[str, str]]:
    """City ids in alphabetical order and their labels: the name in the language, the registry's
    name and native names (all searchable), and a note where there is no climate data."""
    directory = get_recommender(version).directory()
    return [ref.id for ref, _has in directory], {ref.id: text.city_label(ref, has, lang) for ref, has in directory}


# ------------------------------------------------------------------ the link and the sidebar
def read_link(rec: Recommender) -> None:
    """On a session's first run: the link's ?home=, ?month= and ?style= as the first choices;
    what cannot be understood becomes a note (kept as message and values, so it follows a
    change of language) and a default."""
    if "initialised" in st.session_state:
        return
    qp = st.query_params
    notes = []
    home = DEFAULT_HOME
    if qp.get("home"):
        try:
            home = rec.city(qp.get("home"))
        except RecommenderError:
            notes.append((LINK_NOTES[0], {"city": text.literal(qp.get("home")), "default": DEFAULT_HOME}))
    month = dt.date.today().month
    if qp.get("month"):
        try:
            month = parse_month(qp.get("month"))
        except RecommenderError:
            notes.append((LINK_NOTES[1], {"month": text.literal(qp.get("month")), "shown": month}))
    style = qp.get("style", "urban")
    if style not in styles():
        notes.append((LINK_NOTES[2], {"style": text.literal(style), "shown": "urban"}))
        style = "urban"
    for key, v in (("home_city", home), ("month", month), ("style", style)):
        state.remember(key, v)
    st.session_state.update(url_notes=notes, initialised=True)


def link_notes(rec: Recommender, lang: str) -> None:
    """The notes of read_link, in the page's language."""
    _ = i18n.translator(lang)
    for message, values in st.session_state.get("url_notes", []):
        shown = {"default": safe_text.markdown(text.local_name(rec.city_ref(values.get("default", DEFAULT_HOME)), lang)),
                 "shown": (text.month_name(values["shown"], lang) if isinstance(values.get("shown"), int)
                           else _(styles()["urban"].trip_style).lower())}
        st.info(_(message).format(**(values | {k: v for k, v in shown.items() if k in values})))


def shared_choices(lang: str) -> Choices:
    """The sidebar's language picker and the choices every page shares (trip style, unit, band)."""
    _ = i18n.translator(lang)
    trip_styles = styles()
    with st.sidebar:
        st.selectbox(i18n.picker_label(), list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key="lang")
        style = st.radio(_("Trip style"), list(trip_styles), key=state.kept("style", "urban"),
                         format_func=lambda s: f"{_(trip_styles[s].trip_style)} ({trip_styles[s].name})")
        unit = st.radio(_("Temperature unit"), list(UNITS), horizontal=True, key=state.kept("unit", UNITS[0]),
                        format_func=lambda u: i18n.isolate(u, lang))
        use_band = st.toggle(_("Use my own comfort band"), key=state.kept("use_band", False),
                             help=_("Off: the published index. On: the thermal rating peaks over your band."))
        lo, hi, default = BAND_F if unit == "°F" else BAND_C
        band_shown = None
        if use_band:          # drawn only when used (a disabled slider's label is unreadable grey: WCAG 1.4.3)
            band_shown = st.slider(_("I like afternoons that feel ({unit})").format(unit=i18n.isolate(unit, lang)), lo,
                                   hi, key=state.kept("band_f" if unit == "°F" else "band", default))
    to_c = f_to_c if unit == "°F" else convert_temp
    band = tuple(round(float(to_c(x)), 2) for x in band_shown) if band_shown is not None else None
    return Choices(lang, style, unit, band)


def choices() -> Choices:
    """This run's shared choices (set by app.py before the page runs)."""
    return st.session_state["_choices"]


def legacy_page(view: str | None) -> str | None:
    """The page a link's ?view= names when that tab is now a page (None: not one of them)."""
    for message, page in LEGACY_VIEWS.items():
        if view in {i18n.translator(lang)(message) for lang in i18n.LANGUAGES}:
            return page
    return None


def country_label(code: str, every: str, lang: str) -> str:
    return every if not code else f"{text.country(code, lang)} ({code})"
