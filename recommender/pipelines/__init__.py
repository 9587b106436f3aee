"""Orchestration: the atlas build (build_atlas.py) and the Meteostat refresh (refresh.py)."""
