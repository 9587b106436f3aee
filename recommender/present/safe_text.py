"""Text from data files (city, country and holiday names) made inert for each medium it is shown
in: it is data, never markup, a formula, a placeholder or a terminal command. Small pure
functions, one per medium; each takes any object (str() of it) except `csv_cell`, which leaves
what is not a string (a number, a bool, NaN) as it is."""

from __future__ import annotations

import html as _html
import json as _json
import re

REPLACEMENT = "\ufffd"         # what a control character becomes where it would otherwise act
WORD_JOINER = "\u2060"         # zero width, no break: splits a token no reader sees split
# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder
# what follows them on a terminal or in a calendar (a "Trojan Source" name).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The embeddings and overrides alone: no text of ours uses them (i18n.isolate writes isolates,
# which a page, a chart or the report keeps), so markdown, html and plotly replace them too.
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e")


# The control characters, as regular-expression ranges: C0 (U+0000–U+001F: TAB, LF, CR, ESC, …),
# then DEL, C1 (U+0080–U+009F: NEL, CSI, …) and the line and paragraph separators U+2028, U+2029
# (a line break to some terminals, editors and readers).
_C0 = "\x00-\x1f"
_DEL_C1_SEPARATORS = "\x7f-\x9f\u2028\u2029"


def _any_of(*ranges: str) -> re.Pattern:
    return re.compile("[" + "".join(ranges) + "]")


_CONTROL = _any_of(_C0, _DEL_C1_SEPARATORS)
_PLAIN_UNSAFE = _any_of(_C0, _DEL_C1_SEPARATORS, *sorted(BIDI_OVERRIDES))     # what _without_controls replaces


def _is_control(ch: str) -> bool:
    return _CONTROL.match(ch) is not None


def _without_controls(s: str, replacement: str = REPLACEMENT) -> str:
    """Control characters and the bidi embeddings and overrides replaced (isolates kept)."""
    return _PLAIN_UNSAFE.sub(replacement, s)


def plain(s: object) -> str:
    """Data text drawn as plain characters (st.text, a table cell drawn on the dataframe's canvas):
    control characters and the bidi embeddings and overrides replaced by U+FFFD, so a name cannot
    break the line it is in or reverse the text after it; the isolates our own text uses are kept."""
    return _without_controls(str(s))


def plain_cells(frame):
    """A table (pandas DataFrame) with `plain` applied to every text cell and column name (a
    number, a bool or NaN stays as it is): what st.dataframe draws. Columns are searched with one
    vectorised match first; only a column holding such a character is rewritten cell by cell."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    def cell(v):
        return plain(v) if isinstance(v, str) else v

    out = frame.rename(columns=cell)
    for k in range(out.shape[1]):
        s = out.iloc[:, k]
        if (is_object_dtype(s) or is_string_dtype(s)) and \
                s.astype("string").str.contains(_PLAIN_UNSAFE.pattern, regex=True).fillna(False).any():
            out.isetitem(k, s.map(cell))
    return out


# The ASCII punctuation that starts an inline construct anywhere in a line: emphasis (* _ ~),
# code (`), a link or an image ([ ]), HTML or an autolink (< >), an entity (&), LaTeX ($), a table
# cell (|), a heading (#), and the escape itself (\). CommonMark lets any of them be
# backslash-escaped; ( ) ! . , ' : and the rest only matter next to these or at a line's start.
_MD_INLINE = re.compile(r"([\\`*_~\[\]<>&$|#])")
# What starts a block at the start of the text (no line break is left inside it): a list item
# (- + or "1." "1)") or a blockquote (> is escaped everywhere already).
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([-+])|(\d{1,9})([.)]))")


def markdown(s: object) -> str:
    """Data text for a markdown body (st.markdown, st.caption, st.title, st.subheader, st.info, a
    metric's, widget's or expander's label): the characters of markdown constructs backslash-escaped,
    control characters and bidi overrides replaced (a newline would start a new block), and what Streamlit and GitHub
    markdown find in the text after the escapes are resolved broken by a zero-width word joiner:
    bare URLs ("https://", "www."), e-mail addresses ("a@b.org"), emoji and icon shortcodes and
    directives (":smile:", ":material/…:", ":red[…]"). Ordinary text (words, dates, "Ürümqi's",
    "(HCI 88, good)") comes back as it was, apart from a joiner after a colon that touches a word."""
    t = _MD_INLINE.sub(r"\\\1", _without_controls(str(s)))
    t = _MD_BLOCK_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)), t)
    t = re.sub(r"([:@])(?=\S)", r"\1" + WORD_JOINER, t)
    return re.sub(r"(?i)(www)(?=\.)", r"\1" + WORD_JOINER, t)


def html(s: object) -> str:
    """Data text for HTML (text or a quoted attribute): & < > " ' as entities, control characters
    and bidi overrides replaced."""
    return _html.escape(_without_controls(str(s)), quote=True)


def plotly(s: object) -> str:
    """Data text for a Plotly label, legend, title, annotation, tick, hover text or hovertemplate:
    Plotly reads a subset of HTML there (<a href>, <b>, <br>, entities), so & < > become entities
    and no tag ever forms; % becomes &#37; (shown as "%") so "%{y}" is never a placeholder of a
    hovertemplate; control characters and bidi overrides replaced."""
    return _html.escape(_without_controls(str(s)), quote=False).replace("%", "&#37;")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# RFC 4180's record separator. The csv module quotes a cell that holds a character of the line
# terminator; with "\n" alone a bare CR in a name stayed unquoted, and a spreadsheet (or Python's
# csv reader) starts a new row there: "\r=1" became a row whose first cell is the formula =1.
CSV_LINE_END = "\r\n"


def csv_cell(v):
    """A CSV cell a spreadsheet never runs (OWASP CSV injection): text starting with = + - @ TAB
    or CR gets a leading single quote; a number, or text that is one ("-3", "+2.5"), stays as it is."""
    if isinstance(v, str) and v.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(v):
        return "'" + v
    return v


def terminal(s: object) -> str:
    """Data text for a terminal: C0 and C1 control characters (CR, LF, TAB, ESC, BEL, CSI, …), DEL
    and the bidirectional overrides and isolates replaced by U+FFFD, so no cursor move, colour,
    new line, title change or reordering reaches the terminal."""
    return "".join(REPLACEMENT if _is_control(ch) or ch in BIDI_CONTROLS else ch for ch in str(s))


def ics_text(s: object) -> str:
    """An iCalendar TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, a line
    break (CRLF, CR or LF) as \\n; other control characters and the bidirectional overrides and
    isolates removed. Line folding at 75 octets is the content line's (icalendar's)."""
    t = str(s).replace("\r\n", "\n").replace("\r", "\n")
    t = "".join(ch for ch in t if ch == "\n" or not (_is_control(ch) or ch in BIDI_CONTROLS))
    return t.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


# What json.dumps(ensure_ascii=False) leaves raw although a terminal acts on it: DEL, C1 (CSI,
# NEL, …), the line and paragraph separators and the bidirectional controls (it escapes C0 itself).
_JSON_RAW_CONTROLS = _any_of(_DEL_C1_SEPARATORS, *sorted(BIDI_CONTROLS))


def json_text(doc: object, **dumps_options) -> str:
    """A JSON document (json.dumps, ensure_ascii=False, so names stay readable) with every character
    a terminal would act on written as a \\uXXXX escape: C0 (json's own escapes), DEL, C1 and the
    bidirectional controls. The escapes are JSON's own, so a parser reads back the same strings."""
    return _JSON_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}",
                                  _json.dumps(doc, ensure_ascii=False, **dumps_options))
