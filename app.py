"""Streamlit dashboard: the entry point and the navigation only. The pages are modules of
widgets and layout under recommender/dashboard/pages/ (Where to go, A pair, All pairs, How is this
scored?); the choices they share live in recommender/dashboard/state.py and shared.py.

    streamlit run app.py    (choices live in the URL: /where?home=urumqi&month=1&style=urban&lang=zh)
"""

from __future__ import annotations

import streamlit as st

from recommender.dashboard import shared, state
from recommender.present import i18n
from recommender.present.style import language_css

lang = state.language()
_ = i18n.translator(lang)
st.set_page_config(page_title=_("Sister-city travel comfort"), page_icon="✈", layout="wide")
st.markdown(language_css(lang), unsafe_allow_html=True)   # our own style sheet: fonts, direction, contrast; no user text

version, rec = shared.recommender()
shared.atlas_warnings(rec)
shared.read_link(rec)
st.session_state["_choices"] = shared.shared_choices(lang)

# The default page lives at "/" (its url_path only reserves a name, here "start"); its own path,
# /where?home=… in the links people share, opens the same page through a hidden twin instead of
# Streamlit's "Page not found" dialog.
pages = {key: st.Page(file, title=_(title), icon=icon, url_path="start" if key == "where" else url, default=key == "where")
         for key, (file, url, title, icon) in shared.PAGES.items()}
file, url, title, icon = shared.PAGES["where"]
where_link = st.Page(file, title=_(title), icon=icon, url_path=url, visibility="hidden")
page = st.navigation([*pages.values(), where_link])
legacy = shared.legacy_page(st.query_params.get("view"))
if legacy and page in (pages["where"], where_link):
    st.switch_page(pages[legacy], query_params={k: v for k, v in st.query_params.items() if k != "view"})
page.run()
