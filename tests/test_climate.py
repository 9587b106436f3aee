"""Day length and the monthly sunshine ceiling against published values."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from recommender.climate.astro import day_length_hours, monthly_max_sunshine_hours


def test_equator_day_is_about_twelve_hours_all_year():
    # With refraction and the solar radius the equatorial day is ~12.1 h (USNO tables).
    d = day_length_hours(0.0, np.arange(1, 366))
    assert np.all((d > 12.05) & (d < 12.2))


def test_solstice_day_lengths_match_almanac():
    # London (51.5°N) ≈ 16.6 h at the June solstice and ≈ 7.8 h at the December solstice.
    assert day_length_hours(51.5, 172) == pytest.approx(16.6, abs=0.15)
    assert day_length_hours(51.5, 355) == pytest.approx(7.8, abs=0.15)
    # Karachi (24.9°N): ≈ 13.8 h in June.
    assert day_length_hours(24.9, 172) == pytest.approx(13.8, abs=0.15)


def test_polar_night_and_midnight_sun():
    assert day_length_hours(78.0, 355) == 0.0
    assert day_length_hours(78.0, 172) == 24.0


def test_monthly_ceiling_is_sum_of_days():
    assert monthly_max_sunshine_hours(0.0, 1) == pytest.approx(31 * 12.12, abs=2)
    # February of an average year: 28.25 days.
    assert monthly_max_sunshine_hours(0.0, 2) == pytest.approx(28.25 * 12.12, abs=2)


@given(st.floats(-89, 89), st.integers(1, 12))
def test_ceiling_is_bounded_by_the_month(lat, month):
    days = [31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    v = float(monthly_max_sunshine_hours(lat, month))
    assert 0.0 <= v <= 24 * days + 1e-9


@given(st.floats(0, 66), st.integers(1, 12))
def test_hemispheres_mirror(lat, month):
    # The mean day length in month m at latitude −φ equals that at +φ six months later
    # (to the eccentricity of the calendar: a few percent).
    days = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    other = (month + 5) % 12 + 1
    north = float(monthly_max_sunshine_hours(lat, month)) / days[month - 1]
    south = float(monthly_max_sunshine_hours(-lat, other)) / days[other - 1]
    assert south == pytest.approx(north, rel=0.06, abs=0.3)
