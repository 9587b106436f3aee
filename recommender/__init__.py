"""Seasonal travel recommender for sister cities: climate atlas, comfort scoring, ranking."""

from .atlas import load_atlas, load_cities, load_pairs, resolve_city
from .comfort import score_atlas
from .ranking import Recommender, exchange, profile, recommend, travel_windows
from .errors import AtlasError, RecommenderError, RefreshError, UnknownCityError

__all__ = [
    "AtlasError", "RecommenderError", "RefreshError", "UnknownCityError",
    "load_atlas", "load_cities", "load_pairs", "resolve_city",
    "Recommender", "exchange", "profile", "recommend", "score_atlas", "travel_windows",
]
