"""The dashboard in a real browser: `streamlit run app.py` on a free loopback port, driven by
Playwright in Debian's headless Chromium (/usr/bin/chromium; never a downloaded browser).

Screenshots are saved in tests/output/ next to this file.
"""

import contextlib
import csv
import io
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from meteostat_mirror import free_port

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parent / "output"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with streamlit_server(tmp_path_factory) as url:
        yield url


@contextlib.contextmanager
def streamlit_server(tmp_path_factory, **env_extra):
    """`streamlit run app.py` on a free loopback port (its URL), stopped on leaving."""
    assert Path(CHROMIUM).exists(), "Debian's Chromium is missing: run `bash scripts/test.sh`, which installs it"
    port = free_port()
    env = {**os.environ, "RECOMMENDER_HOME": str(tmp_path_factory.mktemp("store")), "PYTHONPATH": str(REPO), **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + (proc.stdout.read() if proc.stdout else ""))
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
        pg.set_default_timeout(30_000)
        yield pg
        browser.close()


def pick(pg, label, text, option):
    """Open a Streamlit selectbox by its label, type to search, click the option."""
    box = pg.get_by_role("combobox", name=label)
    box.click()
    box.fill(text)
    pg.get_by_role("option", name=option).first.click()


def wait_idle(pg):
    pg.wait_for_timeout(300)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    pg.wait_for_timeout(300)


def test_pick_urumqi_january_pakistan_and_download_csv(server, page):
    OUT.mkdir(exist_ok=True)
    page.goto(server + "/?home=karachi&month=7")   # start somewhere else, then choose like a person
    page.locator("h3").get_by_text("most comfortable").first.wait_for()
    pick(page, "Home city", "Ürümqi", "Ürümqi (CN)")
    wait_idle(page)
    pick(page, "Month", "Jan", "January")
    wait_idle(page)
    pick(page, "Only partners in", "Pakistan", "Pakistan (PK)")
    wait_idle(page)
    head = page.locator("h3").first.inner_text()
    assert "In January" in head and "Ürümqi" in head and "Karachi is the most comfortable" in head
    assert "home=urumqi" in page.url and "month=1" in page.url          # the choice lives in the URL
    page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["partner_id"] for r in rows} == {"karachi", "peshawar"}
    assert len(rows) == 24 and {r["home_id"] for r in rows} == {"urumqi"}
    k1 = next(r for r in rows if r["partner_id"] == "karachi" and r["month"] == "1")
    p1 = next(r for r in rows if r["partner_id"] == "peshawar" and r["month"] == "1")
    assert float(k1["score"]) > float(p1["score"]) > float(k1["home_score"])
    assert k1["in_window"] == "True"
    assert k1["confidence"] in ("high", "medium", "low") and k1["confidence_reason"]


def test_tabs_render_charts(server, page):
    page.goto(server + "/?home=urumqi&month=1&style=urban")
    page.locator("h3").get_by_text("most comfortable").first.wait_for()
    for tab in ("Comfort by month", "Heatmap", "Climate", "Map", "Travel windows"):
        page.get_by_role("tab", name=tab, exact=True).click()
        page.locator("[role=tabpanel]:visible .js-plotly-plot").first.wait_for()
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / f"tab-{tab.lower().replace(' ', '-')}.png"), full_page=True)
    page.get_by_role("link", name="How is this scored?").click()         # a page of its own now
    page.get_by_text("Coverage").first.wait_for()
    assert "/method" in page.url
    page.screenshot(path=str(OUT / "page-method.png"), full_page=True)


def test_the_pages_are_reached_by_the_navigation_and_by_their_links(server, page):
    page.goto(server + "/?home=urumqi&month=1")
    page.locator("h3").get_by_text("most comfortable").first.wait_for()
    page.get_by_role("link", name="All pairs").click()
    page.get_by_text("pairs with climate at both ends").first.wait_for()
    assert "/pairs" in page.url
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    wait_idle(page)
    page.screenshot(path=str(OUT / "page-all-pairs.png"), full_page=True)
    page.get_by_role("link", name="A pair").click()
    page.get_by_text("are sister cities").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    wait_idle(page)
    head = page.locator("h3").first.inner_text()
    assert head.startswith("Ürümqi and ") and "/pair" in page.url and "a=urumqi" in page.url, (head, page.url)
    page.screenshot(path=str(OUT / "page-pair.png"), full_page=True)
    # A pair's own link, and a link of the one-page dashboard to a tab that became a page.
    page.goto(server + "/pair?a=karachi&b=urumqi")
    page.get_by_text("Karachi and Ürümqi are sister cities").wait_for()
    assert "Karachi's people should visit Ürümqi in" in page.locator("h3").first.inner_text()
    page.goto(server + "/?home=urumqi&month=1&view=Exchange+explorer")
    page.get_by_text("pairs with climate at both ends").first.wait_for()
    assert "/pairs" in page.url and "view=" not in page.url


