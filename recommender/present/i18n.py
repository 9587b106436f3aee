"""Languages of the presentation: message catalogs (gettext .po files under
`recommender/locale/`, read with Babel) and the locale data of CLDR (via Babel) for month names,
numbers, dates, country names and writing direction.

Message ids are the English sentences; placeholders are `str.format` names (`{city}`).
`python scripts/update_catalogs.py` extracts them from the code (the `_` and `N_` calls) plus
the words declared as data (score classes, UTCI classes, variable labels, trip styles, …;
`declared_messages()`), and merges them into every catalog; `tests/test_i18n.py` fails on an id
missing from a catalog, a fuzzy or empty translation, or placeholders that differ.

With RECOMMENDER_STRICT_I18N=1 (the test suite sets it) looking up an id missing from a catalog
raises instead of falling back to English, so a screen that shows an untranslated sentence fails
its test.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

LANGUAGES = {"en": "English", "zh": "简体中文", "ur": "اردو"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


class MissingTranslation(KeyError):
    """A message id that a catalog lacks (raised only in strict mode)."""


def N_(message: str) -> str:
    """Marks a message id for extraction where it is declared; translated later with `_`."""
    return message


def language(code: str | None) -> str:
    """The supported language for a code or a browser locale ("zh-CN" → "zh", "ur_PK" → "ur");
    English for anything else (None, "", "fr", "zh-Hant" included: only Simplified Chinese is
    written)."""
    if not isinstance(code, str):
        return DEFAULT_LANGUAGE
    parts = re.split(r"[-_]", code.strip().lower())
    if parts[0] == "zh" and any(p in ("hant", "tw", "hk", "mo") for p in parts[1:]):
        return DEFAULT_LANGUAGE
    return parts[0] if parts[0] in LANGUAGES else DEFAULT_LANGUAGE


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """msgid → msgstr of a language's catalog (English: empty; ids are the English text)."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    from babel.messages.pofile import read_po

    with open(catalog_path(lang), "rb") as f:
        cat = read_po(f, locale=lang)
    return {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy}


def strict() -> bool:
    return os.environ.get("RECOMMENDER_STRICT_I18N") == "1"


@lru_cache(maxsize=None)
def translator(lang: str) -> Callable[[str], str]:
    """`_` for a language: the message's translation (English for English)."""
    lang = language(lang)
    if lang == DEFAULT_LANGUAGE:
        return N_
    table = catalog(lang)
    if strict():
        def _(message: str) -> str:
            try:
                return table[message]
            except KeyError:
                raise MissingTranslation(f"{lang} catalog has no translation of {message!r}") from None
        return _
    return lambda message: table.get(message, message)


def placeholders(message: str) -> set[str]:
    """The `str.format` field names of a message ("{city} in {month:d}" → {"city", "month"})."""
    return {m.group(1) for m in _PLACEHOLDER.finditer(message)}


def declared_messages() -> list[str]:
    """Words that reach the screen from declarations rather than from a `_("…")` call: score
    classes, UTCI stress classes, climate variables, provenance, components, trip styles, season
    types, confidence grades and their reasons. Extracted into the catalogs with the code's messages."""
    from ..climate.variables import PROVENANCE, VARIABLE_SPECS
    from ..comfort.indices import INDICES
    from ..comfort.tables import LABELS, UTCI_CLASSES
    from . import text

    words = [name for _, name in LABELS] + [str(c) for c in UTCI_CLASSES] + ["unknown"]
    words += [v.label for v in VARIABLE_SPECS] + list(PROVENANCE)
    words += list(text.COMPONENT_LABELS.values()) + [i.trip_style for i in INDICES.values()]
    words += list(text.GRADE_WORDS.values()) + list(text.CONFIDENCE_REASONS.values())
    return list(dict.fromkeys(words))


def preload() -> None:
    """Read every language's catalog and the CLDR data the pages use (a long-running server
    calls it at start-up)."""
    for code in LANGUAGES:
        catalog(code)
        month_names(code)
        month_names(code, "abbreviated")
        is_rtl(code)
        country("PK", code)
        number(1.5, code, 1)
        percent(0.5, code)


# ---------------------------------------------------------------------------- CLDR locale data


def is_rtl(lang: str) -> bool:
    """Is the language written right to left (CLDR character order)?"""
    from babel import Locale

    return Locale.parse(language(lang)).character_order == "right-to-left"


@lru_cache(maxsize=None)
def month_names(lang: str, width: str = "wide") -> tuple[str, ...]:
    """The 12 stand-alone month names in a language ("wide": January / 一月 / جنوری;
    "abbreviated": Jan / 1月 / جنوری), from CLDR."""
    from babel.dates import get_month_names

    names = get_month_names(width, context="stand-alone", locale=language(lang))
    return tuple(names[m] for m in range(1, 13))


def number(x: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 0, sign: bool = False) -> str:
    """A number with the language's digits, separators and minus sign (a real minus sign "−"
    where the locale writes a hyphen)."""
    from babel.numbers import format_decimal

    pattern = ("+" if sign else "") + "#,##0" + ("." + "0" * decimals if decimals else "")
    if sign:
        pattern += ";-" + pattern[1:]
    return format_decimal(round(float(x), decimals) + 0.0, format=pattern, locale=language(lang)).replace("-", "−")


def percent(x: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """A fraction as a whole percentage in the language's style (0.35 → "35%")."""
    from babel.numbers import format_percent

    return format_percent(x, locale=language(lang))


def date_text(d, lang: str = DEFAULT_LANGUAGE) -> str:
    """A calendar date in the language's long format."""
    from babel.dates import format_date

    return format_date(d, format="long", locale=language(lang))


@lru_cache(maxsize=4096)
def country(code: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A country's name in the language (CLDR territory names); the GeoNames English name, or
    the code, where CLDR has none."""
    from babel import Locale

    from ..places.countries import country_name

    if not code:
        return ""
    name = Locale.parse(language(lang)).territories.get(str(code).upper())
    return name or country_name(code)


# ---------------------------------------------------------------------------- the catalogs' template


def template_catalog(root: Path | None = None):
    """The catalog template (a babel Catalog without translations): every `_("…")` and `N_("…")`
    message of the code named in babel.cfg, and `declared_messages()`."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(root) if root else LOCALE_DIR.parent.parent
    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    cat = Catalog(project="sister-city-recommender", charset="utf-8")
    for filename, lineno, message, comments, _context in extract_from_dir(root, method_map, options_map,
                                                                          keywords={"_": None, "N_": None}):
        if isinstance(message, str) and message:
            cat.add(message, None, [(filename, lineno)], auto_comments=comments)
    for message in declared_messages():
        if message not in cat:
            cat.add(message, None, [("recommender/present/i18n.py", 0)], auto_comments=["declared as data"])
    return cat
