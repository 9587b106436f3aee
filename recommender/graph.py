"""The sister-city graph: who is twinned with whom (each pair once in pairs.csv), a city's
partners and sisters of sisters, and the pairs of a city or a country as two id arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd


class SisterGraph:
    """Adjacency over the pairs table (city_a, city_b)."""

    def __init__(self, pairs: pd.DataFrame):
        self.pairs = pairs
        adj: dict[str, set[str]] = {}
        for a, b in zip(pairs["city_a"], pairs["city_b"]):
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
        self.adjacency = {k: sorted(v) for k, v in adj.items()}

    def sisters(self, cid: str) -> list[str]:
        return self.adjacency.get(cid, [])

    def twinned(self, a: str, b: str) -> bool:
        return b in self.adjacency.get(a, ())

    def partners(self, home: str, second_degree: bool = False) -> list[tuple[str, int, list[str]]]:
        """(partner id, degree 1 or 2, the sisters it is reached via) for a home city id."""
        direct = self.sisters(home)
        out = [(p, 1, []) for p in direct]
        if second_degree:
            seen = set(direct) | {home}
            via: dict[str, list[str]] = {}
            for p in direct:
                for q in self.sisters(p):
                    if q not in seen:
                        via.setdefault(q, []).append(p)
            out += [(q, 2, sorted(v)) for q, v in sorted(via.items())]
        return out

    def ends(self, city: str | None = None, country: str | None = None, country_of=None) -> tuple[np.ndarray, np.ndarray]:
        """The pairs as (A ids, B ids): `city` keeps that city's pairs (it is A); `country` (ISO
        code; `country_of(ids)` gives the codes of ids) the pairs with an end there (that end is
        A unless `city` decided)."""
        a_ids, b_ids = self.pairs["city_a"].to_numpy(), self.pairs["city_b"].to_numpy()
        if city:
            keep = (a_ids == city) | (b_ids == city)
            a_ids, b_ids = (np.where(b_ids[keep] == city, b_ids[keep], a_ids[keep]),
                            np.where(b_ids[keep] == city, a_ids[keep], b_ids[keep]))
        if country:
            ca, cb = np.asarray(country_of(a_ids)), np.asarray(country_of(b_ids))
            keep = (ca == country) | (cb == country)
            a_ids, b_ids = a_ids[keep], b_ids[keep]
            if not city:   # the country's city first
                swap = (cb[keep] == country) & (ca[keep] != country)
                a_ids, b_ids = np.where(swap, b_ids, a_ids), np.where(swap, a_ids, b_ids)
        return a_ids, b_ids
