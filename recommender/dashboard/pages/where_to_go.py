"""Where to go: a home city and a month → its sister cities ranked by comfort, the charts, the
travel windows and the exports. Widgets and layout only."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from recommender import RecommenderError
from recommender.climate.calendar import MONTHS
from recommender.dashboard import shared, state
from recommender.pipelines.refresh import refresh
from recommender.present import exports, i18n, safe_text, text

FETCH_DEADLINE_S = 90.0           # a fetch from the page gives up after this (wall clock)
N_ = i18n.N_
TAB_IDS = (N_("Comfort by month"), N_("Heatmap"), N_("Climate"), N_("Map"), N_("Travel windows"), N_("Export"))

ch = shared.choices()
lang, style, unit, band = ch.lang, ch.style, ch.unit, ch.band
_ = i18n.translator(lang)
version, rec = shared.recommender()
ids, labels = shared.city_options(version, lang)
shared.link_notes(rec, lang)


def local(cid: str) -> str:
    return text.local_name(rec.city_ref(cid), lang)


with st.sidebar:
    st.header(_("Your trip"))
    home = st.selectbox(_("Home city"), ids, format_func=labels.__getitem__, key=state.kept("home_city"),
                        help=_("Type to search; native names are shown where known."))
    month = st.selectbox(_("Month"), list(MONTHS), format_func=lambda m: text.month_name(m, lang),
                         key=state.kept("month"))
    country = st.selectbox(_("Only partners in"), [""] + rec.partner_countries(home), key=state.kept("country", ""),
                           format_func=lambda c: shared.country_label(c, _("all countries"), lang))
    second = st.checkbox(_("Include sisters of sisters"), key=state.kept("second_degree", False))
st.query_params.update(home=home, month=str(month), style=style, lang=lang)

res = shared.recommendation(version, home, month, style, band, country or None, second)
year_key = ("home", version, home, style, band, country or None, second)
st.title("✈ " + _("Sister-city travel comfort"))
head = text.headline(res, unit, lang)
st.subheader(safe_text.markdown(head))      # names are data: never markup, links or LaTeX
not_rated = text.flag_caption(res, unit, lang)
if not_rated:
    st.warning(safe_text.markdown(not_rated), icon=":material/report:")
st.caption(text.method_caption(res.index, lang))

# ------------------------------------------------------------------ station data on demand
origin = rec.origin(home)
if origin in ("gridded", "imputed", "none") and rec.has_stations(home):
    home_name = text.local_name(res.home, lang)
    with st.expander(safe_text.markdown(text.fetch_offer(home_name, origin, lang)), expanded=origin == "none"):
        if st.button(_("Fetch station data from Meteostat"), key="fetch_home"):
            with st.status(_("Fetching daily station data for {city} (1991–2020)…").format(
                    city=safe_text.markdown(home_name)), expanded=True) as status:
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
    st.info(safe_text.markdown(text.sister_cities_note(res, lang)))
    st.stop()

shared.partner_table(shared.partner_frame(version, home, month, style, band, country or None, second, unit, lang), lang,
                     "partner_table")
if res.home_confidence is not None:
    st.caption(safe_text.markdown(text.home_confidence_line(res, lang)))
if not res.ranked:
    st.info(_("None of these sister cities has climate data yet; run `python -m recommender refresh` to fetch it."))

with_data = [p.city.id for p in res.ranked]
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
t_curves, t_heat, t_climate, t_map, t_windows, t_export = st.tabs(TABS, key="view", bind="query-params")


def chart(kind: str, partner: str | None = None, unit_: str = "°C"):
    return shared.figure(kind, year_key, month, partner, unit_, lang)


def report_figures() -> dict:
    """The charts of the printable report (built when the report is downloaded)."""
    figs = {_("Comfort by month"): chart("curves"), _("Partner × month"): chart("heatmap")}
    if with_data:
        figs[_("Climate")] = chart("climate", state.value("climate_partner") or with_data[0], unit)
        figs[_("Travel windows")] = chart("windows")
    figs[_("Map")] = chart("map")
    return figs


if t_curves.open:
    with t_curves:
        shared.chart("curves", year_key, month, None, "°C", lang, "chart_curves")
if t_heat.open:
    with t_heat:
        shared.chart("heatmap", year_key, month, None, "°C", lang, "chart_heatmap")
if t_climate.open:
    with t_climate:
        if with_data:
            pick = st.selectbox(_("Partner"), with_data, format_func=local, key=state.kept("climate_partner"))
            shared.chart("climate", year_key, month, pick, unit, lang, "chart_climate")
        else:
            st.info(_("No partner with climate data to compare."))
if t_map.open:
    with t_map:
        shared.chart("map", year_key, month, None, "°C", lang, "chart_map")
if t_windows.open:
    with t_windows:
        st.markdown(text.window_rule(safe_text.markdown(text.local_name(res.home, lang)), lang))
        if with_data:
            shared.chart("windows", year_key, month, None, "°C", lang, "chart_windows")
            other = st.selectbox(_("Exchange view with"), with_data, format_func=local, key=state.kept("exchange_partner"))
            st.caption(text.day_window_rule(lang))
            shared.show_way(version, home, other, style, band, "a_to_b", lang, "where")
            st.page_link(shared.PAGE_FILES["pair"], label=_("Open this pair's exchange calendar"), icon=":material/sync_alt:",
                         query_params={"a": home, "b": other})
if t_export.open:
    with t_export:
        st.markdown(_("Recommendations for every partner × 12 months, the travel windows of the coming year as "
                      "dated calendar events (with the holiday breaks that fall in them), and a printable report."))
        base = f"{home}-{text.month_name(month).lower()}-{style}"
        year = shared.home_year(*year_key[1:])
        today = dt.date.today()
        st.download_button(_("Download CSV"), lambda: exports.to_csv(exports.recommendations_table(year)),
                           file_name=f"{base}.csv", mime="text/csv", key="dl_csv", on_click="ignore")
        st.download_button(_("Download JSON"), lambda: exports.to_json(year, month), file_name=f"{base}.json",
                           mime="application/json", key="dl_json", on_click="ignore")
        st.download_button(_("Download calendar (.ics)"), lambda: exports.to_ics(
            year, lang, today, shared.home_breaks(res.home.country, today, lang)), file_name=f"{base}.ics",
                           mime="text/calendar", key="dl_ics", on_click="ignore")
        st.download_button(_("Download printable report (HTML)"),
                           lambda: exports.report_html(res, report_figures(), head, unit, lang),
                           file_name=f"{base}-report.html", mime="text/html", key="dl_report", on_click="ignore")
