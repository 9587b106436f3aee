"""Streamlit dashboard: pick a home city and month, see which sister city is most comfortable,
when to travel, and take the answer away. Widgets and layout only: every computation and every
sentence comes from `recommender/`.

    streamlit run app.py          (choices live in the URL: ?home=urumqi&month=1&style=urban)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from recommender import RecommenderError
from recommender.atlas import atlas_version, load_atlas
from recommender.climate.calendar import MONTHS, parse_month
from recommender.comfort.indices import styles
from recommender.places.countries import country_name
from recommender.present import charts, exports, text
from recommender.present.units import UNITS, convert_temp, f_to_c
from recommender.pipelines.refresh import refresh
from recommender.recommend import Recommender

st.set_page_config(page_title="Sister-city travel comfort", page_icon="✈", layout="wide")

DEFAULT_HOME = "urumqi"
BAND_C = (-10, 40, (18, 24))      # slider range and default, °C
BAND_F = (14, 104, (64, 75))      # the same in °F
FETCH_DEADLINE_S = 90.0           # a fetch from the page gives up after this (wall clock)


@st.cache_resource(show_spinner="Loading the climate atlas…")
def get_recommender(version: tuple) -> Recommender:
    """One Recommender per atlas version; it scores each (style, band) once and keeps the arrays."""
    return Recommender(load_atlas())


@st.cache_resource(show_spinner=False, max_entries=512)
def figure(version: tuple, kind: str, style: str, band, home: str, others: tuple, month: int, unit: str):
    """A chart, built once per process for each choice and shared by every session (figures are
    not changed after they are built)."""
    rec = get_recommender(version)
    sc = rec.scored(style, band)
    if kind == "curves":
        return charts.comfort_curves(rec, sc, home, list(others), month)
    if kind == "heatmap":
        return charts.partner_heatmap(rec, sc, home, list(others), month)
    if kind == "climate":
        return charts.climate_panel(rec, sc, home, others[0], unit)
    if kind == "map":
        return charts.partner_map(rec, sc, home, list(others), month)
    return charts.window_strip(rec, sc, home, list(others))


@st.cache_resource(show_spinner=False, max_entries=256)
def strongest_exchanges(version: tuple, style: str, band, country: str | None, city: str | None):
    """The explorer's ranking (number of pairs, the strongest 200), shared by every session."""
    return get_recommender(version).exchanges(style=style, comfort_band=band, country=country, city=city, limit=200)


@st.cache_data(show_spinner=False)
def city_options(version: tuple) -> tuple[list[str], dict[str, str]]:
    rec = get_recommender(version)
    c = rec.cities.sort_values("ascii_name")
    labels = {}
    for r in c.itertuples():
        native = " · ".join(x for x in (r.name_zh, r.name_ur) if x)
        extra = "" if r.has_climate else f" — {text.NO_DATA_HINT}"
        labels[r.city_id] = f"{r.name} ({r.country})" + (f" · {native}" if native else "") + extra
    return list(c["city_id"]), labels


try:
    version = atlas_version()
    rec = get_recommender(version)
except RecommenderError as exc:
    st.error("The climate atlas could not be loaded: " + text.literal(text.without_server_paths(exc), 600))
    st.stop()
for w in rec.atlas.attrs.get("warnings", []):
    st.warning(text.literal(text.without_server_paths(w), 600))
ids, labels = city_options(version)
trip_styles = styles()

# ------------------------------------------------------------------ choices from the URL (first run)
if "initialised" not in st.session_state:
    qp = st.query_params
    notes = []
    home = DEFAULT_HOME
    if qp.get("home"):
        try:
            home = rec.city(qp.get("home"))
        except RecommenderError:
            notes.append(f"The link names an unknown city ({text.literal(qp.get('home'))}); showing "
                         f"{rec.name(DEFAULT_HOME)} instead.")
    month = dt.date.today().month
    if qp.get("month"):
        try:
            month = parse_month(qp.get("month"))
        except RecommenderError:
            notes.append(f"The link's month {text.literal(qp.get('month'))} is not 1–12 or a month name; showing "
                         f"{text.month_name(month)}.")
    style = qp.get("style", "urban")
    if style not in trip_styles:
        notes.append(f"The link's trip style {text.literal(style)} is unknown; showing "
                     f"{trip_styles['urban'].trip_style.lower()}.")
        style = "urban"
    st.session_state.update(home_city=home, month=month, style=style, url_notes=notes, initialised=True)

