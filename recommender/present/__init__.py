"""Presentation: the typed results in words (text.py), figures (charts.py), downloads
(exports.py) and units (units.py). The dashboard and the CLI only call these."""
