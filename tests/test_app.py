"""The Streamlit dashboard under AppTest: choices change the answer; bad links fall back."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO

APP = str(REPO / "app.py")


def run(**query):
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def headline(at):
    return at.subheader[0].value


def table(at):
    return at.dataframe[0].value


def test_choosing_home_and_month_changes_headline_and_table():
    at = run(home="karachi", month="7")
    assert "In July" in headline(at) and "Karachi's sister cities" in headline(at)
    first = table(at)
    at.selectbox(key="home_city").set_value("urumqi").run()
    at.selectbox(key="month").set_value(1).run()
    assert "In January, of Ürümqi's sister cities, Karachi is the most comfortable" in headline(at)
    t = table(at)
    assert not t.equals(first)
    cities = list(t["city"])
    assert cities[0] == "Karachi" and cities.index("Karachi") < cities.index("Peshawar")
    karachi = t[t["city"] == "Karachi"].iloc[0]
    assert karachi["vs home"] > 30                                  # far above home
    home = at.session_state["home_city"]
    assert home == "urumqi"
    assert at.query_params["home"] == ["urumqi"] or at.query_params["home"] == "urumqi"


def test_country_filter_and_units():
    at = run(home="urumqi", month="1")
    at.selectbox(key="country").set_value("PK").run()
    assert "sister cities in Pakistan, Karachi" in headline(at)
    assert set(table(at)["country"]) == {"PK"}
    at.radio(key="unit").set_value("°F").run()
    assert "83 °F afternoons" in headline(at) and "19 °F" in headline(at)   # 28.2 °C, −7.4 °C
    assert table(at)["afternoon"].str.endswith("°F").all()


def test_style_and_personal_band_change_scores():
    at = run(home="urumqi", month="1")
    urban = list(table(at)["score"])
    at.radio(key="style").set_value("tci").run()
    assert "TCI" in headline(at)
    assert list(table(at)["score"]) != urban
    at.radio(key="style").set_value("urban").run()
    at.toggle(key="use_band").set_value(True).run()
    at.slider(key="band").set_value((10, 16)).run()
    assert list(table(at)["score"]) != urban


@pytest.mark.parametrize("query,note", [
    ({"home": "atlantis"}, "unknown city (`atlantis`)"),
    ({"month": "13"}, "is not 1–12"),
    ({"month": "³"}, "is not 1–12"),
    ({"month": "１２"}, "is not 1–12"),
    ({"style": "ski"}, "trip style `ski` is unknown"),
])
def test_bad_query_parameters_fall_back_with_a_friendly_note(query, note):
    at = run(**query)
    assert any(note in i.value for i in at.info)
    if "home" in query:
        assert at.selectbox(key="home_city").value == "urumqi"   # the default home
    assert "most comfortable" in headline(at)


def test_empty_states():
    at = run(home="haworth", month="1")   # its sister cities have no climate data within 75 km
    assert "none of Haworth's sister cities has climate data" in headline(at)
    assert any("None of these sister cities has climate data" in i.value for i in at.info)
    assert table(at)["data"].str.startswith("no climate data").all()


def test_only_the_open_tab_runs_and_the_tab_is_in_the_link():
    at = run(home="urumqi", month="1")
    assert len(at.get("plotly_chart")) == 1 and not at.table          # "Comfort by month" only
    # the chart's text alternative: a sentence and its data as a table (closed)
    said = [t.value for t in at.text]
    assert "In January the most comfortable sister city is Karachi (97); home scores 36." in said[0], said
    assert [e.label for e in at.expander][-1:] == ["This chart's data as a table"]
    data = next(d.value for d in at.dataframe if "Jan" in d.value.columns)
    assert list(data.columns) == ["city", *"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()]
    assert data.iloc[0]["city"] == "Ürümqi" and data.iloc[1]["city"] == "Karachi" and data.iloc[1]["Jan"] == 97
    at = run(home="urumqi", month="1", view="Map")
    assert len(at.get("plotly_chart")) == 1 and at.query_params["view"] in ("Map", ["Map"])
    assert at.text[0].value.startswith("14 sister cities, from Almaty (863 km away) to Narrandera")


def test_how_is_this_scored_names_provenance():
    at = run(home="urumqi", month="1", view="How is this scored?")
    texts = " ".join(m.value for m in at.markdown)
    assert "HCI:Urban" in texts and "Coverage" in texts
    tables = [t.value for t in at.table]
    assert any("provenance" in t.columns for t in tables)


def test_a_month_name_in_the_link_is_understood():
    at = run(home="urumqi", month="jan")
    assert not at.info and "In January" in headline(at)


def page_texts(at) -> str:
    """Every string the page shows: headline, captions, markdown, tables, metrics, widgets' labels."""
    parts = [e.value for e in (*at.subheader, *at.caption, *at.markdown, *at.info, *at.title, *at.text)]
    parts += [t.value.to_csv() for t in at.table] + [d.value.to_csv() for d in at.dataframe]
    parts += [m.label + str(m.value) for m in at.metric] + [s.label for s in at.slider]
    return "\n".join(map(str, parts))