for note in st.session_state.get("url_notes", []):
    st.info(note)

# ------------------------------------------------------------------ sidebar
with st.sidebar:
    st.header("Your trip")
    home = st.selectbox("Home city", ids, format_func=lambda c: labels[c], key="home_city",
                        help="Type to search; native names are shown where known.")
    month = st.selectbox("Month", list(MONTHS), format_func=text.month_name, key="month")
    style = st.radio("Trip style", list(trip_styles), key="style",
                     format_func=lambda s: f"{trip_styles[s].trip_style} ({trip_styles[s].name})")
    unit = st.radio("Temperature unit", list(UNITS), horizontal=True, key="unit")
    use_band = st.toggle("Use my own comfort band", key="use_band",
                         help="Off: the published index. On: the thermal rating peaks over your band.")
    lo, hi, default = BAND_F if unit == "°F" else BAND_C
    band_shown = st.slider(f"I like afternoons that feel ({unit})", lo, hi, default, disabled=not use_band,
                           key="band_f" if unit == "°F" else "band")
    partner_countries = sorted({rec.cities.at[p, "country"] for p, _, _ in rec.partners(home)})
    country = st.selectbox("Only partners in", [""] + partner_countries,
                           format_func=lambda c: "all countries" if not c else f"{country_name(c)} ({c})", key="country")
    second = st.checkbox("Include sisters of sisters", key="second_degree")

to_c = f_to_c if unit == "°F" else convert_temp
band = tuple(round(float(to_c(x)), 2) for x in band_shown) if use_band else None
st.query_params.update(home=home, month=str(month), style=style)
choice = exports.Choice(home=home, month=month, style=style, band=band, country=country or None, second_degree=second,
                        unit=unit)

# ------------------------------------------------------------------ the answer
res = rec.recommend(home, month, style=style, comfort_band=band, country=country or None, second_degree=second)
st.title("✈ Sister-city travel comfort")
head = text.headline(res, unit)
st.subheader(head)
st.caption(text.method_caption(res.index))

# ------------------------------------------------------------------ station data on demand
origin = rec.origin(home)
if origin in ("gridded", "imputed", "none") and rec.cities.at[home, "station_ids"]:
    with st.expander(text.fetch_offer(res.home.name, origin), expanded=origin == "none"):
        if st.button("Fetch station data from Meteostat", key="fetch_home"):
            with st.status(f"Fetching daily station data for {res.home.name} (1991–2020)…", expanded=True) as status:
                try:
                    summary = refresh([home], workers=1, progress=False, city_deadline_s=FETCH_DEADLINE_S,
                                      deadline_s=FETCH_DEADLINE_S)
                except RecommenderError as exc:
                    status.update(label="Could not fetch station data", state="error")
                    st.error(text.literal(text.without_server_paths(exc), 600))
                else:
                    if summary.saved:
                        status.update(label="Station data saved; the page now uses it", state="complete")
                        st.rerun()
                    status.update(label="Could not fetch station data", state="error")
                    st.error(text.literal(text.without_server_paths(summary.failed.get(home, "no data")), 600))

if not res.partners:
    st.info(text.sister_cities_note(res))
    st.stop()

table = pd.DataFrame(text.partner_rows(res, unit))
st.dataframe(table, hide_index=True, width="stretch", key="partner_table",
             column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.0f"),
                            "vs home": st.column_config.NumberColumn("vs home", format="%+.0f")})
if not res.ranked:
    st.info("None of these sister cities has climate data yet; run `python -m recommender refresh` to fetch it.")

with_data = [p.city.id for p in res.ranked]
TABS = ["Comfort by month", "Heatmap", "Climate", "Map", "Travel windows", "Exchange explorer", "How is this scored?",
        "Export"]
# Lazy tabs: only the open tab's content runs (and its figure is built); the open tab is in the URL.
t_curves, t_heat, t_climate, t_map, t_windows, t_explore, t_method, t_export = st.tabs(TABS, key="view",
                                                                                      bind="query-params")


def chart(kind: str, others, unit_: str = "°C"):
    return figure(version, kind, style, band, home, tuple(others), month, unit_)


def report_figures() -> dict:
    """The charts of the printable report (built when the report is downloaded)."""
    figs = {"Comfort by month": chart("curves", with_data), "Partner × month": chart("heatmap", with_data)}
    if with_data:
        figs["Climate"] = chart("climate", [st.session_state.get("climate_partner") or with_data[0]], unit)
        figs["Travel windows"] = chart("windows", with_data)
    figs["Map"] = chart("map", [p.city.id for p in res.partners])
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
            pick = st.selectbox("Partner", with_data, format_func=rec.name, key="climate_partner")
            st.plotly_chart(chart("climate", [pick], unit), width="stretch", key="chart_climate")
        else:
            st.info("No partner with climate data to compare.")
