"""The charts' colours stay apart for colour-blind readers (present/palette.py): each colour and
its counterpart under simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009,
severity 100 %, colorspacious) differ by a colour difference in CAM02-UCS of at least the figure
stated per test (about 1 is a just-noticeable difference for large patches; 10 reads as a
different colour at a glance)."""

from itertools import combinations

import colorspacious as cs
import numpy as np
import pytest

from recommender.present import charts, palette

VISIONS = ("normal", "protanomaly", "deuteranomaly", "tritanomaly")


def seen(colours: np.ndarray, vision: str) -> np.ndarray:
    """sRGB (0–1) colours as a reader with that colour vision sees them (severity 100 %)."""
    if vision == "normal":
        return colours
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cs.cspace_convert(colours, space, "sRGB1"), 0, 1)


def difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(cs.deltaE(a, b, input_space="sRGB1"))


def test_the_simulation_and_the_difference_are_the_published_ones():
    # pure red under full deuteranopia loses its red–green signal: it turns a dark olive-yellow
    red = seen(np.array([1.0, 0.0, 0.0]), "deuteranomaly")
    assert red[0] == pytest.approx(red[1], abs=0.12) and red[2] < 0.1
    # a colour and itself do not differ; black and white differ by ~100 in CAM02-UCS's lightness
    assert difference(palette.rgb("#2a9d8f"), palette.rgb("#2a9d8f")) == pytest.approx(0, abs=1e-9)
    assert difference(np.zeros(3), np.ones(3)) == pytest.approx(100, abs=1)


@pytest.mark.parametrize("vision", VISIONS)
def test_score_bands_twenty_points_apart_look_different_and_the_ends_far_apart(vision):
    bands = seen(palette.scale_colour([10, 30, 50, 70, 90]), vision)
    steps = [difference(bands[k], bands[k + 1]) for k in range(len(bands) - 1)]
    assert min(steps) >= 15, steps
    assert difference(bands[0], bands[-1]) >= 30


@pytest.mark.parametrize("vision", VISIONS)
def test_the_partner_line_colours_differ_pairwise(vision):
    colours = seen(np.array([palette.rgb(c) for c in palette.SERIES]), vision)
    worst = min(difference(colours[i], colours[j]) for i, j in combinations(range(len(colours)), 2))
    assert worst >= 10, worst


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("what", sorted(palette.DISTINCT))
def test_what_must_be_told_apart_is_apart(what, vision):
    a, b = (palette.rgb(c) for c in palette.DISTINCT[what])
    pair = seen(np.array([a, b]), vision)
    assert difference(pair[0], pair[1]) >= 15, (what, vision)


def test_the_partner_lines_against_white_reach_3_to_1():
    # WCAG 2.2, 1.4.11 Non-text Contrast: a line that carries meaning reads 3:1 against its background
    def luminance(c):
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return float(c @ [0.2126, 0.7152, 0.0722])

    for c in (*palette.SERIES, palette.PARTNER, palette.DESTINATION, palette.HOME_DAILY):
        assert (1.05) / (luminance(palette.rgb(c)) + 0.05) >= 3, c


def test_the_charts_draw_with_the_declared_colours():
    from recommender.atlas import load_atlas
    from recommender.recommend import Recommender

    year = Recommender(load_atlas()).year("urumqi")
    curves = charts.comfort_curves(year, 1)
    partners = [t for t in curves.data if t.line.width == 1.5]
    n = len(palette.SERIES)
    assert [t.line.color for t in partners[:n]] == list(palette.SERIES)
    assert partners[n].line.color == palette.SERIES[0] and partners[n].marker.symbol != partners[0].marker.symbol
    heat = charts.partner_heatmap(year, 1)
    assert [list(x) for x in heat.data[0].colorscale] == palette.plotly_scale()
    assert charts.window_strip(year, 1).data[0].colorscale[-1][1] == palette.WINDOW
