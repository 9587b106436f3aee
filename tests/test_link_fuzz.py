"""Link parameters fuzzed (hypothesis): whatever text a link carries in ?home=, ?month=, ?style=
and ?lang=, the page renders without an exception, shows at most one note per parameter it did
not understand, and the text reaches the page only inside a code span (never as a link, an
image or markup). The parsers behind them are fuzzed in-process at many more examples."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from streamlit.testing.v1 import AppTest

from conftest import REPO
from recommender.climate.calendar import parse_month
from recommender.errors import RecommenderError
from recommender.present import i18n
from recommender.present.text import literal
from recommender.recommend import default_recommender

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["![x](http://127.0.0.1:9/t.png)", "[a](javascript:alert(1))", "<b>x</b>", "https://evil.example",
                     "%{y}", "=1+1", "x\x1b[31m\n", "١٢", "１２", "Ürümqi", "乌鲁木齐", "karachi", "12", "ur", "\u202e"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(text=HOSTILE)
def test_the_link_parsers_accept_or_refuse_clearly(text):
    rec = default_recommender()
    for parse in (rec.city, parse_month):
        try:
            parse(text)
        except RecommenderError:
            pass
    assert i18n.language(text) in i18n.LANGUAGES


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(home=HOSTILE, month=HOSTILE, style=HOSTILE, lang=HOSTILE)
def test_any_link_renders_with_its_text_shown_literally(home, month, style, lang):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    for k, v in (("home", home), ("month", month), ("style", style), ("lang", lang)):
        if v:
            at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    notes = [i.value for i in at.info]
    assert len(notes) <= 3
    for v in (home, month, style):
        if v and v.strip():
            for note in notes:
                if literal(v) in note:
                    rest = note.replace(literal(v), "")
                    assert "](" not in rest and "<" not in rest, rest