def test_bad_link_shows_a_note(server, page):
    page.goto(server + "/?home=atlantis&month=13")
    page.get_by_text("unknown city (atlantis)").wait_for()
    assert page.get_by_text("is not 1–12").count() == 1
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("query", [
    "home=%21%5Bx%5D%28http%3A%2F%2F127.0.0.1%3A9%2Ft.png%29",                     # ![x](http://127.0.0.1:9/t.png)
    "home=%5Bthe+official+page%5D%28javascript%3Aalert%281%29%29&month=%3Cb%3E1%3C%2Fb%3E",   # [..](javascript:..), <b>1</b>
    "home=%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E&style=%2A%2Aski%2A%2A",         # <img onerror>, **ski**
])
def test_a_link_cannot_draw_an_image_a_link_or_markup(server, page, query):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/?" + query)
    page.locator("h3").get_by_text("most comfortable").first.wait_for()
    wait_idle(page)
    notes = page.locator("[data-testid=stAlert]")
    assert notes.count() >= 1
    for i in range(notes.count()):
        note = notes.nth(i)
        assert note.locator("img, a, b, strong, script").count() == 0, note.inner_html()
    assert not [u for u in requests if "127.0.0.1:9" in u or u.startswith("javascript:")]
    assert "Traceback" not in page.content()


def test_the_map_draws_coastlines_with_the_outside_network_blocked(server, page):
    """Every request outside 127.0.0.1 is refused; the map still draws its country outlines."""
    outside = []

    def only_loopback(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    pg = page.context.browser.new_page(viewport={"width": 1400, "height": 1400})   # the module's browser
    try:
        pg.route("**/*", only_loopback)
        pg.goto(server + "/?home=urumqi&month=1&view=Map")
        pg.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        pg.wait_for_timeout(1000)
        traces = pg.evaluate("() => document.querySelector('.js-plotly-plot').data.map(t => [t.name, (t.x || []).length])")
        names = dict(traces)
        assert names.get("land", 0) > 10_000 and names.get("routes", 0) > 100, traces
        assert pg.locator(".js-plotly-plot path.js-fill").count() >= 1     # the land is filled, not just outlined
        pg.screenshot(path=str(OUT / "map-offline.png"), full_page=True)
    finally:
        pg.close()


def test_a_phone_screen_gets_the_answer_with_the_sidebar_collapsed(server, page):
    pg = page.context.browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                       has_touch=True)
    try:
        pg.goto(server + "/?home=urumqi&month=1")
        pg.get_by_text("most comfortable").first.wait_for(timeout=30_000)
        wait_idle(pg)
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= 400     # nothing wider than the screen
        sidebar = pg.locator("[data-testid=stSidebar]")
        assert sidebar.count() == 0 or sidebar.get_attribute("aria-expanded") in ("false", None)
        pg.screenshot(path=str(OUT / "phone-390px.png"), full_page=False)
    finally:
        pg.close()


LANGUAGE = __import__("recommender.present.i18n", fromlist=["i18n"]).picker_label()


