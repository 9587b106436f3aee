"""Seasonal travel recommender for sister cities, laid out along its data flow:

    sources/ → atlas → comfort/ → recommend → present/     (climate/ and places/ hold the
                                                            knowledge; pipelines/ orchestrate)

The public API: load_atlas/load_cities/load_pairs/resolve_city (the atlas), score_atlas (the
comfort engine), Recommender and recommend/profile/exchange/travel_windows (typed results).
"""

from .atlas import load_atlas, load_cities, load_pairs, resolve_city
from .comfort import score_atlas
from .errors import AtlasError, RecommenderError, RefreshError, UnknownCityError
from .recommend import Recommender, exchange, profile, recommend, travel_windows

__all__ = [
    "AtlasError", "RecommenderError", "RefreshError", "UnknownCityError",
    "load_atlas", "load_cities", "load_pairs", "resolve_city",
    "Recommender", "exchange", "profile", "recommend", "score_atlas", "travel_windows",
]
