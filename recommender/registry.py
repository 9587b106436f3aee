"""The city registry as the results see it: resolve a query to a city id, and a city's
CityRef (id, name, country, coordinates °, native names by language)."""

from __future__ import annotations

import pandas as pd

from .atlas import name_index, resolve_city
from .results import CityRef


class Registry:
    """Look-ups over the cities table (one row per city) and the native-names table
    (city_id, lang, name: one row per city and language)."""

    def __init__(self, cities: pd.DataFrame, names: pd.DataFrame | None = None):
        self.cities = cities.set_index("city_id", drop=False)
        self._native: dict[str, tuple[tuple[str, str], ...]] = {}
        if names is None:   # a cities table that still carries one name_<lang> column per language
            cols = [c for c in cities.columns if c.startswith("name_")]
            long = [(cid, c[5:], n) for c in cols for cid, n in zip(cities["city_id"], cities[c].fillna(""))
                    if isinstance(n, str) and n]
            names = pd.DataFrame(long, columns=["city_id", "lang", "name"])
            order = {c[5:]: k for k, c in enumerate(cols)}
            names = names.sort_values(["city_id", "lang"], key=lambda s: s.map(order) if s.name == "lang" else s,
                                      kind="stable")
        for cid, g in names.groupby("city_id", sort=False):
            self._native[cid] = tuple(zip(g["lang"], g["name"]))
        self._names: dict[str, frozenset[str]] | None = None
        self._refs: dict[str, CityRef] | None = None

    def city(self, query: str) -> str:
        """City id for an id, name or ASCII name (atlas.resolve_city, with a cached name index)."""
        if self._names is None:
            self._names = name_index(self.cities)
        q = str(query).strip()
        if q.lower() in self.cities.index:
            return q.lower()
        return resolve_city(q, self.cities.reset_index(drop=True), self._names)

    def ref(self, cid: str) -> CityRef:
        """id, name, country, coordinates and the native names where known (KeyError for an id
        not in the registry)."""
        return self.refs()[cid]

    def refs(self) -> dict[str, CityRef]:
        """Every city's CityRef, built in one pass over the columns the first time (a row look-up
        per city took 3.8 s for the 16,000 cities of the directory)."""
        if self._refs is None:
            c, native = self.cities, self._native
            lat, lon = c["lat"].astype(float).tolist(), c["lon"].astype(float).tolist()
            self._refs = {cid: CityRef(cid, name, country, native.get(cid, ()), la, lo)
                          for cid, name, country, la, lo in zip(c["city_id"], c["name"], c["country"], lat, lon)}
        return self._refs

    def native_names(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """city id → its (language, name) pairs, for the cities that have any."""
        return self._native

    def country(self, cid: str) -> str:
        return str(self.cities.at[cid, "country"])

    def countries(self, ids) -> "pd.Series":
        """The ISO codes of city ids (NaN for an id not in the registry)."""
        return self.cities["country"].reindex(ids)

    def lat(self, cid: str) -> float:
        return float(self.cities.at[cid, "lat"])