def test_chinese_then_urdu_name_karachi_and_urdu_reads_right_to_left(server, page):
    page.goto(server + "/?home=karachi&month=7&lang=en")
    page.locator("h3").get_by_text("most comfortable").first.wait_for()
    pick(page, "Home city", "Ürümqi", "Ürümqi (CN)")
    wait_idle(page)
    pick(page, "Month", "Jan", "January")
    wait_idle(page)
    pick(page, LANGUAGE, "中文", "简体中文")
    wait_idle(page)
    head = page.locator("h3").first
    head.get_by_text("卡拉奇最舒适").wait_for()
    assert head.inner_text().startswith("一月，在乌鲁木齐的友好城市中") and "lang=zh" in page.url
    assert page.evaluate("() => getComputedStyle(document.querySelector('h3')).direction") == "ltr"
    # the alert's icon keeps Streamlit's icon font (our CJK stack drew its ligature "report" as a word)
    icons = page.evaluate("() => [...document.querySelectorAll('[data-testid=stAlertDynamicIcon], "
                          "[data-testid=stAlertDynamicIcon] *')].map(e => getComputedStyle(e).fontFamily)")
    assert icons and not any("CJK" in f for f in icons), icons
    page.screenshot(path=str(OUT / "desktop-full-zh.png"), full_page=True)

    pick(page, LANGUAGE, "اردو", "اردو")
    wait_idle(page)
    head.get_by_text("کراچی").wait_for()
    assert "lang=ur" in page.url and "home=urumqi" in page.url and "جنوری" in head.inner_text()
    assert page.evaluate("() => getComputedStyle(document.querySelector('h3')).direction") == "rtl"
    # the sidebar's content reads right to left; the sidebar itself keeps Streamlit's layout (it slides out to the left)
    assert page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=stSidebarContent]')).direction") == "rtl"
    # the glyphs are drawn by an Urdu font, not boxes: the headline is as wide as its words need
    assert page.evaluate("() => document.fonts.check('16px \"Noto Nastaliq Urdu\"', 'کراچی')")
    page.screenshot(path=str(OUT / "desktop-full-ur.png"), full_page=True)


def karachi(lang: str) -> str:
    """Karachi as the page names it in a language (data/city_names.csv: curated or CLDR)."""
    from recommender.atlas import load_names

    names = load_names()
    found = names.loc[(names["city_id"] == "karachi") & (names["lang"] == lang), "name"]
    return found.iloc[0] if len(found) else "Karachi"


def test_each_language_on_a_phone_with_the_sidebar_out_of_the_way(server, page):
    """Every declared language at 390 px: the headline names Karachi (in its letters where the
    registry knows them: Карачи, カラチ, Karatschi, …), nothing is wider than the
    screen, and the collapsed sidebar is wholly off screen (in Urdu it was drawn as a strip of
    one-letter lines over the headline). On a desktop the same page keeps its sidebar open beside
    the headline; a screenshot of each (desktop-<lang>.png, phone-390px-<lang>.png)."""
    from recommender.present import i18n

    pg = page.context.browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                       has_touch=True)
    try:
        for lang in i18n.LANGUAGES:
            pg.goto(server + f"/?home=urumqi&month=1&lang={lang}")
            pg.locator("h3").first.get_by_text(karachi(lang)).wait_for(timeout=30_000)
            wait_idle(pg)
            assert pg.evaluate("() => document.documentElement.scrollWidth") <= 400, lang
            right = pg.evaluate("() => { const s = document.querySelector('[data-testid=stSidebar]');"
                                " return s ? s.getBoundingClientRect().right : -1; }")
            assert right <= 1, (lang, right)                 # collapsed: nothing of it on the screen
            pg.screenshot(path=str(OUT / f"phone-390px-{lang}.png"), full_page=False)
            page.goto(server + f"/?home=urumqi&month=1&lang={lang}")
            page.locator("h3").first.get_by_text(karachi(lang)).wait_for(timeout=30_000)
            wait_idle(page)
            side = page.evaluate("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect()"
                                 ".toJSON()")
            main = page.evaluate("() => document.querySelector('h3').getBoundingClientRect().toJSON()")
            assert side["width"] >= 200 and (side["right"] <= main["left"] + 1 or main["right"] <= side["left"] + 1), \
                (lang, side, main)                        # open, and beside the headline, not over it
            page.screenshot(path=str(OUT / f"desktop-{lang}.png"), full_page=False)
    finally:
        pg.close()


# Each character of the page's first h3 that belongs to a temperature, with its drawn x (CSS px).
DRAWN = """() => { const w = document.createTreeWalker(document.querySelector('h3'), NodeFilter.SHOW_TEXT);
  const out = []; let n;
  while ((n = w.nextNode())) { const t = n.textContent;
    for (let i = 0; i < t.length; i++) { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      const b = r.getBoundingClientRect(); out.push([t[i], b.x, b.y]); } }
  return out; }"""


