"""A pair: when each city's people should visit the other (the exchange calendar), the two
comfort curves and climates, for any two cities; its own link (?a=urumqi&b=karachi)."""

from __future__ import annotations

import streamlit as st

from recommender import RecommenderError
from recommender.dashboard import shared, state
from recommender.present import chart_text, charts, i18n, safe_text, text

ch = shared.choices()
lang, style, unit, band = ch.lang, ch.style, ch.unit, ch.band
_ = i18n.translator(lang)
version, rec = shared.recommender()
ids, labels = shared.city_options(version, lang)

# The link's ?a= and ?b= on arrival (a pair opened from another page or shared); an unknown city
# is a note, and A falls back to home, B to home's most comfortable sister this month.
a_default = state.value("home_city", shared.DEFAULT_HOME)
for key, asked in (("pair_a", st.query_params.get("a")), ("pair_b", st.query_params.get("b"))):
    if asked and st.session_state.get(f"_{key}_link") != asked:
        st.session_state[f"_{key}_link"] = asked
        try:
            state.remember(key, rec.city(asked))
        except RecommenderError:
            st.info(_("The link names an unknown city ({city}); showing {default} instead.").format(
                city=text.literal(asked),
                default=safe_text.markdown(text.local_name(rec.city_ref(a_default), lang)) if key == "pair_a"
                else _("a sister city")))

st.title("↔ " + _("A pair"))
c1, c2 = st.columns(2)
a = c1.selectbox(_("City A"), ids, format_func=labels.__getitem__, key=state.kept("pair_a", a_default))
# B, until chosen: A's most comfortable sister city in the chosen month (else any sister, else A).
best = rec.recommend(a, state.value("month", 1), style=style, comfort_band=band).ranked
b_default = best[0].city.id if best else next((p for p, _d, _v in rec.partners(a)), a)
b = c2.selectbox(_("City B"), ids, format_func=labels.__getitem__, key=state.kept("pair_b", b_default))
st.query_params.update(a=a, b=b, lang=lang)

ex = rec.exchange(a, b, style=style, comfort_band=band)
name_a, name_b = text.local_name(ex.a, lang), text.local_name(ex.b, lang)
st.subheader(safe_text.markdown(text.exchange_brief(ex, lang)))     # names are data, never markup
st.caption(text.method_caption(ex.index, lang))
st.plotly_chart(charts.exchange_calendar(ex, lang), width="stretch", key="chart_pair_calendar")
shared.text_alternative(chart_text.exchange_calendar(ex, lang), lang, "chart_pair_calendar")
st.subheader(_("In dates"))
st.caption(text.day_window_rule(lang))
for direction in ("a_to_b", "b_to_a"):
    shared.show_way(version, ex.a.id, ex.b.id, style, band, direction, lang, f"pair_{direction}")
year_key = ("pair", version, ex.a.id, ex.b.id, style, band)
year = shared.pair_year(*year_key[1:])
if year.home.has_climate and year.partners[0].has_climate:
    month = state.value("month", 1)
    shared.chart("curves", year_key, month, None, "°C", lang, "chart_pair_curves")
    shared.chart("climate", year_key, month, ex.b.id, unit, lang, "chart_pair_climate")
