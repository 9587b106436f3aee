"""Streamlit dashboard: pick a home city and month, see which sister city is most comfortable,
when to travel, and take the answer away. Widgets and layout only: every computation comes from
`recommender/`; every visible string is a catalog message (`_`) or built by `present/text.py`.

    streamlit run app.py    (choices live in the URL: ?home=urumqi&month=1&style=urban&lang=zh)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from recommender import RecommenderError
from recommender.atlas import atlas_version, load_atlas
from recommender.climate.calendar import MONTHS, parse_month
from recommender.comfort.indices import styles
from recommender.present import charts, exports, i18n, text
from recommender.present.units import UNITS, convert_temp, f_to_c
from recommender.pipelines.refresh import refresh
from recommender.recommend import Recommender

DEFAULT_HOME = "urumqi"
BAND_C = (-10, 40, (18, 24))      # slider range and default, °C
BAND_F = (14, 104, (64, 75))      # the same in °F
FETCH_DEADLINE_S = 90.0           # a fetch from the page gives up after this (wall clock)
# Our own style sheet (no user text in it): Chinese and Urdu fonts; Urdu right to left, the
# charts and the data grid keep their own left-to-right layout.
FONTS = {"en": "", "zh": "'Noto Sans CJK SC', ", "ur": "'Noto Nastaliq Urdu', 'Noto Naskh Arabic', "}
RTL_CSS = """
.stApp, [data-testid="stSidebar"] { direction: rtl; }
.stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp label, .stApp li { text-align: right; }
.stApp p, .stApp li, .stApp h1, .stApp h2, .stApp h3 { line-height: 2.1; }
.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stTable"] { direction: ltr; }
"""


def language_css(lang: str) -> str:
    """The page's style for a language: its fonts, and right to left where CLDR says so."""
    fonts = FONTS[lang]
    css = (f".stApp *:not([data-testid='stIconMaterial']) {{ font-family: {fonts}'Source Sans Pro', 'Noto Sans', "
           "sans-serif; }" if fonts else "")
    return "<style>" + css + (RTL_CSS if i18n.is_rtl(lang) else "") + "</style>"


# ------------------------------------------------------------------ language (before anything is drawn)
if "lang" not in st.session_state:
    asked = st.query_params.get("lang")
    st.session_state["lang"] = (i18n.language(asked) if asked in i18n.LANGUAGES
                                else i18n.language(getattr(st.context, "locale", None)))
lang = st.session_state["lang"]
_ = i18n.translator(lang)
# A change of language changes every option's label; the browser names a selectbox's choice by
# its label, so the choices are written back into the session before the widgets are drawn.
if st.session_state.get("shown_lang", lang) != lang:
    for choice_key in ("home_city", "month", "style", "country", "climate_partner", "exchange_partner", "ex_country", "ex_city",
                       "ex_pair", "method_city"):
        if choice_key in st.session_state:
            st.session_state[choice_key] = st.session_state[choice_key]
st.session_state["shown_lang"] = lang
st.set_page_config(page_title=_("Sister-city travel comfort"), page_icon="✈", layout="wide")
if FONTS[lang] or i18n.is_rtl(lang):
    st.markdown(language_css(lang), unsafe_allow_html=True)


@st.cache_resource(show_spinner=False)
def get_recommender(version: tuple) -> Recommender:
    """One Recommender per atlas version; it scores each (style, band) once and keeps the arrays."""
    i18n.preload()      # catalogs and CLDR data read once, so a switch of language does not wait for them
    return Recommender(load_atlas())


@st.cache_resource(show_spinner=False, max_entries=512)
def figure(version: tuple, kind: str, style: str, band, home: str, others: tuple, month: int, unit: str, lang: str):
    """A chart, built once per process for each choice and shared by every session (figures are
    not changed after they are built)."""
    rec = get_recommender(version)
    sc = rec.scored(style, band)
    if kind == "curves":
        return charts.comfort_curves(rec, sc, home, list(others), month, lang)
    if kind == "heatmap":
        return charts.partner_heatmap(rec, sc, home, list(others), month, lang)
    if kind == "climate":
        return charts.climate_panel(rec, sc, home, others[0], unit, lang)
    if kind == "map":
        return charts.partner_map(rec, sc, home, list(others), month, lang)
    return charts.window_strip(rec, sc, home, list(others), lang)


@st.cache_resource(show_spinner=False, max_entries=256)
def strongest_exchanges(version: tuple, style: str, band, country: str | None, city: str | None):
    """The explorer's ranking (number of pairs, the strongest 200), shared by every session."""
    return get_recommender(version).exchanges(style=style, comfort_band=band, country=country, city=city, limit=200)