def test_numbers_and_units_read_left_to_right_inside_urdu(server, page):
    """Drawn order, measured: in the Urdu headline "28 °C" and "−7 °C" are drawn digit, then °,
    then C from left to right (not "C° 28", "C° 7−"), and the unit picker's "°C" keeps its order."""
    page.goto(server + "/?home=urumqi&month=1&lang=ur")
    page.locator("h3").first.get_by_text("کراچی").wait_for()
    wait_idle(page)
    chars = page.evaluate(DRAWN)
    temps = 0
    for k, (ch, x, y) in enumerate(chars):
        if ch == "°" and k + 1 < len(chars) and chars[k + 1][0] == "C":
            digits = [c for c in chars[max(0, k - 6):k] if c[0].isdigit() or c[0] == "−"]
            assert digits and all(dx < x for _c, dx, _y in digits), chars[max(0, k - 6):k + 2]   # number left of °
            assert chars[k + 1][1] > x                                                             # C right of °
            minus = [c for c in digits if c[0] == "−"]
            assert all(m[1] < min(d[1] for d in digits if d[0] != "−") for m in minus)              # sign first
            temps += 1
    assert temps >= 2, "".join(c[0] for c in chars)
    unit = page.evaluate("() => { const l = [...document.querySelectorAll('[data-testid=stSidebar] label')]"
                         ".find(e => e.innerText.includes('°C')); if (!l) return null; const t = l.innerText;"
                         " const w = document.createTreeWalker(l, NodeFilter.SHOW_TEXT); let n, xs = {};"
                         " while ((n = w.nextNode())) { for (let i = 0; i < n.textContent.length; i++) {"
                         " const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);"
                         " xs[n.textContent[i]] = r.getBoundingClientRect().x; } } return xs; }")
    assert unit and unit["°"] < unit["C"], unit


def test_no_bare_value_is_drawn_by_magic(server, page):
    """The server runs with magic off (.streamlit/config.toml): a bare expression in app.py,
    such as a warm-up call returning a catalog, never reaches the page."""
    import tomllib

    assert tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["runner"]["magicEnabled"] is False
    page.goto(server + "/?home=urumqi&month=1&lang=zh")
    page.locator("h3").first.get_by_text("卡拉奇").wait_for()
    wait_idle(page)
    assert page.locator("[data-testid=stJson]").count() == 0 and "{month}" not in page.content()


def test_plan_by_dates_a_home_break_ranks_the_sisters_and_the_pair_draws_its_days(server, page):
    page.goto(server + "/plan?home=urumqi")
    page.get_by_text("of Ürümqi's sister cities").first.wait_for()
    page.get_by_text("A holiday break").click()
    wait_idle(page)
    box = page.get_by_role("combobox", name="Ürümqi's holiday breaks in the coming year")
    box.click()
    page.get_by_role("option").filter(has_text="Spring Festival").first.click()
    wait_idle(page)
    head = page.locator("h3").first.inner_text()
    assert head.startswith("For Feb") and "Karachi is the most comfortable" in head, head
    assert page.get_by_text("no worldwide data set").count() == 1
    page.locator("[data-testid=stDataFrame]").first.wait_for()
    page.screenshot(path=str(OUT / "page-plan.png"), full_page=True)

    page.goto(server + "/pair?a=urumqi&b=karachi")
    page.get_by_text("Ürümqi and Karachi are sister cities").wait_for()
    page.locator(".js-plotly-plot").nth(4).wait_for()
    wait_idle(page)
    charts = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(p => "
                           "[p.data.map(t => t.name), (p.layout.shapes || []).length])")
    by_day = [c for c in charts if "holiday break in the window" in c[0]]
    assert len(by_day) == 2 and all(shapes >= 3 for _names, shapes in by_day), charts   # window + breaks shaded
    # the daily lines are drawn (a date axis typed wrongly draws an empty frame with the same traces)
    drawn = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.data.some(t => "
                          "t.name === 'holiday break in the window')).map(p => [...p.querySelectorAll("
                          "'.scatterlayer path.js-line')].map(l => (l.getAttribute('d') || '').length))")
    assert len(drawn) == 2 and all(sum(d > 500 for d in lines) >= 2 for lines in drawn), drawn
    assert page.get_by_text("Nov 9 – Mar 22").count() >= 1 or page.get_by_text("Nov 9\u2009–\u2009Mar 22").count() >= 1
    page.screenshot(path=str(OUT / "page-pair-dates.png"), full_page=True)

    page.goto(server + "/plan?home=urumqi&lang=zh")
    page.get_by_text("乌鲁木齐的友好城市").first.wait_for()
    wait_idle(page)
    page.screenshot(path=str(OUT / "page-plan-zh.png"), full_page=True)


def test_the_calendar_export_holds_dated_windows_and_the_breaks_in_them(server, page):
    page.goto(server + "/?home=urumqi&month=1&view=Export")
    page.get_by_role("button", name="Download calendar (.ics)").wait_for()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download calendar (.ics)").click()
    ics = Path(dl.value.path()).read_text(encoding="utf-8").replace("\r\n ", "")
    assert "RRULE" not in ics and "Travel window: Ürümqi → Karachi (Nov 9" in ics
    assert "Spring Festival" in ics and "travel window for" in ics


