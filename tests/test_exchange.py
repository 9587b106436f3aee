"""The exchange explorer: every pair ranked by two-way exchange potential (library, CLI, page)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import REPO
from recommender.recommend import Recommender


@pytest.fixture(scope="module")
def rec(atlas):
    return Recommender(atlas)


def test_urumqi_karachi_is_among_the_strongest_china_pakistan_pairs(rec):
    cpk = {frozenset(p) for p, s in zip(zip(rec.pairs["city_a"], rec.pairs["city_b"]), rec.pairs["source"])
           if "china_pakistan_pairs" in s}
    total, ranked = rec.exchanges(country="PK")
    ours = [p for p in ranked if frozenset((p.a.id, p.b.id)) in cpk]
    assert len(ours) >= 15 and total >= len(ours)
    top = [frozenset((p.a.id, p.b.id)) for p in ours[:3]]
    assert frozenset(("urumqi", "karachi")) in top
    uk = next(p for p in ours if {p.a.id, p.b.id} == {"urumqi", "karachi"})
    assert uk.a.id == "karachi"                                   # the Pakistani city is A when filtering by PK
    assert uk.b_to_a == [[11, 12, 1, 2, 3]] and uk.a_to_b == [[4, 5, 6, 7, 8, 9, 10]] and uk.two_way


def test_ranking_and_complementarity_by_hand(rec):
    total, ranked = rec.exchanges(city="urumqi")
    assert total == len(ranked) and all(p.a.id == "urumqi" for p in ranked)
    keys = [(not p.two_way, -(p.a_months + p.b_months), -min(p.a_months, p.b_months), -p.complementarity)
            for p in ranked]
    assert keys == sorted(keys)
    sc = rec.scored("urban")
    k = next(p for p in ranked if p.b.id == "karachi")
    r = np.corrcoef(sc.score[sc.pos["urumqi"]], sc.score[sc.pos["karachi"]])[0, 1]
    assert k.complementarity == pytest.approx((1 - r) / 2, abs=0.001)
    assert k.a_months == len(rec.window_months(sc, "urumqi", "karachi"))


def test_cli_pairs_has_the_same_numbers(rec):
    p = subprocess.run([sys.executable, "-m", "recommender", "pairs", "--country", "PK", "--sort", "exchange",
                        "--format", "json"], capture_output=True, text=True, cwd=REPO)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    total, ranked = rec.exchanges(country="PK")
    assert doc["pairs_total"] == total and len(doc["pairs"]) == total
    first = doc["pairs"][0]
    assert set(first) == {"a", "b", "a_to_b", "b_to_a", "a_months", "b_months", "complementarity", "two_way"}
    assert [(x["a"]["id"], x["b"]["id"], x["a_months"], x["b_months"], x["complementarity"]) for x in doc["pairs"]] == \
        [(p.a.id, p.b.id, p.a_months, p.b_months, p.complementarity) for p in ranked]


def test_the_explorer_tab_filters_by_country_and_city():
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["home"] = "karachi"
    at.query_params["view"] = "Exchange explorer"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["city A"].str.endswith("(PK)").all() or table["city B"].str.contains("(PK)").all()
    at.selectbox(key="ex_country").set_value("CN").run()
    at.selectbox(key="ex_city").set_value("urumqi").run()
    table = at.dataframe[0].value
    assert set(table["city A"]) == {"Ürümqi (CN)"} and "Karachi (PK)" in set(table["city B"])
    row = table[table["city B"] == "Karachi (PK)"].iloc[0]
    assert row["A → B"] == "Nov–Mar" and row["B → A"] == "Apr–Oct"
    at.selectbox(key="ex_pair").set_value(list(table["city B"]).index("Karachi (PK)")).run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
