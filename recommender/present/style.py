"""The page's own style sheet for a language, derived from its declaration (present/i18n.Language):
its fonts in front of the default stack, a right-to-left layout where it is written right to
left (the charts and the data grid keep their own left-to-right layout), and text contrast for
every language. No user text in it."""

from __future__ import annotations

from . import i18n

DEFAULT_FONTS = ("Source Sans Pro", "Noto Sans", "sans-serif")   # Streamlit's own face, then a fallback
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
RTL_CSS = """
[data-testid="stMain"], [data-testid="stSidebarContent"] { direction: rtl; }
.stApp h1, .stApp h2, .stApp h3, .stApp p, .stApp label, .stApp li { text-align: right; }
.stApp p, .stApp li, .stApp h1, .stApp h2, .stApp h3 { line-height: 2.1; }
.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stTable"] { direction: ltr; }
"""


# Every language: text at least 4.5:1 against its background (WCAG 2.2, 1.4.3; axe-core's
# color-contrast rule): Streamlit draws captions at 60 % opacity, 3.9:1 on white; at full opacity
# in a mid grey they read 6.8:1 and still stand apart from the body text.
CONTRAST_CSS = """
.stApp [data-testid="stCaptionContainer"] { opacity: 1; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * { color: #5c5b59; }
"""

# Streamlit draws icons (the navigation's, an alert's) with the Material Symbols font from their
# ligature text ("report"); our font stack must not reach them or the word shows instead.
ICONS_KEPT = ":not([data-testid*='Icon']):not([data-testid*='Icon'] *)"


def font_family(families) -> str:
    """A CSS font-family value: names quoted, generic families not ("'Noto Sans', sans-serif")."""
    return ", ".join(f if f in GENERIC_FAMILIES else f"'{f}'" for f in families)


def font_stack(lang: str) -> str:
    """The page's font-family for a language: its declared fonts, then the default stack."""
    return font_family(i18n.declaration(lang).fonts + DEFAULT_FONTS)


def language_css(lang: str) -> str:
    """The page's `<style>` for a language: its fonts where it declares any, right to left where
    it is written so, and the contrast every language gets (CONTRAST_CSS)."""
    declared = i18n.declaration(lang)
    css = (f".stApp *{ICONS_KEPT} {{ font-family: {font_stack(lang)}; }}"
           if declared.fonts else "")
    css += RTL_CSS if declared.direction == "rtl" else ""
    return f"<style>{css}{CONTRAST_CSS}</style>"
