"""Names from the data files (cities, countries) are data in every medium: never markdown, HTML,
a Plotly tag or placeholder, a spreadsheet formula, a terminal control or an iCalendar property.
The escape functions of present/safe_text.py by hand-checked values and by property, then the real
outputs (the report, the CSV, the charts, the calendar, the CLI, the dashboard) with a city renamed
to hostile text."""

import csv
import dataclasses
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from recommender.present import safe_text
from recommender.present.safe_text import csv_cell, ics_text, markdown, plotly, terminal

WJ = "\u2060"
# Markdown, a link, a bare URL, HTML, Plotly tags, LaTeX, a Streamlit colour, a hovertemplate
# placeholder, iCalendar separators, a terminal colour, a line break and a bidi override; it
# starts with = (a spreadsheet formula).
HOSTILE = ('=HYPERLINK("http://evil.example") **bold** [x](http://a) https://evil.example <a href="http://x">L</a> '
           '<b>B</b> $x$ :red[r] %{y} ;,\\ \x1b[31mRED\r\nNEXT\u202eLTR')
RAW = ("**bold**", "[x](http://a)", "https://evil.example", '<a href="http://x">', "<b>B</b>", ":red[r]", "$x$")
CONTROLS = ("\x1b", "\r", "\n", "\u202e")


# ---------------------------------------------------------------------------- the functions, by hand


@pytest.mark.parametrize("text, expected", [
    ("https://evil.example", "https:" + WJ + "//evil.example"),
    ("[x](http://a)", r"\[x\](http:" + WJ + "//a)"),
    ("**bold**", r"\*\*bold\*\*"),
    ("<a href=x>L</a>", r"\<a href=x\>L\</a\>"),
    ("$x$", r"\$x\$"),
    (":red[x]", ":" + WJ + r"red\[x\]"),
    (":smile:", ":" + WJ + "smile:"),
    ("www.evil.example", "www" + WJ + ".evil.example"),
    ("a@b.example", "a@" + WJ + "b.example"),
    ("- item", r"\- item"),
    ("12. item", r"12\. item"),
    ("# head", r"\# head"),
    ("`code` ~~s~~ &amp; a|b _i_", r"\`code\` \~\~s\~\~ \&amp; a\|b \_i\_"),
    ("back\\slash", "back\\\\slash"),
    ("line\nbreak", "line\ufffdbreak"),
    ("Ürümqi's sister cities (HCI 88, good): 1991–2020.", "Ürümqi's sister cities (HCI 88, good): 1991–2020."),
])
def test_markdown_escapes_by_hand(text, expected):
    assert markdown(text) == expected


