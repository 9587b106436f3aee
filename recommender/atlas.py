"""Loading the climate atlas: embedded tables in data/, overlaid by refreshed Meteostat normals.

    load_atlas()  → one row per city and month: normals (°C, mm, %, h, km/h) with provenance,
                    joined with the registry (name, country, lat/lon, elevation, time zone …)
    load_cities() → the registry, one row per city
    load_pairs()  → the sister-city pairs (city_a, city_b, source)
    resolve_city("Ürümqi") → "urumqi"
"""

from __future__ import annotations

import difflib
import logging
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .errors import AtlasError, UnknownCityError
from .gazetteer import normalize_name
from .paths import DATA_DIR, user_store_dir
from .schema import NORMALS_COLUMNS, SRC_COLUMNS, VARIABLES, validate_normals

log = logging.getLogger(__name__)

STORE_FILE = "normals.parquet"
CITY_COLUMNS = ["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "timezone",
                "station_ids", "name_zh", "name_ur", "population", "has_climate", "climate_note"]
_CITY_DTYPES = {"city_id": str, "name": str, "ascii_name": str, "country": str, "timezone": str,
                "station_ids": str, "name_zh": str, "name_ur": str, "climate_note": str, "climate_name": str,
                "lat": float, "lon": float, "elevation_m": float, "population": float, "geonames_id": str}


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    if not path.exists():
        raise AtlasError(f"Missing data file {path}; restore it from the repository or rebuild with "
                         "`python -m recommender build-atlas`.")
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""], **kw)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise AtlasError(f"Cannot read {path}: {exc}. Restore the file from the repository.") from exc


