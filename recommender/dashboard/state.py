"""Choices that outlive a page: the values of the widgets a person set, kept across page
switches (Streamlit drops a widget's state when a run does not draw it) and language switches
(the labels of every option change). A widget opts in where it is drawn, with `kept(key)`;
nothing else lists the keys."""

from __future__ import annotations

import streamlit as st

from ..present import i18n

_STORE = "_kept"              # session-state entry: widget key → the value last drawn
_SHOWN_LANG = "_shown_lang"   # the language of the previous run


def language() -> str:
    """The page's language: the language picker's value, else the link's ?lang=, else the
    browser's locale (English for anything not written). Call once per run, first."""
    if "lang" not in st.session_state:
        asked = st.query_params.get("lang")
        st.session_state["lang"] = (i18n.language(asked) if asked in i18n.LANGUAGES
                                    else i18n.language(getattr(st.context, "locale", None)))
    st.session_state["_lang_changed"] = False
    kept("lang")
    lang = st.session_state["lang"]
    st.session_state["_lang_changed"] = st.session_state.get(_SHOWN_LANG, lang) != lang
    st.session_state[_SHOWN_LANG] = lang
    return lang


def kept(key: str, default=None) -> str:
    """The key of a widget whose value is kept: before the widget is drawn, its value is put
    back from the store when its state is gone (another page was shown) or the language has just
    changed (the browser names a choice by its label, which changed); `default` seeds it the
    first time. Returns `key`, for the widget's `key=`; never pass the widget a default value."""
    store = st.session_state.setdefault(_STORE, {})
    if key not in st.session_state or st.session_state.get("_lang_changed"):
        if key in store:
            st.session_state[key] = store[key]
        elif default is not None and key not in st.session_state:
            st.session_state[key] = default
    if key in st.session_state:
        store[key] = st.session_state[key]
        # Re-assigned through the Session State API: a widget of the same key drawn by another page
        # (another widget id) takes this value instead of its first option.
        st.session_state[key] = store[key]
    return key


def value(key: str, default=None):
    """A kept choice's value on a page that does not draw its widget."""
    if key in st.session_state:
        return st.session_state[key]
    return st.session_state.get(_STORE, {}).get(key, default)


def remember(key: str, v) -> None:
    """Set a kept choice from code (a link's value), as if the person had picked it."""
    st.session_state.setdefault(_STORE, {})[key] = v
    st.session_state[key] = v