TABS = ["Comfort by month", "Heatmap", "Climate", "Map", "Travel windows", "Exchange explorer", "How is this scored?",
        "Export"]


@pytest.mark.parametrize("view", TABS)
def test_with_fahrenheit_nothing_on_the_page_says_celsius(view):
    at = run(home="karachi", month="7", view=view)
    at.radio(key="unit").set_value("°F").run()
    at.toggle(key="use_band").set_value(True).run()
    everything = page_texts(at)
    figures = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "°F" in everything and "°C" not in everything, [ln for ln in everything.splitlines() if "°C" in ln][:5]
    assert "°C" not in figures and "\\u00b0C" not in figures
    assert at.slider(key="band_f").label.endswith("(°F)")
    if view == "How is this scored?":
        # the band is entered in °F and applied in °C: 64–75 °F ≈ 17.8–23.9 °C
        assert "Personal comfort band 64–75 °F" in everything


def test_every_score_has_a_confidence_badge_and_home_its_grade():
    at = run(home="urumqi", month="1")
    t = table(at)
    assert list(t.columns)[list(t.columns).index("score") + 1] == "confidence"     # beside the score
    ranked = t[t["score"].notna()]
    assert len(ranked) and ranked["confidence"].str.match(r"^[●◐○] (high|medium|low) · \w").all()
    assert any(c.value.startswith("Confidence at home (Ürümqi, January): ") for c in at.caption)


def test_how_is_this_scored_explains_the_confidence_grade(atlas):
    from recommender.present import text
    from recommender.recommend import Recommender

    at = run(home="urumqi", month="1", view="How is this scored?")
    texts = [m.value for m in at.markdown]
    assert any(t.startswith("Each city-month's figures carry a confidence grade. High:") for t in texts)
    shown = text.confidence_detail(Recommender(atlas).month_detail("urumqi", 1))
    assert shown.startswith("Confidence of this city-month: ") and shown in texts


# ---------------------------------------------------------------------------- the pages
PAIR = "recommender/dashboard/pages/pair.py"
ALL_PAIRS = "recommender/dashboard/pages/all_pairs.py"
METHOD = "recommender/dashboard/pages/method.py"
WHERE = "recommender/dashboard/pages/where_to_go.py"


def switch(at, page):
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_pair_has_its_own_page_and_link():
    at = switch(run(a="karachi", b="urumqi"), PAIR)
    head = headline(at)
    assert head.startswith("Karachi and Ürümqi are sister cities.") and "Karachi's people should visit Ürümqi in" in head
    assert [m.label for m in at.metric] == ["Karachi → Ürümqi", "Ürümqi → Karachi"]
    assert at.query_params["a"] in ("karachi", ["karachi"]) and at.query_params["b"] in ("urumqi", ["urumqi"])
    at.selectbox(key="pair_b").set_value("london").run()
    assert "Karachi and London are not sister cities." in headline(at)


def test_a_pair_link_with_an_unknown_city_says_so_and_falls_back():
    at = switch(run(home="karachi", a="atlantis", b="<b>x</b>"), PAIR)
    notes = [i.value for i in at.info]
    assert any("unknown city (`atlantis`); showing Karachi instead" in n for n in notes), notes
    assert any("unknown city (`<b>x</b>`); showing a sister city instead" in n for n in notes), notes
    assert at.selectbox(key="pair_a").value == "karachi" and headline(at).startswith("Karachi and ")


def test_choices_are_kept_across_pages_and_language_switches():
    at = run(home="karachi", month="7")
    at.radio(key="unit").set_value("°F").run()
    at.radio(key="style").set_value("tci").run()
    switch(at, METHOD)
    assert at.selectbox(key="method_city").value == "karachi" and at.selectbox(key="method_month").value == 7
    assert at.radio(key="unit").value == "°F" and at.radio(key="style").value == "tci"
    at.selectbox(key="lang").set_value("zh").run()
    switch(at, ALL_PAIRS)
    assert at.selectbox(key="ex_country").value == "PK"          # the home city's country
    switch(at, WHERE)
    assert at.selectbox(key="home_city").value == "karachi" and at.selectbox(key="month").value == 7
    assert at.radio(key="unit").value == "°F" and "TCI" in headline(at) and headline(at).startswith("七月")


def test_a_link_to_a_tab_that_became_a_page_opens_the_page():
    at = run(home="urumqi", month="1", view="Exchange explorer")
    assert at.title[0].value.endswith("All pairs") and at.dataframe[0].value.shape[0] > 0
    at = run(home="urumqi", month="1", view="评分方法")    # the Chinese label of the method tab
    assert at.title[0].value.endswith("How is this scored?")