PAGES = ["/where?home=urumqi&month=1", "/pair?a=urumqi&b=karachi", "/plan?home=urumqi", "/pairs", "/method"]


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_no_page_has_a_serious_or_critical_accessibility_violation(server, page, lang):
    """axe-core (the axe-playwright-python wheel's copy, run in the page) on every page: no
    violation of impact serious or critical (contrast, names of controls, ARIA, …)."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), {}
    for path in PAGES:
        page.goto(server + path + f"&lang={lang}" if "?" in path else server + path + f"?lang={lang}")
        page.locator("h1").first.wait_for()
        wait_idle(page)
        page.wait_for_timeout(800)
        bad = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            found[path] = [(v["id"], v["impact"], [n["html"][:80] for n in v["nodes"][:3]]) for v in bad]
    assert not found, found


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_every_page_gives_its_answer_on_a_phone_without_sideways_scroll(server, page, lang):
    """At 390 px each page draws its title and its answer (a headline, a chart or a table) with
    nothing wider than the screen; a screenshot per page."""
    pg = page.context.browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                       has_touch=True)
    try:
        for path in PAGES:
            pg.goto(server + path + ("&" if "?" in path else "?") + f"lang={lang}")
            pg.locator("h1").first.wait_for(timeout=30_000)
            pg.locator("h3, .js-plotly-plot, [data-testid=stDataFrame], [data-testid=stTable]").first.wait_for()
            wait_idle(pg)
            wide = pg.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 400, (path, lang, wide)
            assert not pg.get_by_text("Page not found").count(), path     # /where is the default page's own link
            name = path.strip("/").split("?")[0]
            pg.screenshot(path=str(OUT / f"phone-390px-{name}-{lang}.png"), full_page=False)
    finally:
        pg.close()


def test_names_from_data_are_text_in_a_real_browser(tmp_path_factory, page):
    """A city renamed to markdown, a bare URL, an HTML anchor, Plotly tags and a placeholder, a
    terminal escape and a bidi override (test_hostile_names.HOSTILE): Chromium draws it as those
    characters in the headline, the chart's legend and the chart's sentence, no link, bold or image
    forms, and the line break, escape and override are drawn as U+FFFD (screenshot hostile-names.png)."""
    from test_hostile_names import HOSTILE, hostile_copy

    data = hostile_copy(tmp_path_factory.mktemp("hostile") / "data")
    with streamlit_server(tmp_path_factory, RECOMMENDER_DATA=str(data)) as url:
        page.goto(url + "/?home=urumqi&month=1")
        head = page.locator("h3").get_by_text("most comfortable").first
        head.wait_for(timeout=90_000)
        page.locator(".js-plotly-plot .legendtext").first.wait_for()
        wait_idle(page)
        page.screenshot(path=str(OUT / "hostile-names.png"), full_page=False)
        drawn = page.evaluate("""() => ({
            links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
            bold: [...document.querySelectorAll('[data-testid=stMain] b, [data-testid=stMain] strong')].map(b => b.textContent),
            images: document.querySelectorAll('[data-testid=stMain] img').length,
            legend: [...document.querySelectorAll('.legendtext')].map(t => t.textContent),
            sentences: [...document.querySelectorAll('[data-testid=stText]')].map(t => t.textContent),
        })""")
        headline = head.inner_text().replace("\u2060", "")        # word joiners break autolinks, unseen
    shown = HOSTILE.replace("\x1b", "\ufffd").replace("\r\n", "\ufffd\ufffd").replace("\u202e", "\ufffd")
    assert not [h for h in drawn["links"] if "evil.example" in h or h in ("http://a", "http://x")], drawn["links"]
    assert not [b for b in drawn["bold"] if b in ("B", "bold")] and drawn["images"] == 0, drawn
    assert any(shown in t.replace("\u2060", "") for t in drawn["legend"]), drawn["legend"]
    assert shown.split("\ufffd")[0] in headline, headline                  # up to the escape, character for character
    # the chart's sentence (plain text): the name whole, on one line, and no override reversing what follows
    assert any(shown in s for s in drawn["sentences"]), drawn["sentences"]
    assert not [s for s in drawn["sentences"] if any(c in s for c in "\x1b\r\n\u202e")], drawn["sentences"]
