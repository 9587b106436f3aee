"""Seasonal travel recommender for sister cities, laid out along its data flow:

    sources/ → atlas → comfort/ → recommend → present/     (climate/ and places/ hold the
                                                            knowledge; pipelines/ orchestrate)

The public API: load_atlas/load_cities/load_pairs/load_names/resolve_city (the atlas), score_atlas (the
comfort engine), Recommender and recommend/year/profile/exchange/travel_windows/pair_ranking
(typed results).
Names are imported on first use, so `python -m recommender` starts (and answers Ctrl-C)
before pandas is loaded.
"""

_LAZY = {
    "AtlasError": "errors", "RecommenderError": "errors", "RefreshError": "errors", "UnknownCityError": "errors",
    "load_atlas": "atlas", "load_cities": "atlas", "load_pairs": "atlas", "load_names": "atlas", "resolve_city": "atlas",
    "score_atlas": "comfort", "Recommender": "recommend", "exchange": "recommend", "profile": "recommend",
    "recommend": "recommend", "travel_windows": "recommend", "year": "recommend", "pair_ranking": "recommend",
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")
