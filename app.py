"""Streamlit dashboard: pick a home city and month, see which sister city is most comfortable,
when to travel, and take the answer away. Thin: every computation lives in `recommender/`.

    streamlit run app.py          (choices live in the URL: ?home=urumqi&month=1&style=urban)
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from recommender import RecommenderError, charts, exports
from recommender.atlas import atlas_version, load_atlas
from recommender.comfort import INDICES, STYLES
from recommender.ranking import MONTH_NAMES, Recommender, check_month, country_name, headline, months_text, partner_rows
from recommender.units import temp

st.set_page_config(page_title="Sister-city travel comfort", page_icon="✈", layout="wide")

DEFAULT_HOME = "urumqi"
STYLE_LABELS = {"urban": "City sightseeing (HCI:Urban)", "beach": "Beach (HCI:Beach)", "tci": "General touring (TCI)"}


@st.cache_resource(show_spinner="Loading the climate atlas…")
def get_recommender(version: tuple) -> Recommender:
    """One Recommender per atlas version; it scores each (style, band) once and keeps the arrays."""
    return Recommender(load_atlas())


@st.cache_data(show_spinner=False)
def city_options(version: tuple) -> tuple[list[str], dict[str, str]]:
    rec = get_recommender(version)
    c = rec.cities.sort_values("ascii_name")
    labels = {}
    for r in c.itertuples():
        native = " · ".join(x for x in (r.name_zh, r.name_ur) if x)
        extra = "" if r.has_climate else " — no climate data"
        labels[r.city_id] = f"{r.name} ({r.country})" + (f" · {native}" if native else "") + extra
    return list(c["city_id"]), labels


try:
    version = atlas_version()
    rec = get_recommender(version)
except RecommenderError as exc:
    st.error(f"The climate atlas could not be loaded: {exc}")
    st.stop()
for w in rec.atlas.attrs.get("warnings", []):
    st.warning(w)
ids, labels = city_options(version)

# ------------------------------------------------------------------ choices from the URL (first run)
if "initialised" not in st.session_state:
    qp = st.query_params
    notes = []
    home_q = qp.get("home")
    home = DEFAULT_HOME
    if home_q:
        try:
            home = rec.city(home_q)
        except RecommenderError:
            notes.append(f"The link names an unknown city ('{home_q}'); showing {rec.cities.at[DEFAULT_HOME, 'name']} instead.")
    month = dt.date.today().month
    if qp.get("month"):
        try:
            month = check_month(qp.get("month"))
        except RecommenderError:
            notes.append(f"The link's month '{qp.get('month')}' is not 1–12; showing {MONTH_NAMES[month - 1]}.")
    style = qp.get("style", "urban")
    if style not in STYLES:
        notes.append(f"The link's trip style '{style}' is unknown; showing city sightseeing.")
        style = "urban"
    st.session_state.update(home_city=home, month=month, style=style, url_notes=notes, initialised=True)

for note in st.session_state.get("url_notes", []):
    st.info(note)

# ------------------------------------------------------------------ sidebar
with st.sidebar:
    st.header("Your trip")
    home = st.selectbox("Home city", ids, format_func=lambda c: labels[c], key="home_city",
                        help="Type to search; native names are shown where known.")
    month = st.selectbox("Month", list(range(1, 13)), format_func=lambda m: MONTH_NAMES[m - 1], key="month")
    style = st.radio("Trip style", list(STYLE_LABELS), format_func=STYLE_LABELS.get, key="style")
    use_band = st.toggle("Use my own comfort band", key="use_band",
                         help="Off: the published index. On: the thermal rating peaks over your band.")
    band_c = st.slider("I like afternoons that feel (°C)", -10, 40, (18, 24), key="band", disabled=not use_band)
    unit = st.radio("Temperature unit", ["°C", "°F"], horizontal=True, key="unit")
    partner_countries = sorted({rec.cities.at[p, "country"] for p, _, _ in rec.partners(home)})
    country = st.selectbox("Only partners in", [""] + partner_countries,
                           format_func=lambda c: "all countries" if not c else f"{country_name(c)} ({c})", key="country")
    second = st.checkbox("Include sisters of sisters", key="second_degree")

band = tuple(float(x) for x in band_c) if use_band else None
st.query_params.update(home=home, month=str(month), style=style)
choice = exports.Choice(home=home, month=month, style=style, band=band, country=country or None, second_degree=second)

# ------------------------------------------------------------------ the answer
res = rec.recommend(home, month, style=style, comfort_band=band, country=country or None, second_degree=second)
sc = rec.scored(style, band)
index_name = INDICES[STYLES[style]].name
st.title("✈ Sister-city travel comfort")
head = headline(rec, res, style, band, unit, country or None)
st.subheader(head)
st.caption(f"{index_name} on monthly climate normals (a typical afternoon of the month), capped in strong UTCI heat "
           "or cold stress. Scores 0–100: 90 ideal · 80 excellent · 70 very good · 60 good · 50 acceptable · 40 marginal.")

partners = res["partners"]
if not partners:
    st.info(f"{res['home']['name']} has no sister cities{' in ' + country_name(country) if country else ''} in the registry.")
    st.stop()

rows = partner_rows(rec, res, style, band, unit)
table = pd.DataFrame(rows)
st.dataframe(table, hide_index=True, width="stretch", key="partner_table",
             column_config={"score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.0f"),
                            "vs home": st.column_config.NumberColumn("vs home", format="%+.0f")})
if all(p["score"] is None for p in partners):
    st.info("None of these sister cities has climate data yet; run `python -m recommender refresh` to fetch it.")

with_data = [p["id"] for p in partners if p["score"] is not None]
t_curves, t_heat, t_climate, t_map, t_windows, t_method, t_export = st.tabs(
    ["Comfort by month", "Heatmap", "Climate", "Map", "Travel windows", "How is this scored?", "Export"])

figs = {
    "Comfort by month": charts.comfort_curves(rec, sc, home, with_data, month),
    "Partner × month": charts.partner_heatmap(rec, sc, home, with_data, month),
}
with t_curves:
    st.plotly_chart(figs["Comfort by month"], width="stretch", key="chart_curves")
with t_heat:
    st.plotly_chart(figs["Partner × month"], width="stretch", key="chart_heatmap")
with t_climate:
    if with_data:
        pick = st.selectbox("Partner", with_data, format_func=lambda c: rec.cities.at[c, "name"], key="climate_partner")
        figs["Climate"] = charts.climate_panel(rec, sc, home, pick, unit)
        st.plotly_chart(figs["Climate"], width="stretch", key="chart_climate")
    else:
        st.info("No partner with climate data to compare.")
with t_map:
    figs["Map"] = charts.partner_map(rec, sc, home, [p["id"] for p in partners], month)
    st.plotly_chart(figs["Map"], width="stretch", key="chart_map")
with t_windows:
    st.markdown(f"Months when each partner is **good or better** (≥ 60) and **at least 10 points** more comfortable "
                f"than {res['home']['name']}.")
    if with_data:
        figs["Travel windows"] = charts.window_strip(rec, sc, home, with_data)
        st.plotly_chart(figs["Travel windows"], width="stretch", key="chart_windows")
        other = st.selectbox("Exchange view with", with_data, format_func=lambda c: rec.cities.at[c, "name"], key="exchange_partner")
        ex = rec.exchange(home, other, style=style, comfort_band=band)
        c1, c2 = st.columns(2)
        c1.metric(f"{ex['a']['name']} → {ex['b']['name']}", months_text(ex["a_to_b"]))
        c2.metric(f"{ex['b']['name']} → {ex['a']['name']}", months_text(ex["b_to_a"]))
with t_method:
    spec = INDICES[STYLES[style]]
    st.markdown(f"**{spec.name}**, weights: " + ", ".join(f"{k} {v}" for k, v in spec.weights.items())
                + (f". Personal comfort band {band[0]:g}–{band[1]:g} °C." if band else ". Published index (no personal band)."))
    who = st.selectbox("City", [home] + with_data, format_func=lambda c: rec.cities.at[c, "name"], key="method_city")
    j = sc.pos.get(who)
    if j is None:
        st.info("No climate data for this city.")
    else:
        r = sc.frame.iloc[j * 12 + month - 1]
        comps = list(spec.weights)
        st.table(pd.DataFrame({"component": comps, "weight": [spec.weights[c] for c in comps],
                               "rating": ["—" if pd.isna(r[f"r_{c}"]) else f"{float(r[f'r_{c}']):.1f}" for c in comps],
                               "data": [str(r[f"src_{c}"]) for c in comps]}))
        st.markdown(f"Score {r['score']:.0f} ({r['label']}); before the gate {r['raw_score']:.0f}. Typical afternoon: "
                    f"UTCI {temp(r['utci_c'], unit)} — {r['utci_class']} (cap {r['gate_cap']:.0f}). "
                    f"Coverage {r['coverage']:.0%} measured or derived, {r['coverage_imputed']:.0%} imputed, "
                    f"{r['coverage_missing']:.0%} missing.")
        a = rec.atlas[(rec.atlas.city_id == who) & (rec.atlas.month == month)].iloc[0]
        st.table(pd.DataFrame({
            "value": [temp(a.tmax_c, unit, 1), temp(a.tmin_c, unit, 1), f"{a.prcp_mm:.0f} mm", f"{a.wet_days:.0f}" if pd.notna(a.wet_days) else "—",
                      f"{a.rhum_pct:.0f} %" if pd.notna(a.rhum_pct) else "—", f"{a.sun_hours:.0f} h" if pd.notna(a.sun_hours) else "—",
                      f"{a.cloud_pct:.0f} %" if pd.notna(a.cloud_pct) else "—", "—" if pd.isna(a.wind_kmh) else f"{a.wind_kmh:.0f} km/h"],
            "provenance": [a.tmax_c_src, a.tmin_c_src, a.prcp_mm_src, a.wet_days_src, a.rhum_pct_src, a.sun_hours_src,
                           a.cloud_pct_src, a.wind_kmh_src]},
            index=["mean daily high", "mean daily low", "precipitation", "wet days", "humidity", "sunshine", "cloud cover", "wind"]))
        st.caption(f"Source: {a.data_source} ({a.period}). Measured = as published; derived = computed by stated "
                   "physics; imputed = predicted by a model (see data/README.md for its error); missing = none.")
    st.markdown("**Data sources.** Climate normals: Wikipedia climate tables and the national services they cite "
                "(CC BY-SA 4.0); Meteostat and its data providers (CC BY 4.0) for refreshed cities. Sister cities: "
                "Wikipedia's twin-town lists (via Hekman/twincities and KaiErikNiermann/sister-city-visualizer). "
                "Places: GeoNames (CC BY 4.0). Indices: Scott et al. 2016 (HCI), Mieczkowski 1985 (TCI), "
                "UTCI via ECMWF thermofeel.")
with t_export:
    st.markdown("Recommendations for every partner × 12 months, the travel windows as a calendar, and a printable report.")
    base = f"{home}-{MONTH_NAMES[month - 1].lower()}-{style}"
    st.download_button("Download CSV", lambda: exports.to_csv(exports.recommendations_table(rec, choice)),
                       file_name=f"{base}.csv", mime="text/csv", key="dl_csv", on_click="ignore")
    st.download_button("Download JSON", lambda: exports.to_json(rec, choice), file_name=f"{base}.json",
                       mime="application/json", key="dl_json", on_click="ignore")
    st.download_button("Download calendar (.ics)", lambda: exports.to_ics(rec, choice), file_name=f"{base}.ics",
                       mime="text/calendar", key="dl_ics", on_click="ignore")
    st.download_button("Download printable report (HTML)", lambda: exports.report_html(rec, choice, figs, head),
                       file_name=f"{base}-report.html", mime="text/html", key="dl_report", on_click="ignore")
