"""One JSON document per typed result (present/documents.py): every result the CLI, the export
and the API serve has one, built from the result alone and JSON-serialisable."""

import json

import pytest

from recommender.present.documents import document
from recommender.recommend import Recommender


@pytest.fixture(scope="module")
def rec(atlas):
    return Recommender(atlas)


def test_every_result_has_one_document_of_json_types(rec):
    results = [rec.recommend("urumqi", 1), rec.year("urumqi"), rec.profile("karachi"), rec.exchange("urumqi", "karachi"),
               rec.pair_ranking(city="urumqi", limit=3)]
    for r in results:
        doc = document(r)
        assert json.loads(json.dumps(doc)) == doc, type(r).__name__
    with pytest.raises(TypeError, match="no JSON document for dict"):
        document({})


def test_the_year_document_is_the_result_itself(rec):
    year = rec.year("urumqi")
    doc = document(year)
    karachi = next(p for p in doc["partners"] if p["id"] == "karachi")
    y = year.partner("karachi")
    assert [m["score"] for m in karachi["months"]] == list(y.scores)
    assert [m["in_window"] for m in karachi["months"]] == [m in y.window for m in range(1, 13)]
    # delta: partner − home, rounded to 0.1 (hand check for January)
    assert karachi["months"][0]["delta"] == round(y.scores[0] - year.home.scores[0], 1)
    assert karachi["windows"] == [[11, 12, 1, 2, 3]] and doc["home"]["name_zh"] == "乌鲁木齐"
    assert doc["good"] == year.good and doc["margin"] == year.margin


def test_a_ranking_document_keeps_the_filters_and_the_total(rec):
    r = rec.pair_ranking(country="PK", sort="complementarity", limit=2)
    doc = document(r)
    assert (doc["sort"], doc["country"], doc["pairs_total"], len(doc["pairs"])) == ("complementarity", "PK", r.total, 2)
    assert doc["pairs"][0]["complementarity"] >= doc["pairs"][1]["complementarity"]
