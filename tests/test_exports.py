"""Export builders, tested directly: CSV and JSON parse back to the same numbers, the .ics
parses with icalendar and its events match the windows, the report carries the charts."""

import io
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from recommender.present import charts, exports
from recommender.recommend import Recommender


@pytest.fixture(scope="module")
def rec(atlas):
    return Recommender(atlas)


@pytest.fixture(scope="module")
def year(rec):
    return rec.year("urumqi", style="urban")


def test_csv_parses_back_to_the_same_numbers(rec, year):
    table = exports.recommendations_table(year)
    back = pd.read_csv(io.BytesIO(exports.to_csv(table)))
    assert len(back) == 12 * len(rec.partners("urumqi"))
    assert np.allclose(back["score"].to_numpy(), table["score"].to_numpy(), equal_nan=True)
    sc = rec.scored("urban")
    k = back[(back.partner_id == "karachi")].set_index("month")
    assert np.allclose(k["score"].to_numpy(), sc.score[sc.pos["karachi"]])
    assert np.allclose(k["home_score"].to_numpy(), sc.score[sc.pos["urumqi"]])
    assert k.loc[1, "in_window"] and not k.loc[7, "in_window"]
    assert (k["delta"] - (k["score"] - k["home_score"])).abs().max() < 0.051


def test_json_parses_back_to_the_same_numbers(rec, year):
    doc = json.loads(exports.to_json(year, 1))
    assert doc["home"]["id"] == "urumqi" and doc["index"] == "HCI:Urban" and doc["month"] == 1
    sc = rec.scored("urban")
    karachi = next(p for p in doc["partners"] if p["id"] == "karachi")
    assert [m["score"] for m in karachi["months"]] == pytest.approx(list(sc.score[sc.pos["karachi"]]))
    assert karachi["windows"] == rec.travel_windows("urumqi", "karachi")
    assert len(doc["home"]["scores"]) == 12


def test_ics_holds_the_coming_years_windows_as_dated_events_and_the_breaks_in_them(rec, year):
    from icalendar import Calendar

    from recommender.rules import day_index, runs_mask

    today = date(2026, 11, 27)
    cal = Calendar.from_ical(exports.to_ics(year, today=today))
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len({str(e.get("uid")) for e in events}) == len(events) > 0
    assert not any(e.get("rrule") for e in events)              # real dates, not a yearly rule
    by_partner = {p.city.id: p for p in year.partners}
    windows = [e for e in events if "-window-" in str(e.get("uid"))]
    assert {str(e.get("uid")).split("-")[1] for e in windows} == {p.city.id for p in year.partners if p.window_days}
    for e in windows:                                            # every day of each event is in that partner's window
        p = by_partner[str(e.get("uid")).split("-")[1]]
        mask = runs_mask([(s.start, s.end) for s in p.window_days])
        first, after = e.decoded("dtstart"), e.decoded("dtend")
        assert after > today and first <= date(2027, 11, 26)
        assert all(mask[day_index(first + timedelta(k))] for k in range((after - first).days))
    # Ürümqi → Karachi: 9 November – 22 March (dtend exclusive), this winter's and next winter's
    karachi = sorted((e.decoded("dtstart"), e.decoded("dtend")) for e in windows if "-karachi-" in str(e.get("uid")))
    assert karachi == [(date(2026, 11, 9), date(2027, 3, 23)), (date(2027, 11, 9), date(2028, 3, 23))]
    fortnight = next(e for e in events if str(e.get("uid")).startswith("urumqi-karachi-fortnight"))
    assert (fortnight.decoded("dtend") - fortnight.decoded("dtstart")).days == 14
    # Spring Festival 2027 (5–10 February with its weekend) is a break in Karachi's window
    spring = next(e for e in events if "Spring Festival" in str(e.get("summary")))
    assert spring.decoded("dtstart") == date(2027, 2, 5) and spring.decoded("dtend") == date(2027, 2, 11)
    assert "Karachi" in str(spring.get("summary"))


