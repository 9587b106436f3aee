"""Seasonal travel recommender for sister cities: climate atlas, comfort scoring, ranking."""

from .atlas import load_atlas, load_cities, load_pairs, resolve_city
from .errors import AtlasError, RecommenderError, RefreshError, UnknownCityError

__all__ = [
    "AtlasError", "RecommenderError", "RefreshError", "UnknownCityError",
    "load_atlas", "load_cities", "load_pairs", "resolve_city",
]
