"""Comfort indices are a registry: one declaration of a toy index reaches the engine, the
CLI's --style choices, the dashboard's trip styles, the method text and the headline."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO
from recommender.comfort import score_atlas
from recommender.comfort.indices import INDICES, ComfortIndex, Component, register, unregister
from recommender.present import text
from recommender.recommend import Recommender

# A toy index: comfort is just "not too far from 25 °C in the afternoon", on a 0–5 scale.
TOY = ComfortIndex(
    key="toy_warmth", style="warmth", name="TOY:Warmth", short="TOY", trip_style="Toy warmth seeking",
    components=(Component("warmth", 1, ("tmax_c",), lambda c: np.clip(5 - np.abs(c["tmax_c"] - 25) / 4, 0, 5)),),
    top=5.0, optimum=(23.0, 27.0), citation="a test fixture", utci_gate=False)


@pytest.fixture
def toy():
    register(TOY)
    yield TOY
    unregister(TOY.key)


def test_the_engine_scores_a_new_index_without_a_branch_for_it(toy, atlas):
    s = score_atlas(atlas[atlas.city_id == "karachi"], "warmth").set_index("month")
    assert list(s.filter(like="r_").columns) == ["r_warmth"]
    # Karachi's July afternoon 33.2 °C: 5 − 8.2/4 = 2.95 → 59; no gate for this index
    assert s.at[7, "score"] == pytest.approx(100 * (5 - abs(s.at[7, "et_c"] * 0 + 33.2 - 25) / 4) / 5, abs=1.5)
    assert (s["stress_factor"] == 1.0).all()


def test_cli_style_choices_include_it(toy):
    from recommender.cli import build_parser

    rc = build_parser()._subparsers._group_actions[0].choices["recommend"]
    style = next(a for a in rc._actions if a.dest == "style")
    assert "warmth" in style.choices and "TOY:Warmth" in style.help


def test_method_text_and_headline_use_it(toy, atlas):
    assert any("Toy warmth seeking: TOY:Warmth (a test fixture) weighs warmth 100 %." == p
               for p in text.method_paragraphs())
    res = Recommender(atlas).recommend("urumqi", 1, style="warmth")
    assert res.index is TOY and "(TOY " in text.headline(res) and "HCI" not in text.headline(res)
    assert text.basis(TOY) == "monthly climate normals: a typical afternoon of the month"


def test_dashboard_offers_it_as_a_trip_style(toy):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["home"] = "urumqi"
    at.query_params["month"] = "1"
    at.run()
    assert "warmth" in at.radio(key="style").options or any("Toy warmth" in o for o in at.radio(key="style").options)
    at.radio(key="style").set_value("warmth").run()
    assert not at.exception and "(TOY " in at.subheader[0].value


def test_registering_twice_is_refused(toy):
    with pytest.raises(ValueError):
        register(TOY)
    assert INDICES["hci_urban"].name == "HCI:Urban"
