"""Every option is checked where it enters, by one rule in recommender/options.py that the CLI and
the API share: a country of the registry, a comfort band within −40..50 °C, a limit of 1..5000, a
city search with letters or digits, two different cities for a pair. The CLI says what is wrong
in one `error:` line with status 2 (the API: a 400 naming the parameter); never a traceback.
The terminal: a stdout that cannot encode a city's name, a closed, a broken or a full one."""

import contextlib
import io
import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from recommender.api import create_app
from recommender.cli import main


def cli(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "recommender", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, **kw)


def shell(command: str, env=None):
    return subprocess.run(f"{sys.executable} -m recommender {command}", shell=True, capture_output=True, text=True,
                          cwd=REPO, executable="/bin/bash", env={**os.environ, **(env or {})})


def one_error(p, option: str) -> str:
    """Status 2, exactly one `error:` line on stderr and it names `option`; no traceback."""
    assert p.returncode == 2, (p.returncode, p.stdout[:300], p.stderr)
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in p.stderr, p.stderr
    assert option in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), raise_server_exceptions=False)


def api_error(client, url: str, parameter: str, status: int = 400) -> str:
    r = client.get(url)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["parameter"] == parameter and "Traceback" not in r.text
    return err["message"]


# ---------------------------------------------------------------------------- --country


@pytest.mark.parametrize("args", [
    ["recommend", "--home", "karachi", "--month", "1"],
    ["plan", "--home", "karachi", "--from", "2027-02-01", "--to", "2027-02-03"],
    ["pairs"],
    ["cities"],
    ["refresh"],
])
def test_an_unknown_country_code_is_an_error_naming_close_ones(args, tmp_path):
    line = one_error(cli(*args, "--country", "ZZ", env={"RECOMMENDER_HOME": str(tmp_path)}), "--country")
    assert "'ZZ' is not a country of the registry" in line and "ZA (South Africa)" in line


def test_a_country_with_no_city_or_a_misspelt_name_says_which_is_meant():
    assert "(Antarctica) has no city in the registry" in one_error(
        cli("recommend", "--home", "karachi", "--month", "1", "--country", "AQ"), "--country")
    assert "did you mean PK (Pakistan)?" in one_error(cli("pairs", "--country", "Pakistn"), "--country")


def test_a_known_country_by_code_or_name_still_filters():
    p = cli("recommend", "--home", "karachi", "--month", "7", "--country", "cn", "--format", "json")
    assert p.returncode == 0 and {c["country"] for c in json.loads(p.stdout)["partners"]} == {"CN"}
    p = cli("cities", "--country", "Pakistan")
    assert p.returncode == 0 and p.stdout and all("(PK)" in ln for ln in p.stdout.splitlines())


@pytest.mark.parametrize("url", ["/v1/recommend?home=urumqi&month=1&country=ZZ", "/v1/cities?country=zz",
                                 "/v1/pairs?country=ZZ", "/v1/plan?home=urumqi&from=2027-02-01&to=2027-02-02&country=ZZ"])
def test_api_an_unknown_country_code_is_a_400_naming_close_ones(client, url):
    assert "ZA (South Africa)" in api_error(client, url, "country")


# ---------------------------------------------------------------------------- --band


@pytest.mark.parametrize("band", ["-50-10", "40-60", "-45--41", "51-60", "24-18", "1e3-2e3"])
def test_a_band_outside_the_physical_range_is_an_error_giving_the_range(band):
    line = one_error(cli("recommend", "--home", "karachi", "--month", "1", f"--band={band}"), "--band")
    assert "-40 ≤ LOW < HIGH ≤ 50" in line


def test_api_a_band_outside_the_range_is_a_400_giving_it(client):
    message = api_error(client, "/v1/profile?city=karachi&band=45-60", "band")
    assert message.startswith("band takes") and "-40 ≤ LOW < HIGH ≤ 50" in message


def test_the_ends_of_the_range_are_a_band():
    assert cli("profile", "--city", "karachi", "--band=-40-50", "--format", "json").returncode == 0


# ---------------------------------------------------------------------------- --limit


@pytest.mark.parametrize("limit", ["0", "-3", "x", "2.5", "5001", "1" * 5000])
def test_a_limit_that_is_not_1_to_5000_is_an_error(limit):
    line = one_error(cli("pairs", f"--limit={limit}"), "--limit")
    assert "a whole number from 1 to 5000" in line and len(line) < 300


def test_a_good_limit_limits():
    p = cli("pairs", "--limit", "2", "--format", "json")
    assert p.returncode == 0 and len(json.loads(p.stdout)["pairs"]) == 2


@pytest.mark.parametrize("url", ["/v1/pairs?limit=0", "/v1/pairs?limit=5001", "/v1/cities?limit=1001",
                                 "/v1/cities?limit=x"])
def test_api_a_limit_out_of_range_is_a_400(client, url):
    assert api_error(client, url, "limit")


# ---------------------------------------------------------------------------- a city search


