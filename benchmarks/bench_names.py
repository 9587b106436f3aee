"""Not speed: how many of the cities a language's readers see have a name in that language.

    python benchmarks/bench_names.py

For each declared language, the "most-shown partner cities" are the 100 cities that appear most
often as sister cities of the registry's cities in the countries where that language is the
main one (the dashboard lists a home city's partners on its first page). Prints the share of
them with a name in the language (data/city_names.csv: curated or CLDR). For a language written
in another script than Latin that is the share a reader sees in their own letters; for a
Latin-script language the rest show the registry's (English or local) name, often the same word.
"""

from __future__ import annotations

from collections import Counter

from recommender.atlas import load_cities, load_names, load_pairs
from recommender.present.i18n import DECLARED_LANGUAGES

HOME_COUNTRIES = {"de": ("DE", "AT", "CH"), "fr": ("FR", "BE", "CH"), "pl": ("PL",), "it": ("IT",),
                  "es": ("ES", "MX", "AR", "CO", "CL", "PE"), "ru": ("RU", "BY", "KZ", "UA"), "ja": ("JP",),
                  "zh": ("CN",), "ur": ("PK",)}
TOP = 100


def main() -> None:
    cities = load_cities().set_index("city_id")
    pairs = load_pairs()
    names = load_names()
    country = cities["country"]
    for lang in DECLARED_LANGUAGES:
        if lang.code not in HOME_COUNTRIES:
            continue
        homes = set(cities.index[country.isin(HOME_COUNTRIES[lang.code])])
        shown = Counter()
        for a, b in zip(pairs["city_a"], pairs["city_b"]):
            if a in homes:
                shown[b] += 1
            if b in homes:
                shown[a] += 1
        top = [c for c, _n in shown.most_common(TOP)]
        named = set(names.loc[names["lang"] == lang.code, "city_id"])
        hit = sum(c in named for c in top)
        print(f"{lang.code} ({lang.script}): {hit} of the {len(top)} most-shown partner cities have a {lang.name} name "
              f"({hit / max(1, len(top)):.0%}); {len(named):,} cities in all")


if __name__ == "__main__":
    main()