def _mtime(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@lru_cache(maxsize=4)
def _cities(data_dir: str, _mtime: float) -> pd.DataFrame:
    df = _read_csv(Path(data_dir) / "cities.csv", dtype=_CITY_DTYPES)
    missing = [c for c in CITY_COLUMNS if c not in df.columns]
    if missing:
        raise AtlasError(f"data/cities.csv lacks the columns {', '.join(missing)}; rebuild the atlas.")
    df["has_climate"] = df["has_climate"].astype(str).str.lower() == "true"
    for c in ("name_zh", "name_ur", "station_ids"):
        df[c] = df[c].fillna("")
    if df["city_id"].duplicated().any():
        raise AtlasError(f"data/cities.csv repeats the city id '{df.loc[df.city_id.duplicated(), 'city_id'].iloc[0]}'.")
    return df


def load_cities(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The city registry (one row per city); see data/README.md for the columns."""
    return _cities(str(data_dir), _mtime(Path(data_dir) / "cities.csv")).copy()


@lru_cache(maxsize=4)
def _pairs(data_dir: str, _mtime: float) -> pd.DataFrame:
    df = _read_csv(Path(data_dir) / "pairs.csv", dtype=str)
    if list(df.columns[:2]) != ["city_a", "city_b"]:
        raise AtlasError("data/pairs.csv must start with the columns city_a, city_b; rebuild the atlas.")
    return df


def load_pairs(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Sister-city pairs: city_a, city_b (city ids, each pair once), source."""
    return _pairs(str(data_dir), _mtime(Path(data_dir) / "pairs.csv")).copy()


def _read_normals_csv(path: Path) -> pd.DataFrame:
    dtypes = {"city_id": str, "month": int, "period": str, **{v: float for v in VARIABLES},
              **{s: str for s in SRC_COLUMNS}}
    return _read_csv(path, dtype=dtypes)


def read_store(store_dir: Path | None = None) -> pd.DataFrame | None:
    """Refreshed normals from the user store, or None when there are none.

    Raises AtlasError when the store exists but cannot be read.
    """
    path = Path(store_dir or user_store_dir()) / STORE_FILE
    if not path.exists():
        return None
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise AtlasError(
            f"The refreshed store {path} is unreadable ({type(exc).__name__}). Delete it or run "
            "`python -m recommender refresh` again; the embedded atlas is unaffected."
        ) from exc
    missing = [c for c in NORMALS_COLUMNS if c not in df.columns]
    if missing:
        raise AtlasError(f"The refreshed store {path} lacks the columns {', '.join(missing)}; delete it "
                         "or run `python -m recommender refresh` again.")
    return df[NORMALS_COLUMNS]


@lru_cache(maxsize=4)
def _atlas(data_dir: str, store_dir: str, _m1: float, _m2: float, _m3: float) -> pd.DataFrame:
    cities = _cities(data_dir, _m1)
    normals = _read_normals_csv(Path(data_dir) / "normals.csv")
    normals["data_source"] = "embedded"
    warnings: list[str] = []
    try:
        fresh = read_store(Path(store_dir))
    except AtlasError as exc:
        fresh = None
        warnings.append(str(exc))
        log.warning("%s", exc)
    lat = cities.set_index("city_id")["lat"]
    validate_normals(normals, lat)
    if fresh is not None and len(fresh):
        fresh = fresh[fresh["city_id"].isin(lat.index)].copy()
        try:
            validate_normals(fresh, lat)
        except AtlasError as exc:
            warnings.append(f"Refreshed data ignored: {exc}")
            fresh = None
    if fresh is not None and len(fresh):
        fresh["data_source"] = "meteostat"
        normals = pd.concat([normals[~normals["city_id"].isin(fresh["city_id"])], fresh], ignore_index=True)
    atlas = normals.merge(cities.drop(columns=["climate_name", "geonames_id"], errors="ignore"),
                          on="city_id", how="left", validate="many_to_one")
    atlas = atlas.sort_values(["city_id", "month"]).reset_index(drop=True)
    atlas.attrs["warnings"] = warnings
    return atlas


def load_atlas(data_dir: Path = DATA_DIR, store_dir: Path | None = None) -> pd.DataFrame:
    """Validated normals (one row per city and month) joined with the registry.

    Refreshed Meteostat normals in the user store replace a city's embedded rows; a damaged
    store is skipped with a message in `atlas.attrs["warnings"]`. Cities without climate
    normals are not in the atlas (they are in load_cities()).
    """
    store = Path(store_dir or user_store_dir())
    atlas = _atlas(str(data_dir), str(store), _mtime(Path(data_dir) / "cities.csv"),
                   _mtime(Path(data_dir) / "normals.csv"), _mtime(store / STORE_FILE))
    out = atlas.copy()
    out.attrs["warnings"] = list(atlas.attrs.get("warnings", []))
    return out


def atlas_version(data_dir: Path = DATA_DIR, store_dir: Path | None = None) -> tuple:
    """Modification times of the files behind load_atlas(): changes when any of them does."""
    store = Path(store_dir or user_store_dir())
    return (str(data_dir), str(store), _mtime(Path(data_dir) / "cities.csv"), _mtime(Path(data_dir) / "normals.csv"),
            _mtime(Path(data_dir) / "pairs.csv"), _mtime(store / STORE_FILE))


def resolve_city(query: str, cities: pd.DataFrame | None = None) -> str:
    """City id for an id, name or ASCII name (case- and accent-insensitive).

    Raises UnknownCityError with the closest matches when nothing or several cities match.
    """
    cities = load_cities() if cities is None else cities
    q = str(query).strip()
    ids = cities["city_id"]
    if q.lower() in set(ids):
        return q.lower()
    key = normalize_name(q)
    norm_names = cities["name"].map(normalize_name)
    hits = cities[(norm_names == key) | (cities["ascii_name"].map(normalize_name) == key)]
    if len(hits) == 1:
        return hits["city_id"].iloc[0]
    label = lambda r: f"{r.city_id} ({r.name}, {r.country})"  # noqa: E731
    if len(hits) > 1:
        raise UnknownCityError(q, [label(r) for r in hits.itertuples()], ambiguous=True)
    close = difflib.get_close_matches(key, list(dict.fromkeys(norm_names)), n=5, cutoff=0.75)
    sugg = cities[norm_names.isin(close)]
    raise UnknownCityError(q, [label(r) for r in sugg.itertuples()][:5])
