"""Presentation: the typed results in words (text.py), figures (charts.py), downloads
(exports.py) and units (units.py). The dashboard and the CLI only call these."""

from . import documents as _documents, text as _text

# The JSON documents moved to documents.py; the names the README documented keep working on text
# (set here, so that text.py imports nothing from documents.py, which imports it: no import cycle).
for _name in ("recommendation_json", "profile_json", "exchange_json", "pair_exchange_json"):
    setattr(_text, _name, _documents.document)
_text.city_json, _text.confidence_json = _documents.city, _documents.confidence
