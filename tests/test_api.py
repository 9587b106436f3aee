"""The JSON API (recommender/api.py): the CLI's documents over HTTP, errors as 4xx JSON naming
the parameter, caching headers, CORS and the OpenAPI description — with FastAPI's TestClient and
against a real uvicorn server on a loopback port."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from meteostat_mirror import free_port
from recommender.api import create_app
from recommender.present.documents import document
from recommender.recommend import default_recommender


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), raise_server_exceptions=False)


def test_recommend_is_the_clis_document(client):
    r = client.get("/v1/recommend", params={"home": "urumqi", "month": "1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json() == json.loads(json.dumps(document(default_recommender().recommend("urumqi", 1))))
    cli = subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", "urumqi", "--month", "1",
                          "--format", "json"], cwd=REPO, capture_output=True, text=True, check=True)
    assert r.json() == json.loads(cli.stdout)                      # one serializer for both
    assert r.json()["partners"][0]["id"] == "karachi"


def test_every_endpoint_answers_with_its_document(client):
    rec = default_recommender()
    assert client.get("/v1/profile", params={"city": "karachi"}).json() == \
        json.loads(json.dumps(document(rec.profile("karachi"))))
    w = client.get("/v1/windows", params={"a": "urumqi", "b": "karachi"}).json()
    assert w["a_to_b"] == [[11, 12, 1, 2, 3]] and w["b_to_a"] == [[4, 5, 6, 7, 8, 9, 10]]
    pairs = client.get("/v1/pairs", params={"country": "PK", "limit": 3}).json()
    assert len(pairs["pairs"]) == 3 and pairs["pairs_total"] > 3
    plan = client.get("/v1/plan", params={"home": "urumqi", "from": "2027-02-05", "to": "2027-02-10"}).json()
    assert plan["from"] == "2027-02-05" and plan["partners"][0]["id"] == "karachi"
    found = client.get("/v1/cities", params={"q": "卡拉奇"}).json()          # a native name finds the city
    assert [c["id"] for c in found["cities"]] == ["karachi"] and found["cities"][0]["name_ur"] == "کراچی"
    zh = client.get("/v1/recommend", params={"home": "urumqi", "month": "1", "lang": "zh"}).json()
    assert "卡拉奇" in zh["headline"]["text"] and zh["headline"]["lang"] == "zh"
    ics = client.get("/v1/calendar.ics", params={"home": "urumqi"})
    assert ics.headers["content-type"].startswith("text/calendar") and ics.text.startswith("BEGIN:VCALENDAR")
    assert "attachment" in ics.headers["content-disposition"]


@pytest.mark.parametrize("url, status, parameter", [
    ("/v1/recommend?home=nowhere-at-all&month=1", 404, "home"),
    ("/v1/recommend?home=urumqi&month=13", 400, "month"),
    ("/v1/recommend?home=urumqi", 400, "month"),
    ("/v1/recommend?home=urumqi&month=1&style=ski", 400, "style"),
    ("/v1/recommend?home=urumqi&month=1&band=30-20", 400, "band"),
    ("/v1/recommend?home=urumqi&month=1&country=Narnia", 400, "country"),
    ("/v1/recommend?home=urumqi&month=1&lang=xx", 400, "lang"),
    ("/v1/cities?country=ZZ", 400, "country"),     # a search without letters or digits: tests/test_inputs.py
    ("/v1/windows?a=urumqi&b=urumqi", 400, "b"),
    ("/v1/plan?home=urumqi&from=2027-02-10&to=2027-02-01", 400, "to"),
    ("/v1/plan?home=urumqi&from=tomorrow&to=2027-02-01", 400, "from"),
    ("/v1/pairs?limit=0", 400, "limit"),
    ("/v1/nothing-here", 404, None),
])
def test_bad_input_is_a_4xx_json_error_naming_the_parameter(client, url, status, parameter):
    r = client.get(url)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["parameter"] == parameter and err["message"] and "Traceback" not in r.text
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("url, message", [
    ("/v1/pairs?limit=0", "limit takes a whole number from 1 to 5000; got '0'."),          # the CLI's words
    ("/v1/cities?limit=abc", "limit takes a whole number from 1 to 1000; got 'abc'."),     # each endpoint's own bounds
    ("/v1/windows?a=urumqi&b=karachi&year=3000", "year takes a whole number from 1950 to 2100; got '3000'."),
    ("/v1/plan?home=urumqi&from=2027-13-01&to=2027-02-01", "from takes a date as YYYY-MM-DD, e.g. 2027-01-10; got '2027-13-01'."),
    ("/v1/recommend?home=urumqi", "month is required; see /docs for this endpoint's parameters."),
    ("/v1/recommend?home=urumqi&month=1&style=ski", "style: Input should be 'urban', 'beach' or 'tci'; got 'ski'."),
])
def test_a_rejected_parameter_is_told_what_it_takes_and_what_it_got(client, url, message):
    assert client.get(url).json()["error"]["message"] == message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["recommend", "profile", "windows", "plan", "pairs", "cities", "calendar.ics"]),
       params=st.dictionaries(st.sampled_from(["home", "month", "city", "a", "b", "from", "to", "style", "band",
                                               "country", "limit", "q", "lang", "year", "daily", "sort"]),
                              st.text(max_size=30), max_size=6))
def test_no_query_makes_a_500(client, path, params):
    r = client.get(f"/v1/{path}", params=params)
    assert r.status_code < 500, (path, params, r.text)
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"parameter", "message"}


def test_etag_and_cache_control_follow_the_atlas_and_a_match_is_304(client):
    r = client.get("/v1/recommend?home=karachi&month=7")
    etag = r.headers["etag"]
    assert etag.startswith('"') and "max-age=" in r.headers["cache-control"]
    again = client.get("/v1/recommend?home=karachi&month=7", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get("/v1/recommend?home=karachi&month=8")
    assert other.headers["etag"] != etag


def test_cors_lets_any_site_embed_the_answers(client):
    r = client.get("/v1/profile?city=lahore", headers={"Origin": "https://www.lahore.gov.pk"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = client.options("/v1/profile?city=lahore", headers={"Origin": "https://example.org",
                                                             "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and "GET" in pre.headers["access-control-allow-methods"]


def test_the_openapi_description_lists_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/cities", "/v1/recommend", "/v1/profile", "/v1/windows", "/v1/pairs", "/v1/plan",
            "/v1/calendar.ics"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_a_real_server_answers_on_loopback_and_stops():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "recommender", "api", "--port", str(port)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/recommend?home=lahore&month=1", timeout=5) as r:
                    doc = json.loads(r.read())
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.2)
        assert doc["home"]["id"] == "lahore"
        with pytest.raises(urllib.error.HTTPError) as bad:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/recommend?home=lahore&month=0", timeout=5)
        assert bad.value.code == 400 and json.loads(bad.value.read())["error"]["parameter"] == "month"
    finally:
        proc.terminate()
        assert proc.wait(15) in (0, -15)


def test_the_api_option_rejects_a_bad_port_in_one_line():
    p = subprocess.run([sys.executable, "-m", "recommender", "api", "--port", "99999"], cwd=REPO,
                       capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.strip().splitlines()[-1].startswith("error:") and "Traceback" not in p.stderr


def test_head_a_calendar_of_any_name_and_unknown_parameters(client):
    assert client.head("/v1/profile?city=karachi").status_code == 200
    # a city whose name is not Latin-1 (Adapazarı): the download is named by its ASCII id
    ics = client.get("/v1/calendar.ics", params={"home": "Adapazarı"})
    assert ics.status_code == 200 and ics.headers["content-disposition"] == 'attachment; filename="adapazari.ics"'
    # parameters the endpoint does not take, and their order, ask the same question (one cached answer)
    a = client.get("/v1/recommend?home=lahore&month=2&x=1")
    b = client.get("/v1/recommend?month=2&home=lahore&x=2")
    assert a.status_code == b.status_code == 200 and a.headers["etag"] == b.headers["etag"]
    assert client.get("/healthz").json()["status"] == "ok"
