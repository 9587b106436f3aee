"""Holiday breaks (recommender.breaks) from the `holidays` package: dates checked by hand against
the package's 2026–2027 lists (China's State Council schedule with its make-up working days)."""

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import breaks as B
from recommender.errors import RecommenderError

D = dt.date


def find(bs, day):
    return next(b for b in bs if b.start <= day <= b.end)


def test_spring_festival_2027_with_its_weekend():
    bs = B.breaks("CN", D(2027, 1, 1), D(2027, 12, 31))
    sf = find(bs, D(2027, 2, 6))
    assert (sf.start, sf.end, sf.days) == (D(2027, 2, 5), D(2027, 2, 10), 6)   # Fri eve … Wed (two days in lieu)
    assert "Spring Festival" in sf.name and "observed" not in sf.name and not sf.estimated
    nd = find(bs, D(2027, 10, 1))
    assert (nd.start, nd.end) == (D(2027, 10, 1), D(2027, 10, 5))


def test_make_up_working_saturdays_end_a_break():
    # 2026: Saturdays 14 and 28 February are worked (调休), so the break is Sun 15 … Mon 23 February
    sf = find(B.breaks("CN", D(2026, 1, 1), D(2026, 12, 31)), D(2026, 2, 17))
    assert (sf.start, sf.end) == (D(2026, 2, 15), D(2026, 2, 23))


def test_names_in_the_page_language_without_the_packages_labels():
    zh = find(B.breaks("CN", D(2027, 1, 1), D(2027, 12, 31), "zh"), D(2027, 2, 6))
    assert zh.name == "农历除夕 · 春节"
    ur = B.breaks("PK", D(2027, 1, 1), D(2027, 12, 31), "ur")
    eid = find(ur, D(2027, 3, 11))
    assert eid.estimated and any("\u0600" <= ch <= "\u06ff" for ch in eid.name)
    assert "(" not in eid.name and "estimated" not in eid.name
    en = find(B.breaks("PK", D(2027, 1, 1), D(2027, 12, 31)), D(2027, 8, 14))
    assert en.name.startswith("Independence Day") and en.start == D(2027, 8, 14)


def test_independence_day_alone_is_not_estimated():
    hs = {h.day: h for h in B.holidays_in("PK", D(2027, 8, 1), D(2027, 8, 31))}
    assert not hs[D(2027, 8, 14)].estimated and hs[D(2027, 8, 15)].estimated   # the Prophet's Birthday is calculated


def test_a_friday_saturday_weekend():
    assert set(holidays.country_holidays("SA").weekend) == {4, 5}
    # Founding Day, Monday 22 February 2027: no weekend beside it in Saudi Arabia (Sat–Sun would have made it 3 days)
    fd = find(B.breaks("SA", D(2027, 1, 1), D(2027, 12, 31)), D(2027, 2, 22))
    assert (fd.start, fd.end) == (D(2027, 2, 22), D(2027, 2, 22))
    for b in B.breaks("SA", D(2027, 1, 1), D(2027, 12, 31)):
        after = b.end + dt.timedelta(1)
        assert after.weekday() not in (4, 5) or after in holidays.country_holidays("SA", years=after.year)


def test_period():
    assert B.period(2027) == (D(2027, 1, 1), D(2027, 12, 31))
    assert B.period(None, today=D(2026, 12, 2)) == (D(2026, 12, 2), D(2027, 12, 1))
    assert B.period(None, today=D(2028, 2, 29)) == (D(2028, 2, 29), D(2029, 2, 27))
    with pytest.raises(RecommenderError, match="1900 to 2100"):
        B.period(99999)


def test_a_break_at_the_edge_is_whole():
    sf = find(B.breaks("CN", D(2027, 2, 8), D(2027, 3, 31)), D(2027, 2, 8))
    assert sf.start == D(2027, 2, 5)


def test_unknown_and_bad_countries():
    assert not B.supported("XX") and B.breaks("XX", D(2027, 1, 1), D(2027, 12, 31)) == []
    assert B.supported("cn")
    with pytest.raises(RecommenderError, match="two-letter"):
        B.breaks("C1", D(2027, 1, 1), D(2027, 12, 31))


COUNTRIES = ["CN", "PK", "DE", "FR", "US", "JP", "SA", "AE", "IR", "IL", "BR", "IN"]


@settings(max_examples=40, deadline=None)
@given(country=st.sampled_from(COUNTRIES), year=st.integers(2024, 2030))
def test_breaks_are_runs_of_days_off(country, year):
    start, end = D(year, 1, 1), D(year, 12, 31)
    bs = B.breaks(country, start, end)
    cal = holidays.country_holidays(country, years=range(year - 1, year + 2))
    work = set(getattr(cal, "weekend_workdays", ()) or ())

    def off(d):
        return d in cal or (d.weekday() in cal.weekend and d not in work)

    for a, b in zip(bs, bs[1:]):
        assert a.end < b.start
    for b in bs:
        assert b.start <= b.end and b.holidays and b.end >= start and b.start <= end
        assert all(off(b.start + dt.timedelta(k)) for k in range(b.days))
        assert not off(b.start - dt.timedelta(1)) and not off(b.end + dt.timedelta(1))


@pytest.mark.slow
def test_every_country_of_the_package_works():
    for code in holidays.list_supported_countries():
        if len(code) == 2:
            B.breaks(code, D(2027, 1, 1), D(2027, 12, 31))