@st.cache_data(show_spinner=False)
def city_options(version: tuple, lang: str) -> tuple[list[str], dict[str, str]]:
    """City ids in alphabetical order and their labels: the name in the language, the registry's
    name and native names (all searchable), and a note where there is no climate data."""
    directory = get_recommender(version).directory()
    return [ref.id for ref, _has in directory], {ref.id: text.city_label(ref, has, lang) for ref, has in directory}


try:
    with st.spinner(_("Loading the climate atlas…")):
        version = atlas_version()
        rec = get_recommender(version)
except RecommenderError as exc:
    st.error(_("The climate atlas could not be loaded: {reason}").format(
        reason=text.literal(text.without_server_paths(exc), 600)))
    st.stop()
for w in rec.atlas.attrs.get("warnings", []):
    st.warning(text.literal(text.without_server_paths(w), 600))
ids, labels = city_options(version, lang)
trip_styles = styles()


def local(cid: str) -> str:
    """A city's name in the chosen language where known."""
    return text.local_city(rec, cid, lang)


def country_label(code: str, every: str) -> str:
    return every if not code else f"{i18n.country(code, lang)} ({code})"


# ------------------------------------------------------------------ choices from the URL (first run)
N_ = i18n.N_
URL_NOTES = (N_("The link names an unknown city ({city}); showing {default} instead."),
             N_("The link's month {month} is not 1–12 or a month name; showing {shown}."),
             N_("The link's trip style {style} is unknown; showing {shown}."))
if "initialised" not in st.session_state:
    qp = st.query_params
    notes = []
    home = DEFAULT_HOME
    if qp.get("home"):
        try:
            home = rec.city(qp.get("home"))
        except RecommenderError:
            notes.append((URL_NOTES[0],
                          {"city": text.literal(qp.get("home")), "default": DEFAULT_HOME}))
    month = dt.date.today().month
    if qp.get("month"):
        try:
            month = parse_month(qp.get("month"))
        except RecommenderError:
            notes.append((URL_NOTES[1],
                          {"month": text.literal(qp.get("month")), "shown": month}))
    style = qp.get("style", "urban")
    if style not in trip_styles:
        notes.append((URL_NOTES[2],
                      {"style": text.literal(style), "shown": "urban"}))
        style = "urban"
    st.session_state.update(home_city=home, month=month, style=style, url_notes=notes, initialised=True)

# The notes are kept as message and values, so they follow a change of language.
for message, values in st.session_state.get("url_notes", []):
    shown = {"default": local(values.get("default", DEFAULT_HOME)),
             "shown": (text.month_name(values["shown"], lang) if isinstance(values.get("shown"), int)
                       else _(trip_styles["urban"].trip_style).lower())}
    st.info(_(message).format(**(values | {k: v for k, v in shown.items() if k in values})))

# ------------------------------------------------------------------ sidebar
with st.sidebar:
    st.selectbox("Language · 语言 · زبان", list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key="lang")
    st.header(_("Your trip"))
    home = st.selectbox(_("Home city"), ids, format_func=lambda c: labels[c], key="home_city",
                        help=_("Type to search; native names are shown where known."))
    month = st.selectbox(_("Month"), list(MONTHS), format_func=lambda m: text.month_name(m, lang), key="month")
    style = st.radio(_("Trip style"), list(trip_styles), key="style",
                     format_func=lambda s: f"{_(trip_styles[s].trip_style)} ({trip_styles[s].name})")
    unit = st.radio(_("Temperature unit"), list(UNITS), horizontal=True, key="unit")
    use_band = st.toggle(_("Use my own comfort band"), key="use_band",
                         help=_("Off: the published index. On: the thermal rating peaks over your band."))
    lo, hi, default = BAND_F if unit == "°F" else BAND_C
    band_shown = st.slider(_("I like afternoons that feel ({unit})").format(unit=unit), lo, hi, default,
                           disabled=not use_band, key="band_f" if unit == "°F" else "band")
    partner_countries = sorted({rec.cities.at[p, "country"] for p, _d, _v in rec.partners(home)})
    country = st.selectbox(_("Only partners in"), [""] + partner_countries,
                           format_func=lambda c: country_label(c, _("all countries")), key="country")
    second = st.checkbox(_("Include sisters of sisters"), key="second_degree")

to_c = f_to_c if unit == "°F" else convert_temp
band = tuple(round(float(to_c(x)), 2) for x in band_shown) if use_band else None
st.query_params.update(home=home, month=str(month), style=style, lang=lang)
choice = exports.Choice(home=home, month=month, style=style, band=band, country=country or None, second_degree=second,
                        unit=unit, lang=lang)

