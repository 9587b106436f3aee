"""A language is one declaration (present/i18n.Language) plus its catalog: the picker's names,
the writing direction, the fonts of the page and the browser locales it serves are derived from
it, and the declaration agrees with CLDR."""

import pytest
from babel import Locale
from babel.core import get_global

from recommender.present import i18n, style


def test_the_declaration_is_the_one_list_of_languages():
    codes = [lang.code for lang in i18n.DECLARED_LANGUAGES]
    assert list(i18n.LANGUAGES) == codes == list(i18n.BY_CODE) and len(set(codes)) == len(codes)
    assert i18n.LANGUAGES == {"en": "English", "de": "Deutsch", "fr": "Français", "pl": "Polski", "it": "Italiano",
                              "es": "Español", "ru": "Русский", "ja": "日本語", "zh": "简体中文", "ur": "اردو"}
    assert i18n.DEFAULT_LANGUAGE in i18n.BY_CODE
    for lang in i18n.DECLARED_LANGUAGES:
        assert lang.code == i18n.DEFAULT_LANGUAGE or i18n.catalog_path(lang.code).exists(), lang.code
    with pytest.raises(Exception):
        i18n.DECLARED_LANGUAGES[0].direction = "rtl"          # frozen
    with pytest.raises(ValueError):
        i18n.Language("xx", "X", "Latn", "down")
    with pytest.raises(ValueError):
        i18n.Language("xx", "X", "latin")


@pytest.mark.parametrize("lang", i18n.DECLARED_LANGUAGES, ids=lambda lang: lang.code)
def test_the_declaration_agrees_with_cldr(lang):
    locale = Locale.parse(lang.code)
    assert lang.direction == {"left-to-right": "ltr", "right-to-left": "rtl"}[locale.character_order]
    assert get_global("likely_subtags")[lang.code].split("_")[1] == lang.script   # CLDR's script for the code
    assert i18n.is_rtl(lang.code) == (lang.direction == "rtl") and i18n.direction(lang.code) == lang.direction


@pytest.mark.parametrize("code, lang", [("zh-SG", "zh"), ("zh-HK", "en"), ("zh-MO", "en"), ("zh-Hans-TW", "zh"),
                                        ("ur-IN", "ur"), ("ur-Arab", "ur"), ("ur-Latn", "en"), ("en-US", "en"),
                                        ("EN_gb", "en"), ("-", "en"), ("zh--CN", "zh")])
def test_a_locale_in_another_script_is_not_served(code, lang):
    assert i18n.language(code) == lang


def test_the_page_style_comes_from_the_declaration():
    # what app.py wrote per language before the declaration (app.FONTS and app.language_css), with
    # every icon element (stIconMaterial, stAlertDynamicIcon, …) and its contents left to Streamlit's font
    font = (".stApp *:not([data-testid*='Icon']):not([data-testid*='Icon'] *) {{ font-family: {}'Source Sans Pro', "
            "'Noto Sans', sans-serif; }}")
    end = style.CONTRAST_CSS + "</style>"
    assert style.language_css("zh") == "<style>" + font.format("'Noto Sans CJK SC', ") + end
    assert style.language_css("ur") == ("<style>" + font.format("'Noto Nastaliq Urdu', 'Noto Naskh Arabic', ")
                                        + style.RTL_CSS + end)
    assert style.language_css("en") == style.language_css("fr") == style.language_css("xx") == "<style>" + end
    assert style.font_stack("zh") == "'Noto Sans CJK SC', 'Source Sans Pro', 'Noto Sans', sans-serif"
    assert "direction: rtl" in style.language_css("ur") and "direction: rtl" not in style.language_css("zh")


def test_the_language_picker_names_every_language_in_itself():
    words = i18n.picker_label().split(" · ")
    assert words[0] == "Language" and words[-2:] == ["语言", "زبان"] and "Sprache" in words and "言語" in words
    assert len(words) == len(set(words)) == len(i18n.LANGUAGES)       # the word in each language, once


def test_french_puts_a_no_break_space_before_high_punctuation():
    # French typography (Imprimerie nationale; CLDR's own French data): U+00A0 before ":", a narrow
    # U+202F before ";", "!" and "?" — a plain space there lets the mark wrap to a line of its own.
    import re

    from recommender.present import i18n

    bad = [s for s in i18n.catalog("fr").values() if re.search(r"(\S ?|^)[:;!?](?=\s|$)", s.replace("\u00a0:", "")
                                                                  .replace("\u202f;", "").replace("\u202f!", "")
                                                                  .replace("\u202f?", ""))]
    assert not bad, bad[:3]


def test_a_number_keeps_its_unit_on_its_line_where_words_have_no_spaces():
    # the Japanese headline was drawn "午後は28 / °C" across two lines: there a space breaks like any other
    from recommender.present import i18n, units

    assert units.temp(28, "°C", lang="ja") == "28\u00a0°C" and units.value("prcp_mm", 61, lang="zh") == "61\u00a0mm"
    assert units.temp(28, "°C", lang="en") == "28 °C"                  # spaced scripts keep a plain space
    assert {lang for lang in i18n.LANGUAGES if i18n.unit_space(lang) != " "} == {"ja", "zh"}