def test_html_plotly_csv_terminal_and_ics_by_hand():
    assert safe_text.html('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;"
    assert plotly("<b>x</b><br>%{y} & 5%") == "&lt;b&gt;x&lt;/b&gt;&lt;br&gt;&#37;{y} &amp; 5&#37;"
    assert [csv_cell(v) for v in ["=1+1", "+cmd", "-cmd", "@SUM(A1)", "\tx", "\rx", "Karachi", "", "a=b"]] == \
        ["'=1+1", "'+cmd", "'-cmd", "'@SUM(A1)", "'\tx", "'\rx", "Karachi", "", "a=b"]
    assert [csv_cell(v) for v in ["-3", "+2.5", "-1e3", 5, -2.5, True]] == ["-3", "+2.5", "-1e3", 5, -2.5, True]
    assert terminal("a\x1b[31mb\r\nc\u202ed\x85e\tf\u2066g\x7f") == \
        "a\ufffd[31mb\ufffd\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffd"
    assert terminal("Ürümqi → 乌鲁木齐 · کراچی") == "Ürümqi → 乌鲁木齐 · کراچی"
    assert terminal("a\u2028b\u2029c") == safe_text.plain("a\u2028b\u2029c") == "a\ufffdb\ufffdc"
    assert safe_text.json_text("a\u2028b") == '"a\\u2028b"'
    assert safe_text.plain_cells(pd.DataFrame({"c": ["a\u2028b"]}))["c"].tolist() == ["a\ufffdb"]
    assert ics_text("a;b,c\\d\ne\r\nf\rg\x1bh\u202ei\x00j") == "a\\;b\\,c\\\\d\\ne\\nf\\nghij"
    assert safe_text.plain("a\x1bb\r\nc\u202ed\u2066e\u2069") == "a\ufffdb\ufffd\ufffdc\ufffdd\u2066e\u2069"
    frame = safe_text.plain_cells(pd.DataFrame({"city\n": ["K\u202eL", "Ürümqi"], "score": [97, 36], "note": [None, "a\tb"]}))
    assert frame.columns.tolist() == ["city\ufffd", "score", "note"] and frame["score"].tolist() == [97, 36]
    assert frame["city\ufffd"].tolist() == ["K\ufffdL", "Ürümqi"] and frame["note"].tolist()[1] == "a\ufffdb"
    assert safe_text.json_text({"n": "Ü\x1b\x7f\x9b\u202e\u2066x"}) == '{"n": "Ü\\u001b\\u007f\\u009b\\u202e\\u2066x"}'


# ---------------------------------------------------------------------------- the functions, by property

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
SPECIALS = "\\`*_~[]<>&$|#"


def _markdown_source_to_text(t: str) -> str:
    """What a markdown renderer shows for text that has only backslash escapes (and joiners)."""
    return re.sub(r"\\(.)", r"\1", t.replace(WJ, ""))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_properties_of_every_escape(s):
    clean = "".join(ch for ch in s if not safe_text._is_control(ch) and ch not in safe_text.BIDI_OVERRIDES)
    out = csv_cell(s)
    assert not out.startswith(safe_text.FORMULA_STARTS) or re.fullmatch(r"[+-]?[\d.eE+-]+", out)
    assert out in (s, "'" + s)

    t = terminal(s)
    assert not any(unicodedata.category(ch) == "Cc" or ch in safe_text.BIDI_CONTROLS for ch in t)
    assert len(t) == len(s)

    j = safe_text.json_text({"name": s})
    assert not any(unicodedata.category(ch) == "Cc" or ch in safe_text.BIDI_CONTROLS for ch in j)
    assert json.loads(j) == {"name": s}

    h = safe_text.html(s)
    assert not any(ch in h for ch in "<>\"'\u202e") and html.unescape(h) == safe_text._without_controls(s)

    p = plotly(s)
    assert not any(x in p for x in ("<", ">", "%{", "\u202e")) and html.unescape(p) == safe_text._without_controls(s)

    m = markdown(clean)
    assert _markdown_source_to_text(m) == clean.replace(WJ, "")          # shown exactly as the data says
    unescaped = re.sub(r"\\.", "\x00", m)                               # what is left outside the escapes
    assert not any(ch in unescaped for ch in SPECIALS), m
    assert not re.search(r"[:@][^\s" + WJ + "]", unescaped) and not re.search(r"(?i)www\.", unescaped)
    assert not re.match(r"\s*([-+]|\d{1,9}[.)])", unescaped)

    i, k = ics_text(s), 0
    assert not any(unicodedata.category(ch) == "Cc" for ch in i)
    while k < len(i):                              # only the four escapes; no bare ; or ,
        assert i[k] not in ";,", i
        if i[k] == "\\":
            assert i[k + 1] in "\\;,n", i
            k += 1
        k += 1


# ---------------------------------------------------------------------------- real outputs, a city renamed


@pytest.fixture(scope="module")
def rec(atlas):
    from recommender.recommend import Recommender

    return Recommender(atlas)


def _renamed(ref):
    return dataclasses.replace(ref, name=HOSTILE, names=())


@pytest.fixture(scope="module")
def year(rec):
    """Ürümqi's year with Karachi renamed to the hostile text."""
    y = rec.year("urumqi", style="urban")
    partners = tuple(dataclasses.replace(p, city=_renamed(p.city)) if p.city.id == "karachi" else p for p in y.partners)
    return dataclasses.replace(y, partners=partners)


@pytest.fixture(scope="module")
def res(rec):
    r = rec.recommend("urumqi", 1, style="urban")
    partners = tuple(dataclasses.replace(p, city=_renamed(p.city)) if p.city.id == "karachi" else p for p in r.partners)
    return dataclasses.replace(r, partners=partners)


def test_the_html_report_shows_names_and_countries_as_text(res, monkeypatch):
    from recommender.present import exports, text

    monkeypatch.setattr(text, "country", lambda code, lang="en": "<i>Pak</i>istan" if code == "PK" else code)
    page = exports.report_html(res, {}, text.headline(res), today=date(2026, 1, 1)).decode("utf-8")
    assert safe_text.html(HOSTILE) in page and "&lt;i&gt;Pak&lt;/i&gt;istan" in page
    assert "<b>B</b>" not in page and '<a href="http://x">' not in page and "<i>" not in page
    assert not any(c in page for c in CONTROLS[:2] + ("\u202e",))


def test_the_csv_export_has_no_formula_cell(year):
    from recommender.present import exports

    table = exports.recommendations_table(year)
    data = exports.to_csv(table).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    karachi = [r for r in rows if r["partner_id"] == "karachi"]
    assert len(karachi) == 12 and all(r["partner_name"] == "'" + HOSTILE for r in karachi)
    for r in rows:
        assert not any(v.startswith(safe_text.FORMULA_STARTS) and not re.fullmatch(r"[+-]?[\d.]+", v) for v in r.values())
    other = next(r for r in rows if r["partner_id"] != "karachi")
    assert float(other["score"]) == pytest.approx(float(table.loc[table.partner_id == other["partner_id"], "score"].iloc[0]))


@pytest.mark.parametrize("name", ["\r=1", "a\rb", "x\n@SUM(A1)", "\r\n+1"])
def test_a_line_break_in_a_name_never_starts_a_row_of_the_csv(name):
    """A bare CR ends a row for a spreadsheet and for Python's csv reader: unquoted, "\r=1" was a
    new row whose first cell is the formula =1. Every cell with a line break is quoted (CRLF rows)."""
    from recommender.present import exports

    table = pd.DataFrame({"partner_name": [name, "Karachi"], "score": [97.0, 36.0]})
    raw = exports.to_csv(table).decode("utf-8")
    assert list(csv.reader(io.StringIO(raw, newline=""))) == [["partner_name", "score"], [csv_cell(name), "97.0"],
                                                               ["Karachi", "36.0"]]
    assert list(pd.read_csv(io.StringIO(raw))["partner_name"]) == [csv_cell(name), "Karachi"]


def _strings(obj):
    """Every string of a figure's JSON (names, texts, templates, tick labels, annotations)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif hasattr(obj, "tolist"):
        yield from _strings(obj.tolist())


def _assert_inert(fig):
    strings = list(_strings(fig.to_plotly_json()))
    assert any(plotly(HOSTILE) in s for s in strings)          # the name is there, escaped
    for s in strings:
        assert not any(r in s for r in ("<b>B</b>", '<a href="http://x">', "%{y} ;", *CONTROLS)), s


def test_every_chart_shows_the_name_as_text(rec, year):
    from recommender.present import charts

    for fig in (charts.comfort_curves(year, 1), charts.partner_heatmap(year, 1), charts.climate_panel(year, "karachi"),
                charts.partner_map(year, 1), charts.window_strip(year, 1)):
        _assert_inert(fig)
    curve = next(t for t in charts.comfort_curves(year, 1).data if t.name.startswith("=HYPERLINK"))
    assert curve.name == plotly(HOSTILE) and curve.hovertemplate.count("%{") == 4      # only the template's own
    ex = rec.exchange("urumqi", "karachi", today=date(2026, 11, 27))
    ex = dataclasses.replace(ex, b=_renamed(ex.b))
    _assert_inert(charts.exchange_calendar(ex))
    _assert_inert(charts.daily_comfort(ex.way("a_to_b"), ex.period))


def test_the_calendar_escapes_names_and_folds_its_lines(year):
    from icalendar import Calendar

    from recommender.present import exports

    raw = exports.to_ics(year, today=date(2026, 11, 27))
    assert not any(c.encode() in raw for c in ("\x1b", "\u202e"))
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)                          # folded at 75 octets
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert ics_text(HOSTILE) in unfolded
    events = [c for c in Calendar.from_ical(raw).walk() if c.name == "VEVENT"]
    summaries = [str(e.get("summary")) for e in events if "-karachi-" in str(e.get("uid"))]
    wanted = HOSTILE.replace("\x1b", "").replace("\u202e", "").replace("\r\n", "\n")
    assert summaries and all(wanted in s for s in summaries)
    assert all(set(e) <= {"UID", "SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "DESCRIPTION", "CATEGORIES"} for e in events)


# ---------------------------------------------------------------------------- the CLI and the dashboard, on a renamed data file


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    return hostile_copy(tmp_path_factory.mktemp("hostile") / "data")


def hostile_copy(data):
    """A copy of data/ at `data` in which Karachi's name in cities.csv is the hostile text (also
    the browser test's)."""
    shutil.copytree(REPO / "data", data)
    path = data / "cities.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("name")
    for r in rows[1:]:
        if r[0] == "karachi":
            r[col] = HOSTILE
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return data


def _cli(data, *args):
    p = subprocess.run([sys.executable, "-m", "recommender", *args], capture_output=True, cwd=REPO,
                       env={**os.environ, "RECOMMENDER_DATA": str(data), "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 0, p.stderr
    return p.stdout.decode("utf-8")          # bytes as written: no \r lost to universal newlines


@pytest.mark.integration
def test_the_cli_table_lets_no_control_character_reach_the_terminal(hostile_data):
    for args in (["recommend", "--home", "urumqi", "--month", "1"], ["windows", "--home", "urumqi", "--partner", "karachi"],
                 ["cities", "karachi"], ["plan", "--home", "urumqi", "--from", "2027-01-10", "--to", "2027-01-20"]):
        out = _cli(hostile_data, *args)
        assert not any(c in out for c in ("\x1b", "\r", "\u202e")), (args, out)
        named = [line for line in out.split("\n") if "RED" in line]
        assert named and all("\ufffd[31mRED\ufffd\ufffdNEXT\ufffdLTR" in line for line in named), (args, named)
        assert not any(line.startswith("NEXT") for line in out.split("\n"))     # no line made by a name
        if args[0] == "cities":             # a listing only: no --format
            continue
        doc = _cli(hostile_data, *args, "--format", "json")
        assert not any(c in doc for c in ("\x1b", "\r", "\u202e")), (args, doc)
        assert HOSTILE in _strings(json.loads(doc)), args                     # the same name, as data


def _strings(doc) -> set[str]:
    """Every string value of a JSON document, however deep."""
    if isinstance(doc, dict):
        return set().union(*map(_strings, doc.values()))
    if isinstance(doc, list):
        return set().union(*map(_strings, doc))
    return {doc} if isinstance(doc, str) else set()


@pytest.mark.integration
def test_the_cli_csv_has_no_formula_cell(hostile_data):
    out = _cli(hostile_data, "recommend", "--home", "urumqi", "--month", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    karachi = next(r for r in rows if r["id"] == "karachi")
    assert karachi["city"] == "'" + HOSTILE
    assert any(r["delta"].startswith("+") for r in rows)                 # numbers stay numbers ("+61")
    assert out.count("\r\n") == len(rows) + 1 + HOSTILE.count("\r\n")    # RFC 4180 rows, and the name's own, quoted
    for r in rows:
        assert not any(v.startswith(safe_text.FORMULA_STARTS) and not re.fullmatch(r"[+-]?[\d.]+", v) for v in r.values())


def _page_text_is_inert(at) -> None:
    """Every markdown the page renders (headings, captions, notes, labels) holds the name only escaped."""
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in (*at.subheader, *at.caption, *at.markdown, *at.info, *at.warning, *at.title)]
    shown += [e.label for e in (*at.expander, *at.metric)]
    for v in (v for v in shown if not v.startswith("<style>")):       # not the app's own style sheet
        assert not any(r in v for r in RAW) and not any(c in v for c in CONTROLS), v
    plain = [e.value for e in at.text]                                 # drawn as characters: the charts' sentences,
    for frame in (e.value for e in at.dataframe):                      # the tables' cells and headers
        plain += [str(c) for c in frame.columns] + [v for col in frame.columns for v in frame[col] if isinstance(v, str)]
    assert any("<b>B</b>" in v for v in plain)                         # the name is there, as its characters
    assert not [v for v in plain if any(c in v for c in CONTROLS)]     # but no line break, escape or override


@pytest.mark.integration
def test_the_dashboard_shows_the_name_as_text(hostile_data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RECOMMENDER_DATA", str(hostile_data))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update(home="urumqi", month="1")
    at.run()
    _page_text_is_inert(at)
    assert markdown(HOSTILE) in at.subheader[0].value, at.subheader[0].value     # the headline names the renamed Karachi
    at.switch_page("recommender/dashboard/pages/pair.py")
    at.query_params.update(a="urumqi", b="karachi")
    at.run()
    _page_text_is_inert(at)
    assert markdown(HOSTILE) in at.subheader[0].value
    labels = [m.label for m in at.metric]
    assert len(labels) == 2 and all(markdown(HOSTILE) in m for m in labels)


@pytest.mark.integration
def test_the_cli_csv_on_a_terminal_lets_no_control_character_through(hostile_data):
    """On a terminal (a pseudo-terminal here) the CSV is read by a person: control characters
    become U+FFFD as in the table; into a pipe it stays exact (test above)."""
    import pty

    leader, follower = pty.openpty()
    p = subprocess.run([sys.executable, "-m", "recommender", "recommend", "--home", "urumqi", "--month", "1",
                        "--format", "csv"], stdout=follower, stderr=subprocess.PIPE, cwd=REPO, timeout=120,
                       env={**os.environ, "RECOMMENDER_DATA": str(hostile_data), "PYTHONIOENCODING": "utf-8"})
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:                      # EIO: the other end is closed and everything was read
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert p.returncode == 0, p.stderr
    text = out.decode("utf-8")
    assert "\ufffd[31mRED" in text and not any(c in text for c in ("\x1b", "\u202e", "\x9b"))
