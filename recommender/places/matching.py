"""Matching place names to places, and sister-city endpoints to atlas cities.

Rules (a wrong match is worse than a missing city):
1. A climate-table name ("Hyderabad", "Fresno, California", "Bremen (city)") is geocoded with
   GeoNames. A qualifier narrows it to a country, US state or Canadian, Chinese or Pakistani
   province; a qualifier we cannot resolve leaves it only if there is a single candidate.
   Among several candidates (places more than MERGE_KM apart) the most populous is taken only
   when it has at least DOMINANCE times the population of the next; otherwise the name is
   reported as ambiguous.
2. Physical check: at |latitude| ≥ 20° the warmest month must fall in that hemisphere's
   summer half-year, or the match is rejected (catches a northern city's table on a southern
   namesake).
3. A sister-city endpoint joins an atlas city when their names agree (GeoNames primary or
   Latin alternate names) and the endpoint's coordinates lie within ENDPOINT_KM of it; for the
   adjacency list, which has no coordinates, the country must agree and the name be unique.
4. A registry city without climate of its own borrows a neighbour's only within PROXY_KM and
   PROXY_DELEV_M of elevation (values then flagged imputed).
5. Districts name their city: "Innere Stadt (Vienna)", "Vienna 1 – Innere Stadt" (`district_parent`).
   Where the lists name a city only through DISTRICT_MIN or more of its districts, the city
   itself joins the registry (see build_atlas.add_district_parents); each district keeps its own
   pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .gazetteer import REGION_ADMIN1, Gazetteer
from .names import haversine_km, normalize_name, slugify

MERGE_KM = 30.0          # candidates closer than this are the same place
ENDPOINT_KM = 35.0       # sister-city endpoint to atlas city
DOMINANCE = 3.0          # population ratio for choosing among namesakes
PROXY_KM = 100.0         # farthest a climate proxy may be
PROXY_DELEV_M = 250.0    # largest elevation difference for a proxy


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


def choose_proxy(lat: float, lon: float, elev_m: float, cand_lat, cand_lon, cand_elev_m):
    """(index or None, distance km, elevation difference m) of the nearest candidate climate
    city, used as a proxy only within PROXY_KM and PROXY_DELEV_M (an unknown elevation on
    either side rules it out: a mountain town is not a valley city)."""
    dist = haversine_km(lat, lon, np.asarray(cand_lat, dtype=float), np.asarray(cand_lon, dtype=float))
    j = int(np.argmin(dist))
    delev = abs(float(elev_m) - float(np.asarray(cand_elev_m, dtype=float)[j]))
    ok = dist[j] <= PROXY_KM and not np.isnan(delev) and delev <= PROXY_DELEV_M
    return (j if ok else None), float(dist[j]), delev


def assign_ids(names, countries, lats, lons) -> list[str]:
    """Stable city ids, in the given order (most populous first): the bare slug of the name,
    else slug-country, else slug-country-|lat|-|lon|."""
    taken: set[str] = set()
    ids = []
    for name, cc, lat, lon in zip(names, countries, lats, lons):
        for cand in (slugify(name), f"{slugify(name)}-{cc.lower()}", f"{slugify(name)}-{cc.lower()}-{abs(lat):.0f}-{abs(lon):.0f}"):
            if cand not in taken:
                break
        taken.add(cand)
        ids.append(cand)
    return ids


@dataclass
class EndpointMatcher:
    """Sister-city endpoints → atlas places (rule 3). `names` maps a normalised name to the
    candidate places (keys into lat/lon/country); rejections go to `rejected`."""

    names: dict[str, list]
    lat: dict
    lon: dict
    country: dict
    label: dict
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def by_point(self, name: str, lat: float, lon: float):
        """The nearest same-named place within ENDPOINT_KM of (lat, lon), or None."""
        cands = self.names.get(normalize_name(name), [])
        if not cands:
            return None
        dist = [float(haversine_km(lat, lon, self.lat[c], self.lon[c])) for c in cands]
        best = int(np.argmin(dist))
        if dist[best] <= ENDPOINT_KM:
            return cands[best]
        self.rejected.append((f"{name} ({lat:.3f}, {lon:.3f})",
                              f"name matches climate city {self.label[cands[best]]} but it is {dist[best]:.0f} km away"))
        return None

    def by_country(self, name: str, iso: str | None):
        """The one same-named place in country `iso`, or None (none or several)."""
        cands = [c for c in self.names.get(normalize_name(name), []) if self.country[c] == iso]
        return cands[0] if len(cands) == 1 else None


GEONAMES_KM = 35.0       # a list's coordinates within this of a same-named GeoNames place: that place
LIST_FAR_KM = 100.0      # … farther than this from every same-named place in the country: rejected
COUNTRY_KM = 150.0       # a place not in GeoNames must lie this close to some GeoNames city of its country


@dataclass
class EndpointCities:
    """Registry cities made from sister-city endpoints that have no climate table: the list's
    name and coordinates, checked against GeoNames (also in data/README.md):

    - If GeoNames has places of that name in the endpoint's country, the nearest must lie within
       LIST_FAR_KM of the list's coordinates (else the list geocoded a namesake elsewhere: the
       endpoint is rejected); within GEONAMES_KM it lends its population, time zone and id.
    - A place GeoNames does not list (population < 1,000) is kept with the list's coordinates
       only if some GeoNames city of its country lies within COUNTRY_KM (else the coordinates
       are in the wrong country: rejected); it takes that city's time zone.
    Keys are "ep:<ISO>:<normalised name>"; rejections go to `rejected` with the reason.
    """

    gaz: Gazetteer
    entries: dict[str, dict] = field(default_factory=dict)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)   # (kind, subject, detail)
    _by_country: dict = field(default_factory=dict)

    def _country_tree(self, iso: str):
        if iso not in self._by_country:
            from sklearn.neighbors import BallTree

            rows = np.flatnonzero(self.gaz.cities["country"].to_numpy() == iso)
            pts = np.radians(self.gaz.cities[["lat", "lon"]].to_numpy()[rows]) if len(rows) else None
            self._by_country[iso] = (rows, BallTree(pts, metric="haversine") if len(rows) else None)
        return self._by_country[iso]

    def country_at(self, name: str, lat: float, lon: float, stated: str | None = None) -> str | None:
        """The country of the same-named GeoNames place within GEONAMES_KM of (lat, lon), if any:
        where the list's country text contradicts its coordinates ("Colombo, Brazil" at 6.93°N
        79.84°E), the coordinates name the place. A same-named place of the `stated` country
        within reach keeps that country (Nogales, Mexico and Nogales, Arizona face each other)."""
        near = [str(self.gaz.cities.at[r, "country"]) for r in self.gaz.near(name, lat, lon, GEONAMES_KM)]
        return stated if stated in near else (near[0] if near else None)

    def key(self, name: str, country_text: str | None, lat: float, lon: float, iso: str | None = None):
        """The registry key of an endpoint, creating its entry on first sight; None if rejected."""
        from .names import EARTH_RADIUS_KM

        iso = iso or (self.gaz.country(country_text) if country_text else None)
        subject = f"{name}, {country_text or iso} ({lat:.3f}, {lon:.3f})"
        if not iso:
            self.rejected.append(("endpoint_rejected", subject, "country not recognised"))
            return None
        k = f"ep:{iso}:{normalize_name(name)}"
        if k in self.entries:
            return k
        G = self.gaz.cities
        cands = [r for r in self.gaz.candidates(name) if G.at[r, "country"] == iso]
        entry = dict(name=name, lat=float(lat), lon=float(lon), country=iso, timezone="", population=np.nan,
                     geonames_id=np.nan)
        if cands:
            d = haversine_km(lat, lon, G.loc[cands, "lat"].to_numpy(), G.loc[cands, "lon"].to_numpy())
            j = int(np.argmin(d))
            if d[j] > LIST_FAR_KM:
                self.rejected.append(("endpoint_rejected", subject,
                                      f"GeoNames places of that name in {iso} are {d[j]:.0f} km or more from the list's "
                                      "coordinates: the list geocoded a namesake"))
                return None
            g = cands[j]
            entry["timezone"] = G.at[g, "timezone"]
            if d[j] <= GEONAMES_KM:
                entry.update(population=G.at[g, "population"], geonames_id=G.at[g, "geonameid"])
        else:
            rows, tree = self._country_tree(iso)
            if tree is None:
                self.rejected.append(("endpoint_rejected", subject, f"no GeoNames city in {iso} to check it against"))
                return None
            dist, ix = tree.query(np.radians([[lat, lon]]), k=1)
            if dist[0, 0] * EARTH_RADIUS_KM > COUNTRY_KM:
                self.rejected.append(("endpoint_rejected", subject,
                                      f"{dist[0, 0] * EARTH_RADIUS_KM:.0f} km from the nearest GeoNames city of {iso}: "
                                      "coordinates in the wrong country"))
                return None
            entry["timezone"] = G.at[rows[ix[0, 0]], "timezone"]
        self.entries[k] = entry
        return k


DISTRICT_MIN = 2            # districts that must name a parent city before it is added
DISTRICT_KM = 30.0          # a district lies this close to its parent city
DISTRICT_PARENT_POP = 100_000   # the parent must be a GeoNames city at least this large
_PAREN = re.compile(r"^(?P<district>.+?)\s*\((?P<parent>[^()]+)\)\s*$")
_DASH = re.compile(r"^(?P<parent>[^\d–-]+?)\s+(?:\d+|[IVXLC]+)?\s*[–-]\s+(?P<district>.+)$")


def district_parent(name: str) -> str | None:
    """The city a district's name points to: 'Innere Stadt (Vienna)' → 'Vienna', 'Vienna 1 –
    Innere Stadt' → 'Vienna', 'Berlin – Lichtenberg' → 'Berlin'; None for a plain name."""
    for pattern in (_PAREN, _DASH):
        m = pattern.match(name.strip())
        if m and m.group("parent").strip() and m.group("district").strip():
            return m.group("parent").strip()
    return None
