"""How is this scored?: the index and its weights, everything behind one city-month's score
(ratings, stress, coverage, provenance, confidence, what the index does not rate), the method in
prose (with what the indices do not rate) and the data sources."""

from __future__ import annotations

import streamlit as st

from recommender.climate.calendar import MONTHS
from recommender.comfort.indices import styles
from recommender.dashboard import shared, state
from recommender.present import i18n, text

ch = shared.choices()
lang, style, unit, band = ch.lang, ch.style, ch.unit, ch.band
_ = i18n.translator(lang)
version, rec = shared.recommender()
ids, labels = shared.city_options(version, lang)

st.title(_("How is this scored?"))
index = styles()[style]
st.markdown(text.index_weights_line(index, band, unit, lang))
home = state.value("home_city", shared.DEFAULT_HOME)
c1, c2 = st.columns(2)
who = c1.selectbox(_("City"), ids, format_func=labels.__getitem__, key=state.kept("method_city", home))
month = c2.selectbox(_("Month"), list(MONTHS), format_func=lambda m: text.month_name(m, lang),
                     key=state.kept("method_month", state.value("month", 1)))
detail = rec.month_detail(who, month, style=style, comfort_band=band)
if detail is None:
    st.info(_("No climate data for this city."))
else:
    comps, sentence, climate, caption = text.method_tables(detail, unit, lang)
    st.table(comps)
    st.markdown(sentence)
    if detail.confidence is not None:
        st.markdown(text.confidence_detail(detail, lang))
    st.markdown(text.flags_detail(detail, unit, lang))
    st.table(climate)
    st.caption(caption)
for paragraph in text.method_paragraphs(unit, lang):
    st.markdown(paragraph)
st.markdown(text.day_window_rule(lang))
st.markdown(text.breaks_method(lang))
st.markdown("**" + _("Data sources") + ".** " + text.sources_paragraph(lang))