if t_map.open:
    with t_map:
        st.plotly_chart(chart("map", [p.city.id for p in res.partners]), width="stretch", key="chart_map")
if t_windows.open:
    with t_windows:
        st.markdown(text.window_rule(res.home.name))
        if with_data:
            st.plotly_chart(chart("windows", with_data), width="stretch", key="chart_windows")
            other = st.selectbox("Exchange view with", with_data, format_func=rec.name, key="exchange_partner")
            ex = rec.exchange(home, other, style=style, comfort_band=band)
            c1, c2 = st.columns(2)
            c1.metric(f"{ex.a.name} → {ex.b.name}", text.months_text(ex.a_to_b))
            c2.metric(f"{ex.b.name} → {ex.a.name}", text.months_text(ex.b_to_a))
if t_explore.open:
    with t_explore:
        st.markdown(text.method_paragraphs(unit)[-1])
        countries = sorted(rec.cities["country"].unique())
        home_country = rec.cities.at[home, "country"]
        c1, c2 = st.columns(2)
        ex_country = c1.selectbox("Pairs with a city in", [""] + countries, index=1 + countries.index(home_country),
                                  format_func=lambda c: "all countries" if not c else f"{country_name(c)} ({c})",
                                  key="ex_country")
        in_country = rec.cities[rec.cities["country"] == ex_country] if ex_country else rec.cities
        ex_city = c2.selectbox("Only the pairs of", [""] + sorted(in_country["city_id"], key=rec.name),
                               format_func=lambda c: "every city" if not c else labels.get(c, c), key="ex_city")
        total, top = strongest_exchanges(version, style, band, ex_country or None, ex_city or None)
        st.caption(f"{total:,} pairs with climate at both ends" + (f"; the strongest {len(top)} shown" if total > len(top)
                                                                    else ""))
        if top:
            st.dataframe(pd.DataFrame(text.exchange_rows(top)), hide_index=True, width="stretch", key="exchange_table",
                         column_config={"complementarity": st.column_config.ProgressColumn(
                             "complementarity", min_value=0, max_value=1, format="%.2f")})
            k = st.selectbox("Open a pair's exchange calendar", range(len(top)), key="ex_pair",
                             format_func=lambda i: f"{top[i].a.name} ↔ {top[i].b.name}")
            st.plotly_chart(charts.exchange_calendar(top[k]), width="stretch", key="chart_exchange")
        else:
            st.info("No pair with climate data at both ends matches these filters.")
if t_method.open:
    with t_method:
        st.markdown(text.index_weights_line(res.index, band, unit))
        who = st.selectbox("City", [home] + with_data, format_func=rec.name, key="method_city")
        detail = rec.month_detail(who, month, style=style, comfort_band=band)
        if detail is None:
            st.info("No climate data for this city.")
        else:
            comps, sentence, climate, caption = text.method_tables(detail, unit)
            st.table(comps)
            st.markdown(sentence)
            st.table(climate)
            st.caption(caption)
        for paragraph in text.method_paragraphs(unit):
            st.markdown(paragraph)
        st.markdown(f"**Data sources.** {text.sources_paragraph()}")
if t_export.open:
    with t_export:
        st.markdown("Recommendations for every partner × 12 months, the travel windows as a calendar, and a "
                    "printable report.")
        base = f"{home}-{text.month_name(month).lower()}-{style}"
        st.download_button("Download CSV", lambda: exports.to_csv(exports.recommendations_table(rec, choice)),
                           file_name=f"{base}.csv", mime="text/csv", key="dl_csv", on_click="ignore")
        st.download_button("Download JSON", lambda: exports.to_json(rec, choice), file_name=f"{base}.json",
                           mime="application/json", key="dl_json", on_click="ignore")
        st.download_button("Download calendar (.ics)", lambda: exports.to_ics(rec, choice), file_name=f"{base}.ics",
                           mime="text/calendar", key="dl_ics", on_click="ignore")
        st.download_button("Download printable report (HTML)",
                           lambda: exports.report_html(rec, choice, report_figures(), head),
                           file_name=f"{base}-report.html", mime="text/html", key="dl_report", on_click="ignore")