# ------------------------------------------------------------------ the answer
res = rec.recommend(home, month, style=style, comfort_band=band, country=country or None, second_degree=second)
st.title("✈ " + _("Sister-city travel comfort"))
head = text.headline(res, unit, lang)
st.subheader(head)
st.caption(text.method_caption(res.index, lang))

# ------------------------------------------------------------------ station data on demand
origin = rec.origin(home)
if origin in ("gridded", "imputed", "none") and rec.cities.at[home, "station_ids"]:
    home_name = text.local_name(res.home, lang)
    with st.expander(text.fetch_offer(home_name, origin, lang), expanded=origin == "none"):
        if st.button(_("Fetch station data from Meteostat"), key="fetch_home"):
            with st.status(_("Fetching daily station data for {city} (1991–2020)…").format(city=home_name),
                           expanded=True) as status:
                try:
                    summary = refresh([home], workers=1, progress=False, city_deadline_s=FETCH_DEADLINE_S,
                                      deadline_s=FETCH_DEADLINE_S)
                except RecommenderError as exc:
                    status.update(label=_("Could not fetch station data"), state="error")
                    st.error(text.literal(text.without_server_paths(exc), 600))
                else:
                    if summary.saved:
                        status.update(label=_("Station data saved; the page now uses it"), state="complete")
                        st.rerun()
                    status.update(label=_("Could not fetch station data"), state="error")
                    st.error(text.literal(text.without_server_paths(summary.failed.get(home, "no data")), 600))

if not res.partners:
    st.info(text.sister_cities_note(res, lang))
    st.stop()

cols = text.partner_columns(lang)
table = pd.DataFrame(text.partner_rows(res, unit, lang))
st.dataframe(table, hide_index=True, width="stretch", key="partner_table",
             column_config={cols["score"]: st.column_config.ProgressColumn(cols["score"], min_value=0, max_value=100,
                                                                          format="%.0f"),
                            cols["confidence"]: st.column_config.TextColumn(cols["confidence"], help=_(
                                "How far the month's climate can be trusted: ● high, ◐ medium, ○ low, and why "
                                "(see How is this scored?)")),
                            cols["vs home"]: st.column_config.NumberColumn(cols["vs home"], format="%+.0f")})
if res.home_confidence is not None:
    st.caption(text.home_confidence_line(res, lang))
if not res.ranked:
    st.info(_("None of these sister cities has climate data yet; run `python -m recommender refresh` to fetch it."))

with_data = [p.city.id for p in res.ranked]
TAB_IDS = [N_("Comfort by month"), N_("Heatmap"), N_("Climate"), N_("Map"), N_("Travel windows"),
           N_("Exchange explorer"), N_("How is this scored?"), N_("Export")]
TABS = [_(t) for t in TAB_IDS]
# The open tab is kept by its label in the URL; after a change of language, the same tab stays open.
open_tab = st.session_state.get("view") or st.query_params.get("view")
if open_tab and open_tab not in TABS:
    for other in i18n.LANGUAGES:
        labels_other = [i18n.translator(other)(t) for t in TAB_IDS]
        if open_tab in labels_other:
            st.session_state["view"] = TABS[labels_other.index(open_tab)]
            break
# Lazy tabs: only the open tab's content runs (and its figure is built); the open tab is in the URL.
t_curves, t_heat, t_climate, t_map, t_windows, t_explore, t_method, t_export = st.tabs(TABS, key="view",
                                                                                      bind="query-params")


def chart(kind: str, others, unit_: str = "°C"):
    return figure(version, kind, style, band, home, tuple(others), month, unit_, lang)


def report_figures() -> dict:
    """The charts of the printable report (built when the report is downloaded)."""
    figs = {_("Comfort by month"): chart("curves", with_data), _("Partner × month"): chart("heatmap", with_data)}
    if with_data:
        figs[_("Climate")] = chart("climate", [st.session_state.get("climate_partner") or with_data[0]], unit)
        figs[_("Travel windows")] = chart("windows", with_data)
    figs[_("Map")] = chart("map", [p.city.id for p in res.partners])
    return figs


if t_curves.open:
    with t_curves:
        st.plotly_chart(chart("curves", with_data), width="stretch", key="chart_curves")
if t_heat.open:
    with t_heat:
        st.plotly_chart(chart("heatmap", with_data), width="stretch", key="chart_heatmap")
if t_climate.open:
    with t_climate:
        if with_data:
            pick = st.selectbox(_("Partner"), with_data, format_func=local, key="climate_partner")
            st.plotly_chart(chart("climate", [pick], unit), width="stretch", key="chart_climate")
        else:
            st.info(_("No partner with climate data to compare."))