def test_occurrences_of_a_span_cross_the_new_year_and_keep_29_february():
    from recommender.results import DaySpan

    winter = DaySpan(312, 80)                                      # 9 November – 22 March
    assert exports.occurrences(winter, date(2026, 12, 3), date(2027, 12, 2)) == [
        (date(2026, 11, 9), date(2027, 3, 22)), (date(2027, 11, 9), date(2028, 3, 22))]
    assert exports.occurrences(DaySpan(40, 58), date(2027, 12, 3), date(2028, 12, 2)) == [
        (date(2028, 2, 10), date(2028, 2, 29))]                   # a span ending 28 February takes the 29th
    assert exports.occurrences(DaySpan(100, 110), date(2026, 12, 3), date(2027, 4, 1)) == []


def test_report_contains_the_charts_and_method(rec, year):
    figs = {"Comfort by month": charts.comfort_curves(year, 1),
            "Partner × month": charts.partner_heatmap(year, 1),
            "Map": charts.partner_map(year, 1)}
    html = exports.report_html(rec.recommend("urumqi", 1), figs, "In January … Karachi …").decode("utf-8")
    assert html.count("class=\"plotly-graph-div\"") == 3
    assert html.count("<h3>") == 3 and "Partner × month" in html
    assert "How is this scored?" in html and "HCI:Urban" in html and "Karachi" in html
    assert html.lower().count("plotly.js v") <= 2   # plotly.js inlined once for an offline, printable file


def test_exports_respect_the_country_filter(rec):
    table = exports.recommendations_table(rec.year("urumqi", country="PK"))
    assert set(table["partner_id"]) == {"karachi", "peshawar"}


def test_with_fahrenheit_no_export_says_celsius(rec):
    from recommender.present import text

    band = (18.0, 24.0)
    res = rec.recommend("karachi", 7, comfort_band=band)
    year = rec.year("karachi", comfort_band=band)
    with_data = [p.city.id for p in res.ranked]
    figs = {"Climate": charts.climate_panel(year, with_data[0], "°F")}
    html = exports.report_html(res, figs, text.headline(res, "°F"), unit="°F").decode("utf-8")
    ics = exports.to_ics(year).decode("utf-8")
    data = exports.to_json(year, 7).decode("utf-8") + exports.to_csv(exports.recommendations_table(year)).decode()
    assert "°F" in html and "personal comfort band 64–75 °F" in html
    for doc in (html, ics, data):
        assert "°C" not in doc


def test_exports_carry_the_confidence_of_every_partner_month(rec, year):
    from recommender.climate.confidence import GRADES, REASONS

    table = exports.recommendations_table(year)
    back = pd.read_csv(io.BytesIO(exports.to_csv(table)))
    assert list(back.columns)[-3:] == ["confidence", "confidence_reason", "flags"]   # flags: issue 17, appended
    sc = rec.scored("urban")
    karachi = back[back.partner_id == "karachi"].set_index("month")
    for m in range(1, 13):
        c = sc.confidence(sc.pos["karachi"], m)
        assert (karachi.loc[m, "confidence"], karachi.loc[m, "confidence_reason"]) == (c.grade, c.reason)
    with_data = back[back["score"].notna()]
    assert set(with_data["confidence"]) <= set(GRADES) and set(with_data["confidence_reason"]) <= set(REASONS)
    doc = json.loads(exports.to_json(year, 1))
    k = next(p for p in doc["partners"] if p["id"] == "karachi")
    assert [m["confidence"] for m in k["months"]] == [{"grade": g, "reason": r} for g, r in
                                                    zip(karachi["confidence"], karachi["confidence_reason"])]
    assert len(doc["home"]["confidence"]) == 12 and set(doc["home"]["confidence"][0]) == {"grade", "reason"}


def test_the_report_has_a_translated_confidence_column(rec):
    from recommender.present import text

    sc = rec.scored("urban")
    badge = text.confidence_badge(sc.confidence(sc.pos["karachi"], 1), "zh")
    res = rec.recommend("urumqi", 1)
    html = exports.report_html(res, {}, "headline", lang="zh").decode()
    assert "<th>可信度</th>" in html and f"<td>{badge}</td>" in html
    english = exports.report_html(res, {}, "headline").decode()
    assert "<th>confidence</th>" in english and text.confidence_badge(sc.confidence(sc.pos["karachi"], 1)) in english
