"""Three languages: complete catalogs, CLDR locale data, translated words and exports, and the
dashboard's language switch (AppTest)."""

import io

import pytest
from streamlit.testing.v1 import AppTest

import update_catalogs
from conftest import REPO
from recommender.present import exports, i18n, text


@pytest.fixture(scope="module")
def rec(atlas):
    from recommender.recommend import Recommender

    return Recommender(atlas)


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    from babel.messages.pofile import read_po

    template = update_catalogs.template_catalog(REPO)
    with open(i18n.catalog_path(lang), "rb") as f:
        cat = read_po(f, locale=lang)
    ids = {m.id for m in template if m.id}
    assert len(ids) > 150
    missing = sorted(i for i in ids if i not in cat or not cat[i].string)
    assert not missing, f"{lang}: untranslated {missing[:5]}"
    fuzzy = sorted(m.id for m in cat if m.id and m.fuzzy)
    assert not fuzzy, f"{lang}: fuzzy (check and clear) {fuzzy[:5]}"
    stale = sorted(m.id for m in cat if m.id and m.id not in ids)
    assert not stale, f"{lang}: no longer used {stale[:5]} (run scripts/update_catalogs.py)"
    for m in cat:
        if m.id:
            assert i18n.placeholders(m.string) == i18n.placeholders(m.id), (lang, m.id)


def test_every_confidence_grade_and_reason_has_words_in_every_language():
    from recommender.climate.confidence import GRADES, REASONS

    assert set(text.GRADE_WORDS) == set(GRADES) == set(text.GRADE_MARKS) and set(text.CONFIDENCE_REASONS) == set(REASONS)
    declared = set(update_catalogs.declared_messages())
    for lang in i18n.LANGUAGES:
        _ = i18n.translator(lang)
        phrases = [_(w) for w in (*text.GRADE_WORDS.values(), *text.CONFIDENCE_REASONS.values())]
        assert len(set(phrases)) == len(phrases), lang           # one distinct phrase per grade and reason
    assert set(text.GRADE_WORDS.values()) | set(text.CONFIDENCE_REASONS.values()) <= declared


def test_a_missing_message_fails_in_strict_mode_and_falls_back_otherwise(monkeypatch):
    i18n.translator.cache_clear()
    try:
        with pytest.raises(i18n.MissingTranslation, match="zh catalog has no translation"):
            i18n.translator("zh")("a sentence nobody wrote")
        monkeypatch.delenv("RECOMMENDER_STRICT_I18N")
        i18n.translator.cache_clear()
        assert i18n.translator("zh")("a sentence nobody wrote") == "a sentence nobody wrote"
    finally:
        i18n.translator.cache_clear()


@pytest.mark.parametrize("code, lang", [("zh-CN", "zh"), ("zh_Hans_CN", "zh"), ("ur-PK", "ur"), ("ur", "ur"),
                                        ("en-GB", "en"), ("fr-FR", "fr"), ("de-AT", "de"), ("ja-JP", "ja"), ("sr-Cyrl", "en"), ("zh-TW", "en"), ("zh-Hant", "en"),
                                        ("", "en"), (None, "en"), ("ＺＨ", "en")])
def test_browser_locale_picks_a_language(code, lang):
    assert i18n.language(code) == lang


def test_locale_data_comes_from_cldr():
    assert text.month_name(1, "zh") == "一月" and text.month_name(1, "ur") == "جنوری"
    assert text.months_text([[11, 12, 1, 2, 3], [6]], "zh") == "11月–3月、6月"
    assert i18n.country("PK", "zh") == "巴基斯坦" and i18n.country("CN", "ur") == "چین"
    assert i18n.number(-7.4) == "−7" and i18n.number(23871, "zh") == "23,871"
    assert i18n.is_rtl("ur") and not i18n.is_rtl("zh")


def test_words_in_three_languages(rec):
    res = rec.recommend("urumqi", 1)
    en, zh, ur = (text.headline(res, "°C", lang) for lang in ("en", "zh", "ur"))
    assert en.startswith("In January, of Ürümqi's sister cities, Karachi is the most comfortable")
    assert zh.startswith("一月，在乌鲁木齐的友好城市中，卡拉奇最舒适") and "理想" in zh
    assert ur.startswith("جنوری میں") and "کراچی" in ur and "ارومچی" in ur
    row = text.partner_rows(res, "°F", "zh")[0]
    assert row["城市"] == "卡拉奇" and row["出行时段"] == "11月9日至3月22日" and row["午后"].endswith("°F")
    assert all("°C" not in p for p in text.method_paragraphs("°F", "ur"))


def test_exports_in_the_language_csv_headers_stay_english(rec):
    year = rec.year("urumqi")
    ics = exports.to_ics(year, "zh").decode()
    assert "出行时段：乌鲁木齐 → 卡拉奇" in ics.replace("\r\n ", "")
    report = exports.report_html(rec.recommend("urumqi", 1), {}, "headline", lang="ur").decode()
    assert "<html lang='ur' dir='rtl'>" in report and "جڑواں شہروں کی درجہ بندی" in report and "کراچی" in report
    import pandas as pd

    csv = pd.read_csv(io.BytesIO(exports.to_csv(exports.recommendations_table(year))))
    assert list(csv.columns)[:4] == ["home_id", "home_name", "partner_id", "partner_name"]
    assert set(csv["label"].dropna()) <= {name for _, name in __import__("recommender.comfort.tables",
                                                                        fromlist=["LABELS"]).LABELS} | {"no climate data"}


# ---------------------------------------------------------------------------- the dashboard


def run(**query):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_language_switch_changes_headline_months_and_headers_and_keeps_the_choice():
    at = run(home="urumqi", month="1")
    assert at.subheader[0].value.startswith("In January")
    at.selectbox(key="lang").set_value("zh").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value.startswith("一月，在乌鲁木齐的友好城市中，卡拉奇最舒适")
    assert at.selectbox(key="month").options[:2] == ["一月", "二月"]
    assert list(at.dataframe[0].value.columns)[:3] == ["排名", "城市", "国家"]
    assert at.session_state["home_city"] == "urumqi" and at.session_state["month"] == 1
    assert at.query_params["lang"] in ("zh", ["zh"])
    assert [t.label for t in at.tabs][:2] == ["逐月舒适度", "热力图"]
    at.selectbox(key="lang").set_value("en").run()
    assert at.subheader[0].value.startswith("In January")


def test_urdu_link_lays_the_page_out_right_to_left():
    at = run(home="urumqi", month="1", lang="ur")
    assert "کراچی" in at.subheader[0].value
    styles = [m.value for m in at.markdown if m.value.startswith("<style>")]
    assert styles and "direction: rtl" in styles[0]
    english = run(home="urumqi", month="1", lang="en")
    assert not any("direction: rtl" in m.value for m in english.markdown)


def test_unknown_language_in_the_link_falls_back_to_english():
    at = run(home="urumqi", month="1", lang="<b>fr</b>")
    assert at.subheader[0].value.startswith("In January") and at.session_state["lang"] == "en"


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_page_shows_no_raw_message_ids(lang):
    """Every sentence on the page is filled in: no `{placeholder}` of a message id is left."""
    at = run(home="atlantis", month="1", lang=lang)
    assert len(at.json) == 0 and len(at.code) == 0
    shown = [e.value for e in [*at.markdown, *at.info, *at.subheader, *at.caption] if isinstance(e.value, str)]
    assert not [s for s in shown if "{" in s and not s.startswith("<style>")], shown