if t_map.open:
    with t_map:
        st.plotly_chart(chart("map", [p.city.id for p in res.partners]), width="stretch", key="chart_map")
if t_windows.open:
    with t_windows:
        st.markdown(text.window_rule(text.local_name(res.home, lang), lang))
        if with_data:
            st.plotly_chart(chart("windows", with_data), width="stretch", key="chart_windows")
            other = st.selectbox(_("Exchange view with"), with_data, format_func=local, key="exchange_partner")
            ex = rec.exchange(home, other, style=style, comfort_band=band)
            a, b = text.local_name(ex.a, lang), text.local_name(ex.b, lang)
            c1, c2 = st.columns(2)
            c1.metric(f"{a} → {b}", text.months_text(ex.a_to_b, lang))
            c2.metric(f"{b} → {a}", text.months_text(ex.b_to_a, lang))
if t_explore.open:
    with t_explore:
        st.markdown(text.exchange_method(lang))
        countries = sorted(rec.cities["country"].unique())
        home_country = rec.cities.at[home, "country"]
        c1, c2 = st.columns(2)
        st.session_state.setdefault("ex_country", home_country)
        ex_country = c1.selectbox(_("Pairs with a city in"), [""] + countries,
                                  format_func=lambda c: country_label(c, _("all countries")), key="ex_country")
        in_country = rec.cities[rec.cities["country"] == ex_country] if ex_country else rec.cities
        ex_city = c2.selectbox(_("Only the pairs of"), [""] + sorted(in_country["city_id"], key=rec.name),
                               format_func=lambda c: _("every city") if not c else labels.get(c, c), key="ex_city")
        total, top = strongest_exchanges(version, style, band, ex_country or None, ex_city or None)
        shown = (_("{total} pairs with climate at both ends; the strongest {shown} shown") if total > len(top)
                 else _("{total} pairs with climate at both ends"))
        st.caption(shown.format(total=i18n.number(total, lang), shown=i18n.number(len(top), lang)))
        if top:
            xcols = text.exchange_columns(lang)
            st.dataframe(pd.DataFrame(text.exchange_rows(top, lang)), hide_index=True, width="stretch",
                         key="exchange_table", column_config={xcols["complementarity"]: st.column_config.ProgressColumn(
                             xcols["complementarity"], min_value=0, max_value=1, format="%.2f")})
            k = st.selectbox(_("Open a pair's exchange calendar"), range(len(top)), key="ex_pair",
                             format_func=lambda i: f"{text.local_name(top[i].a, lang)} ↔ {text.local_name(top[i].b, lang)}")
            st.plotly_chart(charts.exchange_calendar(top[k], lang), width="stretch", key="chart_exchange")
        else:
            st.info(_("No pair with climate data at both ends matches these filters."))
if t_method.open:
    with t_method:
        st.markdown(text.index_weights_line(res.index, band, unit, lang))
        who = st.selectbox(_("City"), [home] + with_data, format_func=local, key="method_city")
        detail = rec.month_detail(who, month, style=style, comfort_band=band)
        if detail is None:
            st.info(_("No climate data for this city."))
        else:
            comps, sentence, climate, caption = text.method_tables(detail, unit, lang)
            st.table(comps)
            st.markdown(sentence)
            if detail.confidence is not None:
                st.markdown(text.confidence_detail(detail, lang))
            st.table(climate)
            st.caption(caption)
        for paragraph in text.method_paragraphs(unit, lang):
            st.markdown(paragraph)
        st.markdown("**" + _("Data sources") + ".** " + text.sources_paragraph(lang))
if t_export.open:
    with t_export:
        st.markdown(_("Recommendations for every partner × 12 months, the travel windows as a calendar, and a "
                      "printable report."))
        base = f"{home}-{text.month_name(month).lower()}-{style}"
        st.download_button(_("Download CSV"), lambda: exports.to_csv(exports.recommendations_table(rec, choice)),
                           file_name=f"{base}.csv", mime="text/csv", key="dl_csv", on_click="ignore")
        st.download_button(_("Download JSON"), lambda: exports.to_json(rec, choice), file_name=f"{base}.json",
                           mime="application/json", key="dl_json", on_click="ignore")
        st.download_button(_("Download calendar (.ics)"), lambda: exports.to_ics(rec, choice), file_name=f"{base}.ics",
                           mime="text/calendar", key="dl_ics", on_click="ignore")
        st.download_button(_("Download printable report (HTML)"),
                           lambda: exports.report_html(rec, choice, report_figures(), head),
                           file_name=f"{base}-report.html", mime="text/html", key="dl_report", on_click="ignore")
