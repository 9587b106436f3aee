"""Languages of the presentation: the declared languages (`Language`, one declaration each),
message catalogs (gettext .po files under `recommender/locale/`, read with Babel) and the locale
data of CLDR (via Babel) for month names, numbers, dates and country names.

A language is one `Language` in `DECLARED_LANGUAGES` plus its catalog; everything else spelled
per language (the `LANGUAGES` picker names, writing direction, fonts, which browser locales it
serves) is derived from the declaration. This module imports nothing from the package.

Message ids are the English sentences; placeholders are `str.format` names (`{city}`).
`python scripts/update_catalogs.py` extracts them from the code (the `_` and `N_` calls) plus
the words declared as data (score classes, UTCI classes, variable labels, trip styles, …), and
merges them into every catalog; `tests/test_i18n.py` fails on an id missing from a catalog, a
fuzzy or empty translation, or placeholders that differ.

With RECOMMENDER_STRICT_I18N=1 (the test suite sets it) looking up an id missing from a catalog
raises instead of falling back to English, so a screen that shows an untranslated sentence fails
its test.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Language:
    """A language of the presentation, declared once.

    code: the ISO 639-1 code (the catalog's folder under locale/, the CLDR locale, the URL's ?lang=);
    name: the language's name in itself (the language picker); script: the ISO 15924 script it is
    written in (a browser locale of another script, e.g. zh-TW → Hant, is not served by it);
    direction: "ltr" or "rtl"; fonts: CSS font families put in front of the page's default stack
    (present/style.py), installed for the browser test by scripts/test.sh."""

    code: str
    name: str
    script: str
    direction: str = "ltr"
    fonts: tuple[str, ...] = ()

    def __post_init__(self):
        if self.direction not in ("ltr", "rtl"):
            raise ValueError(f"{self.code}: direction must be 'ltr' or 'rtl', not {self.direction!r}")
        if not (len(self.script) == 4 and self.script.isalpha() and self.script.istitle()):
            raise ValueError(f"{self.code}: script must be an ISO 15924 code such as 'Latn', not {self.script!r}")


# Beyond English, Chinese and Urdu (the China–Pakistan pairs this product began with): the
# languages of the countries with the most sister-city ends in the registry (Germany 4,482,
# France 3,377, Poland 2,623, Italy 1,976, Japan, Russia and Ukraine, Spain and Latin America).
DECLARED_LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "Latn"),
    Language("de", "Deutsch", "Latn"),
    Language("fr", "Français", "Latn"),
    Language("pl", "Polski", "Latn"),
    Language("it", "Italiano", "Latn"),
    Language("es", "Español", "Latn"),
    Language("ru", "Русский", "Cyrl"),
    Language("ja", "日本語", "Jpan", fonts=("Noto Sans CJK JP",)),
    Language("zh", "简体中文", "Hans", fonts=("Noto Sans CJK SC",)),
    Language("ur", "اردو", "Arab", "rtl", fonts=("Noto Nastaliq Urdu", "Noto Naskh Arabic")),
)
DEFAULT_LANGUAGE = "en"
# Scripts written without spaces between words: there a space is a line-break opportunity like any
# other, so the space between a number and its unit ("28 °C") is a no-break space (U+00A0) or the
# browser may put "°C" on the next line (it did, in the Japanese headline).
NO_WORD_SPACES = {"Jpan", "Hans", "Hant", "Thai", "Khmr", "Laoo", "Mymr"}
BY_CODE: dict[str, Language] = {lang.code: lang for lang in DECLARED_LANGUAGES}
LANGUAGES: dict[str, str] = {lang.code: lang.name for lang in DECLARED_LANGUAGES}   # code → its own name
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


class MissingTranslation(KeyError):
    """A message id that a catalog lacks (raised only in strict mode)."""


def N_(message: str) -> str:
    """Marks a message id for extraction where it is declared; translated later with `_`."""
    return message


def language(code: str | None) -> str:
    """The declared language serving a code or a browser locale ("zh-CN" → "zh", "ur_PK" → "ur");
    English for anything else: an undeclared language (None, "", "fr") or a locale written in
    another script than the declared one ("zh-Hant", "zh-TW": Traditional Chinese, where only
    Simplified is written). The script is the locale's own script subtag, or else the one CLDR
    finds likely for its language and region."""
    if not isinstance(code, str):
        return DEFAULT_LANGUAGE
    return _language(code)


@lru_cache(maxsize=1024)
def _language(code: str) -> str:
    parts = [p for p in re.split(r"[-_]", code.strip()) if p]
    if not parts or parts[0].lower() not in BY_CODE:
        return DEFAULT_LANGUAGE
    declared = BY_CODE[parts[0].lower()]
    scripts = [p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()]
    if not scripts:
        regions = [p.upper() for p in parts[1:] if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())]
        scripts = [_likely_script(declared.code, regions[0] if regions else None) or declared.script]
    return declared.code if scripts[0] == declared.script else DEFAULT_LANGUAGE


def _likely_script(lang: str, region: str | None) -> str | None:
    """The script CLDR's likely subtags give a language in a region ("zh", "TW" → "Hant")."""
    from babel.core import get_global

    likely = get_global("likely_subtags")
    full = (region and likely.get(f"{lang}_{region}")) or likely.get(lang)
    parts = full.split("_") if full else []
    return next((p for p in parts[1:] if len(p) == 4), None)