def test_harbin_in_january_says_the_indices_do_not_rate_snow_and_ice():
    at = run(home="harbin", month="1")
    notes = " ".join(w.value for w in at.warning)
    assert "At home (Harbin, January), not rated by the index: cold nights" in notes
    assert "the indices rate warm-season sightseeing and beach trips, not snow and ice" in notes
    assert "not rated" in at.dataframe[0].value.columns
    switch(at, METHOD)   # the method page opens on home's month
    assert at.selectbox(key="method_city").value == "harbin" and at.selectbox(key="method_month").value == 1
    shown = " ".join(m.value for m in at.markdown)
    assert "Not rated by the index in this city-month: cold nights (mean low" in shown
    assert "snow and ice (afternoons" in shown and "not snow and ice" in shown
    for definition in ("What the indices do not rate.", "mean minimum below 0 °C", "2,500 m or higher",
                       "UTCI at 38 °C or more", "within 100 km of the sea", "Indo-Gangetic Plain (24°N–32.5°N",
                       "North China Plain (34°N–41°N", "Not rated at all:"):
        assert definition in shown, definition


# ---------------------------------------------------------------------------- dates (issue 18)
PLAN = "recommender/dashboard/pages/plan.py"
DATES = r"^[A-Z][a-z]{2} \d{1,2}\s–\s([A-Z][a-z]{2} )?\d{1,2}$"      # "Nov 9 – Mar 22", "Aug 16 – 29"


def test_a_pair_shows_its_windows_in_dates_and_which_breaks_fall_in_them():
    at = switch(run(a="urumqi", b="karachi"), PAIR)
    values = {m.label: m.value for m in at.metric}
    assert set(values) == {"Ürümqi → Karachi", "Karachi → Ürümqi"}
    assert all(__import__("re").match(DATES, v) for v in values.values()), values
    captions = [c.value for c in at.caption]
    assert any(c.startswith("by month: Nov–Mar · Best fortnight: ") for c in captions), captions
    said = [t.value for t in at.text]
    assert any(s.startswith("Ürümqi's holiday breaks in the window: ") and "Spring Festival" in s for s in said), said
    assert len(at.get("plotly_chart")) == 5          # calendar, curves, climate, and the two directions by day
    breaks = next(d.value for d in at.dataframe if "holiday break" in d.value.columns)
    assert list(breaks.columns) == ["holiday break", "dates", "days", "in the window"]
    # each chart has its text alternative: the calendar, the two directions by day, the curves, the climate
    assert [e.label for e in at.expander].count("This chart's data as a table") == 5
    assert "Ürümqi → Karachi: Nov–Mar; Karachi → Ürümqi: Apr–Oct." in said
    assert breaks["in the window"].isin(["✓ yes", "— no"]).all()


def test_plan_by_dates_ranks_the_sister_cities_for_a_home_break_or_own_dates():
    import datetime as dt

    at = switch(run(home="urumqi", month="7"), PLAN)
    assert at.selectbox(key="home_city").value == "urumqi"          # the home chosen on another page
    assert headline(at).startswith("For ") and "of Ürümqi's sister cities" in headline(at)
    assert any(c.value.startswith("School holidays are not listed: no worldwide data set") for c in at.caption)
    at.radio(key="plan_mode").set_value("break").run()
    options = at.selectbox(key="plan_break").options
    spring = next(k for k, o in enumerate(options) if "Spring Festival" in o)
    at.selectbox(key="plan_break").set_value(spring).run()
    assert headline(at).startswith("For Feb") and "Karachi is the most comfortable" in headline(at)
    ranked = table(at)
    assert ranked["score"].dropna().is_monotonic_decreasing and ranked.iloc[0]["city"] == "Karachi"
    at.radio(key="plan_mode").set_value("dates").run()
    at.date_input(key="plan_dates").set_value((dt.date(2027, 7, 1), dt.date(2027, 7, 14))).run()
    assert headline(at).startswith("For Jul 1") and "Karachi is the most comfortable" not in headline(at)
    at.selectbox(key="lang").set_value("zh").run()
    assert headline(at).startswith("2027年7月1日") and "乌鲁木齐" in headline(at)


@pytest.mark.parametrize("dates,note", [
    ((__import__("datetime").date(2027, 1, 1), __import__("datetime").date(2028, 6, 1)), "plan at most a year"),
    ((__import__("datetime").date(2027, 1, 1),), "Pick the last day of your trip too."),
])
def test_plan_by_dates_with_an_unusable_range_says_what_to_do(dates, note):
    at = switch(run(home="karachi"), PLAN)
    at.date_input(key="plan_dates").set_value(dates).run()
    assert not at.exception
    notes = [e.value for e in (*at.error, *at.info)]
    assert any(note in n for n in notes), notes
    assert not at.dataframe


def test_the_comfort_band_slider_is_drawn_only_when_used():
    """A disabled slider's label is grey text below WCAG contrast; it is not drawn until the band is on."""
    at = run(home="urumqi", month="1")
    assert not at.slider
    at.toggle(key="use_band").set_value(True).run()
    assert at.slider(key="band").value == (18, 24)
    at.slider(key="band").set_value((10, 16)).run()
    at.toggle(key="use_band").set_value(False).run()
    assert not at.slider
    at.toggle(key="use_band").set_value(True).run()
    assert at.slider(key="band").value == (10, 16)          # the band chosen before is kept
