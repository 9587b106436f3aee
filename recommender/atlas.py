"""Loading the climate atlas: the embedded tables in data/ (built from the Wikipedia source)
overlaid per city by the sources' declared priority (refreshed Meteostat normals win).

    load_atlas()  → one row per city and month: normals (°C, mm, %, h, km/h) with provenance,
                    joined with the registry (name, country, lat/lon, elevation, time zone …)
    load_cities() → the registry, one row per city
    load_names()  → the cities' native names, one row per city and language (city_id, lang, name, source)
    load_pairs()  → the sister-city pairs (city_a, city_b, source)
    resolve_city("Ürümqi") → "urumqi"
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .climate import confidence
from .climate.validate import city_problems, validate_normals
from .climate.variables import NORMALS_COLUMNS, PROVENANCE, SRC_COLUMNS, VARIABLES
from .errors import AtlasError, UnknownCityError, shown
from .paths import checked_data_file, data_dir as default_data_dir, user_store_dir
from .places.names import normalize_name
from .sources import by_priority
from .storage import NormalsStore


CHECK_MAX_C = 100.0   # two estimates of a monthly mean temperature cannot differ by more
CITY_COLUMNS = ["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "timezone",
                "station_ids", "population", "has_climate", "climate_note"]


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    checked_data_file(path)
    try:
        return pd.read_csv(path, keep_default_na=False, na_values=[""], **kw)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if fields:                       # pandas' tokenizer words, said as the other cell errors are
            want, line, saw = fields.groups()
            raise AtlasError(f"Cannot read {path}: line {line} has {saw} cells where the header has {want} (a comma "
                             "too many, two lines run together, or not a CSV file at all); restore the file from the "
                             "repository.") from None
        raise AtlasError(f"Cannot read {path}: {shown(' '.join(str(exc).split()), 200)}. Restore the file from the "
                         "repository.") from None


# Each numeric column of data/cities.csv and its physical range (units in data/README.md).
CITY_RANGES = {"lat": (-90.0, 90.0), "lon": (-180.0, 180.0), "elevation_m": (-500.0, 9000.0),
               "population": (0.0, 5e7), "gridded_km": (0.0, 20000.0), "gridded_dz_m": (-9000.0, 9000.0)}
CITY_REQUIRED = ["city_id", "name", "country", "lat", "lon"]   # a city without these cannot be shown or placed


def _first_bad(path: Path, mask, column: str, why) -> None:
    """AtlasError naming the file, line and column of the first row where mask holds; why(i)
    says what is wrong with row i (position)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        raise AtlasError(f"{path.name} line {i + 2}, column {column}: {why(i)}; restore the file from the repository "
                         "or rebuild it with `python -m recommender build-atlas`.")