@pytest.mark.parametrize("text", ["!!!", "   ", "-", "", "'’`"])
def test_a_search_without_letters_or_digits_finds_nothing_and_says_so(text):
    p = cli("cities", text)
    assert p.returncode == 0 and p.stdout == "", p.stdout[:300]
    assert "no letters or digits, so it finds no city" in p.stderr and "error:" not in p.stderr
    assert "Traceback" not in p.stderr


def test_a_search_with_letters_still_finds():
    p = cli("cities", "urumqi")
    assert p.returncode == 0 and p.stdout.startswith("urumqi ") and len(p.stdout.splitlines()) == 1


@pytest.mark.parametrize("q", ["!!!", "   ", "-"])
def test_api_a_search_without_letters_or_digits_finds_nothing_and_says_so(client, q):
    r = client.get("/v1/cities", params={"q": q})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 0 and body["cities"] == [] and "no letters or digits" in body["message"]


# ---------------------------------------------------------------------------- home and partner


@pytest.mark.parametrize("home, partner", [("karachi", "karachi"), ("urumqi", "Ürümqi"), ("Karachi", "karachi")])
def test_a_partner_that_is_the_home_city_is_an_error(home, partner):
    line = one_error(cli("windows", "--home", home, "--partner", partner), "--partner")
    assert line.startswith("error: --partner is the same city as --home")


def test_api_a_pair_of_one_city_is_a_400(client):
    assert "same city as a" in api_error(client, "/v1/windows?a=urumqi&b=%C3%9Cr%C3%BCmqi", "b")


# ---------------------------------------------------------------------------- the terminal


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stdout_that_cannot_encode_a_name_gets_escapes_and_json_stays_json(encoding):
    env = {"PYTHONIOENCODING": encoding}
    p = subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", "urumqi", "--month", "1",
                        "--format", "json"], capture_output=True, cwd=REPO, env={**os.environ, **env})
    assert p.returncode == 0 and b"Traceback" not in p.stderr, p.stderr
    doc = json.loads(p.stdout.decode(encoding))
    assert doc["home"]["name"] == "Ürümqi" and doc["home"]["name_zh"] == "乌鲁木齐"
    p = cli("cities", "urumqi", env=env, encoding=encoding)
    assert p.returncode == 0 and p.stderr == "" and "\\u4e4c\\u9c81\\u6728\\u9f50" in p.stdout
    p = cli("recommend", "--home", "urumqi", "--month", "1", env=env, encoding=encoding)
    assert p.returncode == 0 and p.stderr == ""
    assert ("\\u00dcr\\u00fcmqi" if encoding == "ascii" else "Ürümqi") in p.stdout


def test_the_c_locale_is_no_crash():
    p = cli("profile", "--city", "urumqi", env={"LANG": "C", "LC_ALL": "C"})
    assert p.returncode == 0 and "Traceback" not in p.stderr and "Ürümqi (CN)" in p.stdout


def test_a_reader_that_is_gone_at_once_is_a_quiet_stop():
    p = shell("recommend --home urumqi --month 1 | head -c0; exit ${PIPESTATUS[0]}")
    assert p.returncode == 0 and p.stderr == "", p.stderr
    pr = subprocess.Popen([sys.executable, "-m", "recommender", "recommend", "--home", "karachi", "--month", "1"],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pr.stdout.close()                       # before it writes anything
    _, err = pr.communicate(timeout=120)
    assert pr.returncode == 0 and err == "", err


def test_a_closed_stdout_is_one_error_line():
    line = one_error(shell("recommend --home urumqi --month 1 >&-"), "error:")
    assert "standard output is closed" in line


def test_a_full_stdout_is_one_error_line():
    line = one_error(shell("recommend --home urumqi --month 1 > /dev/full"), "error:")
    assert line == "error: cannot write the output: No space left on device."


# ---------------------------------------------------------------------------- any text at all


def _maybe(*good: str):
    return st.one_of(st.none(), st.text(max_size=12), st.sampled_from(good))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["recommend", "pairs", "windows"]),
       home=_maybe("karachi", "Ürümqi", "lahore"), month=_maybe("1", "july", "12"),
       country=_maybe("PK", "cn", "ZZ", "Pakistan"), band=_maybe("18-24", "-5-10", "60-70"),
       limit=_maybe("3", "0", "-1"), partner=_maybe("karachi", "urumqi"))
def test_no_option_value_makes_an_unexpected_exception(monkeypatch, command, home, month, country, band, limit,
                                                       partner):
    monkeypatch.delenv("RECOMMENDER_DEBUG", raising=False)
    given_options = {"recommend": {"home": home, "month": month, "country": country, "band": band},
                     "pairs": {"limit": limit, "country": country, "band": band},
                     "windows": {"home": home, "partner": partner, "band": band}}[command]
    argv = [command, *(f"--{k}={v}" for k, v in given_options.items() if v is not None)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:            # argparse: a missing or malformed option
            code = exc.code
    assert code in (0, 2), (argv, code, err.getvalue())
    if code == 2:
        assert sum(ln.startswith("error:") for ln in err.getvalue().splitlines()) == 1, (argv, err.getvalue())
    assert "Traceback" not in err.getvalue()