def declaration(lang: str | None) -> Language:
    """The declaration of the language serving a code (English for anything undeclared)."""
    return BY_CODE[language(lang)]


def direction(lang: str | None) -> str:
    """"ltr" or "rtl", as the language is declared."""
    return declaration(lang).direction


def is_rtl(lang: str | None) -> bool:
    """Is the language written right to left (as declared; tests/test_i18n.py checks the
    declaration against CLDR's character order)?"""
    return direction(lang) == "rtl"


# Words that name the language picker itself, shown in every declared language at once.
LANGUAGE_WORD = N_("Language")


def picker_label() -> str:
    """The language picker's label: the word "Language" in every declared language, each once
    ("Language · 语言 · زبان")."""
    return " · ".join(dict.fromkeys(translator(lang.code)(LANGUAGE_WORD) for lang in DECLARED_LANGUAGES))


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


def preload() -> None:
    """Read every language's catalog and the CLDR data the pages use (a long-running server
    calls it at start-up)."""
    for code in LANGUAGES:
        catalog(code)
        month_names(code)
        month_names(code, "abbreviated")
        country("PK", code)
        number(1.5, code, 1)
        percent(0.5, code)


# ---------------------------------------------------------------------------- CLDR locale data


@lru_cache(maxsize=None)
def month_names(lang: str, width: str = "wide") -> tuple[str, ...]:
    """The 12 stand-alone month names in a language ("wide": January / 一月 / جنوری;
    "abbreviated": Jan / 1月 / جنوری), from CLDR."""
    from babel.dates import get_month_names

    names = get_month_names(width, context="stand-alone", locale=language(lang))
    return tuple(names[m] for m in range(1, 13))


LRI, PDI = "\u2066", "\u2069"    # Unicode left-to-right isolate and its end (UAX #9)


def unit_space(lang: str = DEFAULT_LANGUAGE) -> str:
    """The space between a number and its unit in the language: U+00A0 where the script has no
    spaces between words (NO_WORD_SPACES), else a plain space."""
    return "\u00a0" if declaration(lang).script in NO_WORD_SPACES else " "


def isolate(s: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Text that must read left to right (a number with its sign and unit, a code) kept so inside
    right-to-left text: wrapped in a left-to-right isolate where the language is written right
    to left ("−7 °C" stays "−7 °C", not "C° 7−"); unchanged elsewhere."""
    return f"{LRI}{s}{PDI}" if s and is_rtl(lang) else s


def number(x: float, lang: str = DEFAULT_LANGUAGE, decimals: int = 0, sign: bool = False) -> str:
    """A number with the language's digits, separators and minus sign (a real minus sign "−"
    where the locale writes a hyphen), isolated in right-to-left languages (`isolate`)."""
    from babel.numbers import format_decimal

    pattern = ("+" if sign else "") + "#,##0" + ("." + "0" * decimals if decimals else "")
    if sign:
        pattern += ";-" + pattern[1:]
    return isolate(format_decimal(round(float(x), decimals) + 0.0, format=pattern, locale=language(lang)).replace("-", "−"),
                   lang)


def percent(x: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """A fraction as a whole percentage in the language's style (0.35 → "35%")."""
    from babel.numbers import format_percent

    return format_percent(x, locale=language(lang))


def date_text(d, lang: str = DEFAULT_LANGUAGE) -> str:
    """A calendar date in the language's long format."""
    from babel.dates import format_date

    return format_date(d, format="long", locale=language(lang))


def month_year(year: int, month: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """A month of a year in the language's CLDR words ("Jan 2027", "2027年1月", "янв. 2027 г.")."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", date(year, month, 1), locale=language(lang))


def date_interval(start, end, lang: str = DEFAULT_LANGUAGE, with_year: bool = False) -> str:
    """Two dates as one span in the language's CLDR interval format ("Oct 20 – Mar 28",
    "10月20日至3月28日"; with_year: "Feb 5 – 12, 2027")."""
    from babel.dates import format_interval

    return format_interval(start, end, "yMMMd" if with_year else "MMMd", locale=language(lang))


@lru_cache(maxsize=4096)
def country(code: str | None, lang: str = DEFAULT_LANGUAGE, default: str | None = None) -> str:
    """A country's name in the language (CLDR territory names); `default` (else the code) where
    CLDR has none. text.country falls back to the GeoNames English name."""
    from babel import Locale

    if not code:
        return ""
    name = Locale.parse(language(lang)).territories.get(str(code).upper())
    return name or (str(code) if default is None else default)