def _check_cities(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The registry with typed columns, or AtlasError naming the line and column of the first bad
    cell: required cells present, numbers that are numbers inside their physical range, countries
    that are ISO codes (a lower-case "pk" silently left Karachi out of every --country PK), a
    has_climate that is True or False, ids unique."""
    for c in CITY_REQUIRED:
        _first_bad(path, df[c].isna() | (df[c].astype(str).str.strip() == ""), c, lambda i: "the cell is empty")
    for c, (lo, hi) in CITY_RANGES.items():
        if c not in df:
            continue
        raw = df[c]
        x = pd.to_numeric(raw, errors="coerce")
        _first_bad(path, raw.notna() & x.isna(), c, lambda i, raw=raw: f"{shown(raw.iloc[i])} is not a number")
        _first_bad(path, x.notna() & ~x.between(lo, hi), c,
                   lambda i, x=x, lo=lo, hi=hi: f"{x.iloc[i]:g} is outside the range {lo:g} to {hi:g}")
        df[c] = x.astype(float)
    from .places.countries import country_tables

    iso = df["country"].astype(str)
    _first_bad(path, ~iso.isin(list(country_tables()[1])), "country",
               lambda i: f"{shown(iso.iloc[i])} is not an ISO 3166 country code (two capital letters, such as PK)")
    if "has_climate" in df:
        flag = df["has_climate"].astype(str).str.lower()
        _first_bad(path, ~flag.isin(["true", "false"]), "has_climate",
                   lambda i: f"{shown(df['has_climate'].iloc[i])} is not True or False")
    ids = df["city_id"].astype(str)
    _first_bad(path, ~ids.str.fullmatch(r"[a-z0-9][a-z0-9-]*"), "city_id",
               lambda i: f"{shown(ids.iloc[i])} is not a city id (lower-case letters, digits and hyphens)")
    _first_bad(path, ids.duplicated(), "city_id", lambda i: f"repeats the city id {ids.iloc[i]!r}")
    return df


def _mtime(path: Path) -> tuple[int, int]:
    """A data file's version for the caches: (modification time in ns, size in bytes); two writes
    within one clock tick of the file system still differ when their sizes do. (0, -1) when absent."""
    try:
        st = path.stat()
    except OSError:
        return (0, -1)
    return (st.st_mtime_ns, st.st_size)


def _normals_mtime(data_dir: Path) -> tuple:
    """The version of the embedded normals and of the build's record that grades them."""
    return tuple(_mtime(Path(data_dir) / name) for name in ("normals.parquet", "normals.csv", "build_info.json"))


@lru_cache(maxsize=4)
def _cities(data_dir: str, _version: tuple) -> pd.DataFrame:
    path = Path(data_dir) / "cities.csv"
    df = _read_csv(path, dtype=str)
    missing = [c for c in CITY_COLUMNS if c not in df.columns]
    if missing:
        raise AtlasError(f"data/cities.csv lacks the columns {', '.join(missing)}; rebuild the atlas.")
    df = _check_cities(df, path)
    df["has_climate"] = df["has_climate"].astype(str).str.lower() == "true"
    df["station_ids"] = df["station_ids"].fillna("")
    return df


def load_cities(data_dir: Path | None = None) -> pd.DataFrame:
    """The city registry (one row per city); see data/README.md for the columns."""
    data_dir = Path(data_dir or default_data_dir())
    return _cities(str(data_dir), _mtime(Path(data_dir) / "cities.csv")).copy()


NAME_COLUMNS = ["city_id", "lang", "name", "source"]


@lru_cache(maxsize=4)
def _names(data_dir: str, _version: tuple, _cities_version: tuple) -> pd.DataFrame:
    path = Path(data_dir) / "city_names.csv"
    df = _read_csv(path, dtype=str)
    missing = [c for c in NAME_COLUMNS if c not in df.columns]
    if missing:
        raise AtlasError(f"data/city_names.csv lacks the columns {', '.join(missing)}; restore the file from the "
                         "repository or rebuild it with `python -m recommender build-atlas`.")
    df = df[NAME_COLUMNS].fillna("")
    known = set(_cities(data_dir, _cities_version)["city_id"])
    seen: set[tuple[str, str]] = set()
    for i, (cid, lang, name) in enumerate(zip(df["city_id"], df["lang"], df["name"]), start=2):
        problem = ("column city_id is empty" if not cid else
                   f"column city_id names the unknown city {cid!r}" if cid not in known else
                   f"column lang is empty (city {cid!r})" if not lang.strip() else
                   f"column name is empty (city {cid!r}, language {lang!r})" if not name.strip() else
                   f"repeats the {lang!r} name of city {cid!r}" if (cid, lang) in seen else None)
        if problem:
            raise AtlasError(f"data/city_names.csv line {i} {problem}; restore the file from the repository or "
                             "rebuild it with `python -m recommender build-atlas`.")
        seen.add((cid, lang))
    return df.reset_index(drop=True)


def load_names(data_dir: Path | None = None) -> pd.DataFrame:
    """The cities' native names (data/city_names.csv): city_id, lang (a language code of
    present/i18n.LANGUAGES, e.g. "zh", "ur"), name, source — one row per city and language that
    has a name, sorted by city_id, then language; validated against the registry on load."""
    data_dir = Path(data_dir or default_data_dir())
    return _names(str(data_dir), _mtime(data_dir / "city_names.csv"), _mtime(data_dir / "cities.csv")).copy()


@lru_cache(maxsize=4)
def _pairs(data_dir: str, _version: tuple) -> pd.DataFrame:
    df = _read_csv(Path(data_dir) / "pairs.csv", dtype=str)
    if list(df.columns[:2]) != ["city_a", "city_b"]:
        raise AtlasError("data/pairs.csv must start with the columns city_a, city_b; rebuild the atlas.")
    path = Path(data_dir) / "pairs.csv"
    known = _cities(data_dir, _mtime(path.parent / "cities.csv"))["city_id"]
    a, b = df["city_a"], df["city_b"]
    for c in ("city_a", "city_b"):
        _first_bad(path, df[c].isna() | (df[c].str.strip() == ""), c, lambda i: "the cell is empty")
        _first_bad(path, ~df[c].isin(known), c, lambda i, c=c: f"names the unknown city {shown(df[c].iloc[i])}")
    _first_bad(path, a == b, "city_b", lambda i: f"pairs the city {a.iloc[i]!r} with itself")
    key = pd.Series(np.where(a < b, a + "|" + b, b + "|" + a))     # a pair in either order is the same pair
    _first_bad(path, key.duplicated(), "city_a",
               lambda i: f"repeats the pair {a.iloc[i]} – {b.iloc[i]} (an earlier line has it, in either order)")
    if df.empty:
        raise AtlasError(f"{path} holds no pairs (only its header): restore it from the repository or rebuild "
                         "with `python -m recommender build-atlas`.")
    return df


def load_pairs(data_dir: Path | None = None) -> pd.DataFrame:
    """Sister-city pairs: city_a, city_b (city ids, each pair once), source."""
    data_dir = Path(data_dir or default_data_dir())
    return _pairs(str(data_dir), _mtime(Path(data_dir) / "pairs.csv")).copy()


def _read_normals(data_dir: Path) -> pd.DataFrame:
    """The embedded normals: data/normals.parquet (data/normals.csv of earlier builds is read too)."""
    path = data_dir / "normals.parquet"
    if not path.exists() and (data_dir / "normals.csv").exists():
        dtypes = {"city_id": str, "month": int, "period": str, **{v: float for v in VARIABLES},
                  **{s: str for s in SRC_COLUMNS}}
        return _read_csv(data_dir / "normals.csv", dtype=dtypes)
    checked_data_file(path)
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise AtlasError(f"Cannot read {path} ({type(exc).__name__}); restore it from the repository.") from None
    missing = [c for c in NORMALS_COLUMNS if c not in df.columns]
    if missing:
        raise AtlasError(f"{path} lacks the columns {', '.join(missing)}; restore it from the repository or rebuild.")
    if "check_c" in df:   # the cross-source difference (°C): never negative, never beyond the range of normals
        check = pd.to_numeric(df["check_c"], errors="coerce")
        bad = check.notna() & ~check.between(0.0, CHECK_MAX_C)
        if bad.any():
            i = bad.idxmax()
            raise AtlasError(f"{path}: city '{df.at[i, 'city_id']}' month {df.at[i, 'month']} has check_c = "
                             f"{check[i]!r}, outside 0–{CHECK_MAX_C:.0f} °C; restore it from the repository or rebuild.")
        df["check_c"] = check
    return df


def read_store(store_dir: Path | None = None) -> tuple[pd.DataFrame | None, list[str]]:
    """Refreshed normals from the user store (None when there are none) and a warning for each
    file that could not be read (its city is left out, the others kept)."""
    return NormalsStore(Path(store_dir or user_store_dir())).read(NORMALS_COLUMNS)


def _valid_cities(frame: pd.DataFrame, lat: pd.Series, what: str, warnings: list[str]) -> pd.DataFrame:
    """The rows of the cities of `frame` that pass validation (climate.validate.city_problems);
    each rejected city is named in `warnings` (one bad city never hides the others)."""
    problems = city_problems(frame, lat)
    for reason in problems.values:
        warnings.append(f"{what}: ignored, the other cities kept. {reason}. Refresh that city again.")
    keep = frame[~frame["city_id"].isin(problems.index)]
    return keep.assign(month=keep["month"].astype(int), **{v: pd.to_numeric(keep[v]).astype(float) for v in VARIABLES})


def overlay(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One set of 12 rows per city from several sources' normals: per city, the rows of the
    source with the best declared priority (sources/__init__.py). Adds `data_source`."""
    out, taken = [], set()
    for key in by_priority([k for k, f in frames.items() if f is not None and len(f)]):
        f = frames[key]
        f = f[~f["city_id"].isin(taken)].assign(data_source=key)
        taken |= set(f["city_id"])
        out.append(f)
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=[*NORMALS_COLUMNS, "data_source"])


def _check_against(fresh: pd.DataFrame, embedded: pd.DataFrame) -> pd.DataFrame:
    """Refreshed rows with `check_c`: |refreshed − embedded| mean temperature (°C) of the same
    city and month, the embedded atlas being an estimate independent of the refresh."""
    ref = embedded.set_index(["city_id", "month"])["tmean_c"]
    key = pd.MultiIndex.from_frame(fresh[["city_id", "month"]])
    return fresh.assign(check_c=np.abs(fresh["tmean_c"].to_numpy(float) - ref.reindex(key).to_numpy(float)))


@lru_cache(maxsize=4)
def _atlas(data_dir: str, store_dir: str, _m1: tuple, _m2: tuple, _m3: tuple) -> pd.DataFrame:
    cities = _cities(data_dir, _m1)
    lat = cities.set_index("city_id")["lat"]
    embedded = _read_normals(Path(data_dir))
    validate_normals(embedded, lat)
    embedded = embedded.astype({"month": int, **{v: float for v in VARIABLES}})
    fresh, warnings = read_store(Path(store_dir))   # shown by the CLI (warning: lines) and on every page
    if fresh is not None and len(fresh):
        fresh = _valid_cities(fresh, lat, f"Refreshed data in {NormalsStore(Path(store_dir)).db}", warnings)
    gridded_only = embedded["city_id"].isin(cities.loc[cities["climate_note"] == "gridded", "city_id"])
    if fresh is not None and len(fresh):
        fresh = _check_against(fresh, embedded)
    normals = overlay({"wikipedia": embedded[~gridded_only], "gridded": embedded[gridded_only], "meteostat": fresh})
    for c in SRC_COLUMNS:  # categorical provenance: scoring maps the categories, not every row's string
        if not (isinstance(normals[c].dtype, pd.CategoricalDtype) and list(normals[c].cat.categories) == list(PROVENANCE)):
            normals[c] = pd.Categorical(normals[c], categories=list(PROVENANCE))
    atlas = normals.merge(cities.drop(columns=["climate_name", "geonames_id"], errors="ignore"),
                          on="city_id", how="left", validate="many_to_one")
    atlas = atlas.sort_values(["city_id", "month"]).reset_index(drop=True)
    atlas = atlas.join(confidence.grade(atlas, confidence.tolerances(Path(data_dir))))
    atlas.attrs["warnings"] = warnings
    return atlas


def load_atlas(data_dir: Path | None = None, store_dir: Path | None = None) -> pd.DataFrame:
    """Validated normals (one row per city and month) joined with the registry.

    Refreshed Meteostat normals in the user store replace a city's embedded rows (`overlay`);
    a damaged store, or a bad city in it, is skipped with a message in
    `atlas.attrs["warnings"]`. Provenance columns are categoricals over PROVENANCE. Cities without climate
    normals are not in the atlas (they are in load_cities()).
    """
    store = Path(store_dir or user_store_dir())
    data_dir = Path(data_dir or default_data_dir())
    atlas = _atlas(str(data_dir), str(store), _mtime(Path(data_dir) / "cities.csv"),
                   _normals_mtime(data_dir), NormalsStore(store).version())
    out = atlas.copy()
    out.attrs["warnings"] = list(atlas.attrs.get("warnings", []))
    return out


TABLES = ("cities.csv", "pairs.csv", "city_names.csv", "normals.parquet")


def table_warnings(data_dir: Path | None = None) -> list[str]:
    """A warning for each data table with fewer rows than the build wrote (build_info.json's
    "tables"): a copy cut short at a line break reads as valid, just smaller — a truncated pairs.csv
    silently dropped sister cities. More rows than written (a table extended by hand) are not
    warned about; a build before the counts were recorded is not checked."""
    import pyarrow.parquet as pq

    from .paths import recorded_measure

    data_dir = Path(data_dir or default_data_dir())
    counts = {"cities.csv": lambda: len(load_cities(data_dir)), "pairs.csv": lambda: len(load_pairs(data_dir)),
              "city_names.csv": lambda: len(load_names(data_dir)),
              "normals.parquet": lambda: pq.ParquetFile(data_dir / "normals.parquet").metadata.num_rows}
    out = []
    for name in TABLES:
        wrote = recorded_measure(data_dir, "tables", name, (-1, 1e9), None)
        if wrote is None or not (data_dir / name).is_file():
            continue
        has = counts[name]()
        if has < wrote:
            out.append(f"{data_dir / name} has {has:,} rows but the build wrote {wrote:,.0f}: it was cut short or "
                       "edited, and what it lacks is missing from every answer. Restore it from the repository, or "
                       "rebuild with `python -m recommender build-atlas`.")
    return out


def atlas_version(data_dir: Path | None = None, store_dir: Path | None = None) -> tuple:
    """Modification times of the files behind load_atlas(), load_pairs() and load_names(): changes
    when any of them does."""
    store = Path(store_dir or user_store_dir())
    data_dir = Path(data_dir or default_data_dir())
    return (str(data_dir), str(store), _mtime(Path(data_dir) / "cities.csv"), _normals_mtime(data_dir),
            _mtime(Path(data_dir) / "pairs.csv"), NormalsStore(store).version(),
            _mtime(Path(data_dir) / "city_names.csv"))


def name_index(cities: pd.DataFrame) -> dict[str, frozenset[str]]:
    """Normalised name or ASCII name → the ids of the cities that carry it."""
    names: dict[str, set[str]] = {}
    for cid, n, a in zip(cities["city_id"], cities["name"], cities["ascii_name"]):
        for k in {normalize_name(n), normalize_name(a)}:
            names.setdefault(k, set()).add(cid)
    return {k: frozenset(v) for k, v in names.items()}


def resolve_city(query: str, cities: pd.DataFrame | None = None, index: dict[str, frozenset[str]] | None = None) -> str:
    """City id for an id, name or ASCII name (case- and accent-insensitive).

    `index` (from name_index(cities)) makes repeated look-ups fast. Raises UnknownCityError with
    the closest matches when nothing or several cities match.
    """
    cities = load_cities() if cities is None else cities
    q = str(query).strip()
    ids = cities["city_id"]
    if q.lower() in set(ids):
        return q.lower()
    key = normalize_name(q)
    hits = sorted((index if index is not None else name_index(cities)).get(key, ()))
    if len(hits) == 1:
        return hits[0]
    label = lambda r: f"{r.city_id} ({r.name}, {r.country})"  # noqa: E731
    if len(hits) > 1:
        rows = cities[ids.isin(hits)].sort_values("city_id")
        raise UnknownCityError(q, [label(r) for r in rows.itertuples()], ambiguous=True)
    norm_names = cities["name"].map(normalize_name)
    close = difflib.get_close_matches(key, list(dict.fromkeys(norm_names)), n=5, cutoff=0.75) if key else []
    sugg = cities[norm_names.isin(close)]
    raise UnknownCityError(q, [label(r) for r in sugg.itertuples()][:5])
