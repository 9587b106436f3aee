"""Source: curated sister-city pairs that the registry always carries (today
`../shared/data/sister_cities/china_pakistan_pairs.csv`, compiled from the two sister-city
lists; MIT, from Wikipedia).

Format: one row per pair; each end is three columns `<cc>_city`, `<cc>_lat`, `<cc>_lon`, where
`<cc>` is the ISO 3166 alpha-2 code of the end's country in lower case (`cn_city`, `pk_lat`);
coordinates in decimal degrees (°N, °E), empty where the file has none (the place then takes the
coordinates another row gives the same name). Other columns are ignored. The pairs' source label
in pairs.csv is the file's name without `.csv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import AtlasError

FILE = Path("sister_cities") / "china_pakistan_pairs.csv"   # under the shared data folder


@dataclass(frozen=True)
class End:
    """One end of a curated pair: its name, ISO country code and coordinates (None where empty)."""

    name: str
    country: str
    lat: float | None
    lon: float | None


@dataclass
class CuratedPairs:
    """The curated pairs of one table: `source` (the label in pairs.csv), `countries` (the ISO
    codes of the two ends, in column order) and the pairs."""

    source: str
    countries: tuple[str, ...]
    pairs: list[tuple[End, End]]


def ends_of(columns) -> list[str]:
    """The country prefixes (lower case) of the `<cc>_city` columns that have `_lat` and `_lon`."""
    cols = list(columns)
    return [c[:-5] for c in cols if c.endswith("_city") and len(c) == 7
            and f"{c[:-5]}_lat" in cols and f"{c[:-5]}_lon" in cols]


def parse(frame: pd.DataFrame, source: str) -> CuratedPairs:
    """A curated table (all columns read as text) → CuratedPairs; AtlasError unless it has two ends."""
    prefixes = ends_of(frame.columns)
    if len(prefixes) != 2:
        raise AtlasError(f"The curated pairs table {source} needs two ends, each as <cc>_city, <cc>_lat, <cc>_lon "
                         f"columns (ISO country code <cc>); found {len(prefixes)}.")

    def end(row, p) -> End:
        lat, lon = row[f"{p}_lat"], row[f"{p}_lon"]
        return End(row[f"{p}_city"], p.upper(), float(lat) if lat else None, float(lon) if lon else None)

    rows = frame.to_dict("records")
    return CuratedPairs(source, tuple(p.upper() for p in prefixes),
                        [(end(r, prefixes[0]), end(r, prefixes[1])) for r in rows])


def read(path: Path) -> CuratedPairs:
    """Read one curated pairs table (source label: the file name without `.csv`)."""
    path = Path(path)
    return parse(pd.read_csv(path, dtype=str, keep_default_na=False), path.stem)
