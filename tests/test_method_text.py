"""The method text quotes the science and the build, declared once: the figures of
method_paragraphs come from comfort/score.py, comfort/indices.py and data/build_info.json, and
the English text renders as it did when they were written into the sentences."""

from conftest import REPO
from recommender.climate import wetdays
from recommender.comfort import indices, score
from recommender.present import i18n, text


def test_the_english_method_text_quotes_the_figures():
    shown = " ".join(text.method_paragraphs("°C", "en"))
    for quoted in ("from 1 at 26 °C to 0.1 at 46 °C, and from 1 at 9 °C to 0.1 at −40 °C",
                   "(the beach index from 32 °C, where \"strong heat stress\" starts,",
                   "a one-degree change of the afternoon moves a score by at most 12 points",
                   "Where humidity is missing it is estimated from the night minimum",
                   "no score value holds more than about 1 % of the city-months",
                   "the caps this replaced put 9.8 % of them at exactly 59).",
                   "spread around the mean by 0.25 of the diurnal range (1.5 °C to 4 °C)",
                   "overstates comfort near the optimum by a median 1.1 and at most 3.9 points.",
                   "this lowers 31 % of city-months, by a median 0.7 points.",
                   "(tables counting 0.1 mm days are converted, × 0.63)",
                   "counting it moves scores by a median +1.2 points, from −6 to +4 for 90 % of city-months",
                   "the UTCI assumes a 2 m/s breeze"):
        assert quoted in shown, quoted
    fahrenheit = " ".join(text.method_paragraphs("°F", "en"))
    assert "from 1 at 79 °F to 0.1 at 115 °F" in fahrenheit


def test_the_figures_are_declared_where_the_science_is():
    assert score.HEAT_ONSET_C == 26.0 and score.stress_factor(score.HEAT_ONSET_C) == 1.0
    assert score.stress_factor(score.HEAT_ONSET_C + score.HEAT_SPAN_C) == 1 - score.MAX_PENALTY
    gated = [i for i in indices.INDICES.values() if i.utci_gate and i.key != "hci_beach"]
    assert gated and all(i.heat_onset_utci == score.HEAT_ONSET_C for i in gated)
    # every onset is where a UTCI stress class starts (the assessment scale, declared once in tables.py)
    assert indices.INDICES["hci_beach"].heat_onset_utci == 32.0 and score.HEAT_ONSET_C + score.HEAT_SPAN_C == 46.0
    assert wetdays.recorded_factor(REPO / "data") == 0.627           # recorded by the build (build_info.json)
    assert wetdays.recorded_factor(REPO / "no-such-dir") == wetdays.DEFAULT_FACTOR


def test_every_language_fills_the_figures_in(monkeypatch):
    for lang in i18n.LANGUAGES:
        shown = " ".join(text.method_paragraphs("°C", lang))
        assert "{" not in shown, lang
        for x, decimals in ((9.8, 1), (3.9, 1), (0.63, 2)):        # in the language's digits and decimal sign
            assert i18n.number(x, lang, decimals) in shown, (lang, x)
