"""The Streamlit dashboard as pages (st.navigation; `app.py` is the entry point):

    pages/where_to_go.py   a home city and a month → its sister cities ranked, charts, exports
    pages/pair.py          one pair's exchange calendar and brief (?a=urumqi&b=karachi)
    pages/all_pairs.py     every pair by exchange potential (the explorer)
    pages/method.py        how a score is made, the data and its sources

`state` keeps the shared choices (language, unit, style, band, home, month …) across pages and
language switches; `shared` holds what every page reads (the cached recommender and results,
the figures, the city picker's labels, the sidebar's shared choices). Pages draw widgets and
layout only: results come from `recommender.recommend`, words from `recommender.present`.
"""
