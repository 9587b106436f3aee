"""Every chart's text alternative (present/chart_text.py) says what the chart shows: its sentence
names the chart's extremes, and its rows are the chart's data."""

import datetime as dt
import math

import numpy as np
import pytest

from recommender.atlas import load_atlas
from recommender.present import chart_text, charts, i18n
from recommender.recommend import Recommender


@pytest.fixture(scope="module")
def rec():
    return Recommender(load_atlas())


@pytest.fixture(scope="module")
def urumqi(rec):
    return rec.year("urumqi")


def great_circle_km(a, b):
    """Haversine on a sphere of radius 6371 km (written out here, apart from places.names)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("month", range(1, 13))
def test_the_ranking_sentence_names_the_months_best_partner_and_the_rows_are_the_heatmap(urumqi, month):
    alt = chart_text.ranking(urumqi, month)
    heat = charts.partner_heatmap(urumqi, month).data[0]
    months = list(i18n.month_names("en", "abbreviated"))
    assert [r["city"] for r in alt.rows] == [y.replace(" (home)", "") for y in heat.y]
    assert np.array_equal(np.array([[r[m] for m in months] for r in alt.rows], dtype=float), np.round(heat.z))
    best = max(alt.rows[1:], key=lambda r: r[months[month - 1]])
    name = i18n.month_names("en")[month - 1]
    assert alt.summary.startswith(f"In {name} the most comfortable sister city is {best['city']} "
                                  f"({best[months[month - 1]]}); home scores {alt.rows[0][months[month - 1]]}.")


def test_urumqis_sentences_read_as_checked_by_hand(urumqi):
    # Ürümqi's 12 scores (HCI:Urban): 36 41 50 74 81 91 84 93 84 74 51 41 → best August, worst January
    assert "Ürümqi's most comfortable month is August (93), its least comfortable January (36)." in \
        chart_text.ranking(urumqi, 1).summary
    assert chart_text.window_strip(urumqi, 1).summary == \
        "4 of 14 sister cities have a travel window in January: Karachi, Aqaba, Peshawar, Narrandera."
    assert chart_text.window_strip(urumqi, 7).summary.startswith("None of the 14") or \
        "in July" in chart_text.window_strip(urumqi, 7).summary


def test_the_map_sentence_and_rows_use_great_circle_distances_nearest_first(urumqi):
    alt = chart_text.partner_map(urumqi, 1)
    km = [r["distance (km)"] for r in alt.rows]
    assert km == sorted(km) and len(alt.rows) == len(urumqi.partners)
    by_name = {p.city.name: p for p in urumqi.partners}
    for r in alt.rows:
        assert abs(r["distance (km)"] - great_circle_km(urumqi.home.city, by_name[r["city"]].city)) <= 1
    assert alt.summary == f"14 sister cities, from {alt.rows[0]['city']} ({km[0]} km away) to " \
                          f"{alt.rows[-1]['city']} ({km[-1]:,} km)."


@pytest.mark.parametrize("unit", ["°C", "°F"])
def test_the_climate_rows_are_the_panels_values_in_the_unit(urumqi, unit):
    alt = chart_text.climate(urumqi, "karachi", unit)
    panel = charts.climate_panel(urumqi, "karachi", unit)
    highs = next(t.y for t in panel.data if t.name == "Karachi")          # its first trace: the daily high
    assert [r[f"Karachi: mean daily high ({unit})"] for r in alt.rows] == [round(float(x), 1) for x in highs]
    warmest = alt.rows[int(np.argmax(highs))]["month"]
    assert alt.summary.startswith(f"Karachi: warmest in {i18n.month_names('en')[int(np.argmax(highs))]}")
    assert warmest == i18n.month_names("en", "abbreviated")[int(np.argmax(highs))]
    assert unit in alt.summary and ("°C" if unit == "°F" else "°F") not in alt.summary


def test_the_daily_sentence_names_the_days_and_the_rows_the_months(rec):
    ex = rec.exchange("urumqi", "karachi", today=dt.date(2026, 12, 4))
    way = ex.way("a_to_b")
    alt = chart_text.daily(way, ex.period)
    trace = charts.daily_comfort(way, ex.period).data[1]                  # the visited city, by day
    y = np.asarray(trace.y, dtype=float)
    assert f"highest {round(y.max())} around" in alt.summary and f"lowest {round(y.min())} around" in alt.summary
    assert f"{int((y >= 60).sum())} days score 60 or more" in alt.summary
    assert [r["month"] for r in alt.rows][:2] == ["Dec 2026", "Jan 2027"] and len(alt.rows) == 13
    january = [dt.date.fromisoformat(d).month == 1 for d in trace.x]
    assert alt.rows[1]["Karachi"] == round(float(y[january].mean()))


def test_the_calendar_text_reads_both_directions(rec):
    ex = rec.exchange("urumqi", "karachi")
    alt = chart_text.exchange_calendar(ex)
    assert alt.summary == "Ürümqi → Karachi: Nov–Mar; Karachi → Ürümqi: Apr–Oct."


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_language_says_it_in_its_own_words_and_numbers(urumqi, lang):
    alt = chart_text.ranking(urumqi, 1, lang)
    assert i18n.translator(lang)(chart_text.RANKED).split("{")[0] in alt.summary
    assert i18n.number(97, lang) in alt.summary and i18n.month_names(lang)[0] in alt.summary


def test_the_map_labels_no_two_names_on_top_of_each_other_and_keeps_every_name_on_hover(urumqi):
    fig = charts.partner_map(urumqi, 1)
    dots = next(t for t in fig.data if t.name == "sister cities")
    xs, ys = fig.layout.xaxis.range, fig.layout.yaxis.range
    labelled = [(x, y) for x, y, t in zip(dots.x, dots.y, dots.text) if t]
    for k, (x, y) in enumerate(labelled):
        for x2, y2 in labelled[k + 1:]:
            assert abs(x - x2) >= 0.09 * (xs[1] - xs[0]) or abs(y - y2) >= 0.06 * (ys[1] - ys[0])
    assert "Karachi" in dots.text                                   # the month's best is always named
    assert sorted(c[2] for c in dots.customdata) == sorted(p.city.name for p in urumqi.partners)
    # the central Asian cluster (Almaty, Bishkek, Dushanbe, …) no longer draws its names over one another
    assert 0 < len(labelled) < len(dots.x)


def test_label_mask_keeps_the_higher_priority_of_two_close_points():
    import numpy as np

    keep = charts.label_mask(np.array([0.0, 1.0, 50.0]), np.array([0.0, 0.5, 0.0]), np.array([1, 2, 0]), 100, 100)
    assert keep.tolist() == [False, True, True]
