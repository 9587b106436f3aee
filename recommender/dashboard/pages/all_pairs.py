"""All pairs: every sister-city pair with climate at both ends, by exchange potential (the
explorer, for a city office), filtered by country and city; a pair opens its own page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.dashboard import shared, state
from recommender.present import chart_text, charts, i18n, safe_text, text

ch = shared.choices()
lang, style, band = ch.lang, ch.style, ch.band
_ = i18n.translator(lang)
version, rec = shared.recommender()
ids, labels = shared.city_options(version, lang)

st.title(_("All pairs"))
st.markdown(text.exchange_method(lang))
home = state.value("home_city", shared.DEFAULT_HOME)
c1, c2 = st.columns(2)
ex_country = c1.selectbox(_("Pairs with a city in"), [""] + rec.countries(), key=state.kept("ex_country", rec.city_ref(home).country),
                          format_func=lambda c: shared.country_label(c, _("all countries"), lang))
ex_city = c2.selectbox(_("Only the pairs of"), [""] + rec.cities_in(ex_country or None), key=state.kept("ex_city", ""),
                       format_func=lambda c: _("every city") if not c else labels.get(c, c))
ranking = shared.strongest_pairs(version, style, band, ex_country or None, ex_city or None)
top = ranking.pairs
shown = (_("{total} pairs with climate at both ends; the strongest {shown} shown") if ranking.total > len(top)
         else _("{total} pairs with climate at both ends"))
st.caption(shown.format(total=i18n.number(ranking.total, lang), shown=i18n.number(len(top), lang)))
if not top:
    st.info(_("No pair with climate data at both ends matches these filters."))
    st.stop()
xcols = text.exchange_columns(lang)
st.dataframe(safe_text.plain_cells(pd.DataFrame(text.exchange_rows(top, lang))), hide_index=True, width="stretch", key="exchange_table",
             column_config={xcols["complementarity"]: st.column_config.ProgressColumn(
                 xcols["complementarity"], min_value=0, max_value=1, format="%.2f")})
k = st.selectbox(_("Open a pair's exchange calendar"), range(len(top)), key="ex_pair",
                 format_func=lambda i: f"{text.local_name(top[i].a, lang)} ↔ {text.local_name(top[i].b, lang)}")
st.plotly_chart(charts.exchange_calendar(top[k], lang), width="stretch", key="chart_exchange")
shared.text_alternative(chart_text.exchange_calendar(top[k], lang), lang, "chart_exchange")
st.page_link(shared.PAGE_FILES["pair"], label=_("Open this pair's exchange calendar"), icon=":material/sync_alt:",
             query_params={"a": top[k].a.id, "b": top[k].b.id})
