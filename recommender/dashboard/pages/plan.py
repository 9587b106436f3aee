"""Plan by dates: a home city and a span of dates — the person's own, or one of the home
country's holiday breaks — → its sister cities ranked for those days (Recommender.plan: the
mean of each city's daily scores over the dates). Widgets and layout only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from recommender import RecommenderError
from recommender.dashboard import shared, state
from recommender.present import i18n, safe_text, text

N_ = i18n.N_
MODES = {"dates": N_("My own dates"), "break": N_("A holiday break")}
FIRST_DAYS = (14, 20)          # the dates first offered: two to three weeks from today
FURTHEST_YEARS = 5             # the date picker reaches this far ahead (the climate is a climatology)

ch = shared.choices()
lang, style, unit, band = ch.lang, ch.style, ch.unit, ch.band
_ = i18n.translator(lang)
version, rec = shared.recommender()
ids, labels = shared.city_options(version, lang)
today = dt.date.today()

with st.sidebar:
    st.header(_("Your trip"))
    home = st.selectbox(_("Home city"), ids, format_func=labels.__getitem__, key=state.kept("home_city"),
                        help=_("Type to search; native names are shown where known."))
st.query_params.update(home=home, lang=lang)

st.title("▤ " + _("Plan by dates"))
home_ref = rec.city_ref(home)
home_name = text.local_name(home_ref, lang)
home_breaks = shared.home_breaks(home_ref.country, today, lang)
mode = st.radio(_("Travel on"), list(MODES), format_func=lambda m: _(MODES[m]), horizontal=True,
                key=state.kept("plan_mode", "dates"))
start = end = None
if mode == "break":
    if home_breaks:
        k = st.selectbox(_("{home}'s holiday breaks in the coming year").format(home=safe_text.markdown(home_name)),
                         range(len(home_breaks)),
                         format_func=lambda k: text.break_name(home_breaks[k], lang, 80) + " · " + text.dates_text(
                             home_breaks[k].start, home_breaks[k].end, lang), key="plan_break")
        start, end = home_breaks[k].start, home_breaks[k].end
    else:
        st.info(_("No public-holiday calendar is known for {country}; pick your own dates.").format(
            country=safe_text.markdown(text.country(home_ref.country, lang))))
if start is None:
    picked = st.date_input(_("Your dates (first and last day)"),
                           value=(today + dt.timedelta(FIRST_DAYS[0]), today + dt.timedelta(FIRST_DAYS[1])),
                           min_value=dt.date(today.year - 1, 1, 1), max_value=today.replace(year=today.year + FURTHEST_YEARS),
                           format="YYYY-MM-DD", key="plan_dates")
    if not isinstance(picked, (tuple, list)) or len(picked) < 2:
        st.info(_("Pick the last day of your trip too."))
        st.stop()
    start, end = picked[0], picked[1]
st.caption(_(text.SCHOOL_HOLIDAYS_NOTE))

try:
    plan = shared.plan(version, home, start, end, style, band)
except RecommenderError as exc:
    st.error(text.literal(text.without_server_paths(exc), 600))
    st.stop()
res = plan.recommendation
st.subheader(safe_text.markdown(text.plan_headline(plan, lang)))     # names are data, never markup
st.caption(_("Each score is the mean of the city's daily scores over these {n} days (a daily climatology drawn "
             "through the monthly normals).").format(n=i18n.number((end - start).days + 1, lang)))
if not res.partners:
    st.info(safe_text.markdown(text.sister_cities_note(res, lang)))
    st.stop()
shared.partner_table(pd.DataFrame(text.partner_rows(res, unit, lang)), lang, "plan_table")
