"""What the comfort indices do not rate, as flags on a city-month (issue 17).

The indices rate a typical afternoon for warm-season sightseeing, beach trips and touring. They
cannot see frost at night, thin air, the worst of the heat as a hazard, the cyclone, monsoon and
smog seasons, or snow and ice as a reason to go. Each flag is declared once here (FLAGS: its
code, kind, threshold or region and months, and its source) and computed vectorised over the
atlas's city × month arrays (`masks`):

- "data" flags come from the city-month's own figures: the mean night minimum (`tmin_c`), the
  town's elevation where its source is trustworthy (`elevation_src` station or terrain), the
  typical afternoon's UTCI (`utci_c`), the mean afternoon maximum (`tmax_c`);
- "regional season" flags are published seasons applied to a stated region (a latitude/longitude
  box, or countries, and for cyclones the sea within COAST_KM of the town): they describe the
  region's season, not measured data of the city.

`snow_and_ice` is a note, not a hazard: the indices rate warm-season trips, not winter sports.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .paths import data_dir

# ---------------------------------------------------------------------------- thresholds
COLD_NIGHTS_C = 0.0          # the month's mean daily minimum below this: most nights freeze (frost)
HIGH_ALTITUDE_M = 2500.0     # the town at or above this elevation: altitude-illness risk
TRUSTED_ELEVATION = ("station", "terrain")   # elevation_src values the rule reads (not "unknown")
VERY_STRONG_HEAT_UTCI_C = 38.0   # the typical afternoon's UTCI at or above this: "very strong heat stress"
SNOW_AND_ICE_C = 0.0         # the month's mean daily maximum below this: snow and ice, afternoons freeze
COAST_KM = 100.0             # a cyclone basin's city lies within this distance of the sea
EARTH_KM = 6371.0


@dataclass(frozen=True)
class Region:
    """Where a regional season applies: a latitude/longitude box (° north, ° east; lon_min > lon_max
    wraps across 180°), or a set of countries (ISO codes), and its months (1–12)."""

    code: str                                  # its name in words: present/text.py REGION_NAMES
    months: tuple[int, ...]
    lat: tuple[float, float] | None = None
    lon: tuple[float, float] | None = None
    countries: tuple[str, ...] = ()
    coastal: bool = False                      # only towns within COAST_KM of the sea
    exclude: tuple[tuple[float, float, float, float], ...] = ()   # (lat_min, lat_max, lon_min, lon_max) boxes left out

    def contains(self, lat, lon, country) -> np.ndarray:
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        ok = np.ones(lat.shape, dtype=bool)
        if self.lat is not None:
            ok &= (lat >= self.lat[0]) & (lat <= self.lat[1])
        if self.lon is not None:
            lo, hi = self.lon
            ok &= ((lon >= lo) & (lon <= hi)) if lo <= hi else ((lon >= lo) | (lon <= hi))
        if self.countries:
            ok &= np.isin(np.asarray(country, dtype=object), self.countries)
        for a, b, c, d in self.exclude:
            ok &= ~((lat >= a) & (lat <= b) & (lon >= c) & (lon <= d))
        return ok



# Tropical-cyclone basins (the official or climatological seasons of the warning centres) over
# the latitude band 5°–35° from the equator, for towns within COAST_KM of the sea. A town in two
# basins' boxes (Central America, Mexico's Pacific coast) carries both seasons.
CYCLONE_BASINS = (
    Region("north_atlantic", tuple(range(6, 12)), lat=(5, 35), lon=(-100, -20), coastal=True),
    Region("eastern_north_pacific", tuple(range(5, 12)), lat=(5, 35), lon=(-140, -105),
           coastal=True),
    # Mexico's Pacific coast south of the Sierra Madre and Central America (both basins there);
    # the Gulf coast (Veracruz, Tampico) is north of these boxes.
    Region("eastern_north_pacific_mexico", tuple(range(5, 12)), lat=(5, 20.5), lon=(-105, -100),
           coastal=True),
    Region("eastern_north_pacific_south", tuple(range(5, 12)), lat=(5, 17), lon=(-100, -77),
           coastal=True),
    Region("central_north_pacific", tuple(range(6, 12)), lat=(5, 35), lon=(-180, -140),
           coastal=True),
    Region("western_north_pacific", tuple(range(7, 12)), lat=(5, 35), lon=(100, 180),
           coastal=True),
    # The Arabian Sea and the Bay of Bengal; the Persian Gulf and the Red Sea are left out.
    Region("north_indian", (4, 5, 6, 10, 11, 12), lat=(5, 35), lon=(43, 100), coastal=True,
           exclude=((24.0, 35.0, 43.0, 56.4),)),
    Region("south_west_indian", (11, 12, 1, 2, 3, 4), lat=(-35, -5), lon=(30, 90),
           coastal=True),
    Region("australian", (11, 12, 1, 2, 3, 4), lat=(-35, -5), lon=(90, 160), coastal=True),
    Region("south_pacific", (11, 12, 1, 2, 3, 4), lat=(-35, -5), lon=(160, -120), coastal=True),
)


def basin_of(region: Region) -> str:
    """The basin a box belongs to (the Eastern North Pacific is three boxes)."""
    return "eastern_north_pacific" if region.code.startswith("eastern_north_pacific") else region.code


MONSOON_REGIONS = (
    Region("south_asia", tuple(range(6, 10)), countries=("IN", "BD", "NP", "BT")),
    Region("pakistan", tuple(range(7, 10)), countries=("PK",)),
)
AIR_REGIONS = (
    Region("indo_gangetic_plain", (11, 12, 1), lat=(24, 32.5), lon=(71, 88.5)),
    Region("north_china_plain", (12, 1, 2), lat=(34, 41), lon=(113, 120)),
)


@dataclass(frozen=True)
class Flag:
    """One thing the indices do not rate: a code, its kind ("data" | "regional season" | "note"),
    whether it is a hazard (named beside a top pick), and the source of its threshold or season."""

    code: str
    kind: str
    hazard: bool
    citation: str


FLAGS = (
    Flag("cold_nights", "data", True,
         "frost: the ETCCDI frost-day index counts the days whose minimum is below freezing (Zhang et al. 2011, "
         "WIREs Climate Change 2:851–870)"),
    Flag("high_altitude", "data", True,
         "altitude illness is a risk from about 2,500 m (CDC Yellow Book, High-Altitude Travel and Altitude Illness; "
         "Hackett & Roach 2001, N. Engl. J. Med. 345:107–114)"),
    Flag("very_strong_heat", "data", True,
         "the UTCI assessment scale's class \"very strong heat stress\" (Bröde et al. 2012, Int. J. Biometeorol. "
         "56:481–494)"),
    Flag("tropical_cyclone", "regional season", True,
         "basin seasons of the warning centres: NOAA National Hurricane Center (North Atlantic 1 June–30 November, "
         "Eastern North Pacific 15 May–30 November), Central Pacific Hurricane Center (1 June–30 November), Joint "
         "Typhoon Warning Center (Western North Pacific: all year, peak July–November), IMD RSMC New Delhi (North "
         "Indian Ocean: April–June and October–December), Météo-France La Réunion, the Bureau of Meteorology and "
         "RSMC Nadi (the southern basins: November–April)"),
    Flag("monsoon", "regional season", True,
         "the southwest monsoon season of the India Meteorological Department (June–September) and of the Pakistan "
         "Meteorological Department (July–September)"),
    Flag("poor_air", "regional season", True,
         "the winter peak of fine-particle (PM2.5) pollution reported by the national monitoring networks (India's "
         "Central Pollution Control Board, China's National Environmental Monitoring Centre) and published "
         "seasonality studies; a regional rule, not measured air-quality data"),
    Flag("snow_and_ice", "note", False,
         "the indices (Scott et al. 2016; Mieczkowski 1985) rate warm-season sightseeing, beach trips and touring, "
         "not snow and ice or winter sports"),
)
FLAG_CODES = tuple(f.code for f in FLAGS)
HAZARDS = tuple(f.code for f in FLAGS if f.hazard)
BY_CODE = {f.code: f for f in FLAGS}


# ---------------------------------------------------------------------------- the coast
@lru_cache(maxsize=1)
def _coast_tree(path: str):
    """The coastline within 40° of the equator as unit vectors, and the outlines: the Natural Earth
    country outlines' edges that no two countries share (a shared edge is a land border), a point
    every ≤ 0.1°."""
    from .errors import AtlasError
    from .paths import read_data_json

    doc = read_data_json(Path(path))
    rings = doc.get("rings") if isinstance(doc, dict) else None
    ends = []
    try:
        for r in rings:
            p = np.round(np.asarray(r, dtype=float).reshape(-1, 2) * 10).astype(np.int64)   # 0.1° units
            ends.append(np.column_stack([p, np.roll(p, -1, axis=0)]))
    except (TypeError, ValueError):
        ends = []
    if not ends:
        raise AtlasError(f"{path} has no readable outlines (`rings`: lists of lon, lat); restore the file from "
                         "the repository.")
    e = np.concatenate(ends)
    e = e[(e[:, 0] != e[:, 2]) | (e[:, 1] != e[:, 3])]
    a_first = (e[:, 0] < e[:, 2]) | ((e[:, 0] == e[:, 2]) & (e[:, 1] < e[:, 3]))
    key = np.where(a_first[:, None], e, e[:, [2, 3, 0, 1]])
    _u, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    coast = e[counts[inverse.ravel()] == 1] / 10.0                                   # (x0, y0, x1, y1)
    steps = np.maximum(1, np.ceil(np.abs(coast[:, 2:] - coast[:, :2]).max(axis=1) / 0.1)).astype(int)
    k = np.repeat(np.arange(len(coast)), steps)
    t = (np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps)) / np.repeat(steps, steps)
    lon = coast[k, 0] + (coast[k, 2] - coast[k, 0]) * t
    lat = coast[k, 1] + (coast[k, 3] - coast[k, 1]) * t
    keep = np.abs(lat) <= 40.0
    return _unit(lat[keep], lon[keep]), rings


def _unit(lat, lon) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _inside(lat: np.ndarray, lon: np.ndarray, rings) -> np.ndarray:
    """Is each point inside some outline (ray casting)? A point in none is at sea on this map."""
    out = np.zeros(lat.shape, dtype=bool)
    for r in rings:
        x, y = np.asarray(r[0::2], dtype=float), np.asarray(r[1::2], dtype=float)
        x1, y1 = np.roll(x, -1), np.roll(y, -1)
        crosses = ((y[None] > lat[:, None]) != (y1[None] > lat[:, None]))
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = x[None] + (lat[:, None] - y[None]) * (x1 - x)[None] / (y1 - y)[None]
        out ^= (crosses & (lon[:, None] < xint)).sum(axis=1) % 2 == 1
    return out


def coast_km(lat, lon) -> np.ndarray:
    """Distance (km) from each point within about 39° of the equator to the nearest coastline of the
    1:110m outlines (farther from the equator: at least the distance to the 40th parallel); 0 for a point
    outside every outline (a small island or a coast the outlines leave out); NaN without a place."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    out = np.full(lat.shape, np.nan)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return out
    coast, rings = _coast_tree(str(data_dir() / "curated" / "basemap.json"))
    towns = _unit(lat[ok], lon[ok])
    near = np.concatenate([(towns[i:i + 256] @ coast.T).max(axis=1) for i in range(0, len(towns), 256)])
    km = np.arccos(np.clip(near, -1.0, 1.0)) * EARTH_KM
    far = km > COAST_KM
    if far.any():
        idx = np.flatnonzero(far)
        at_sea = ~_inside(lat[ok][idx], lon[ok][idx], rings)
        km[idx[at_sea]] = 0.0
    out[ok] = km
    return out


@lru_cache(maxsize=8)
def _coast_km_of(lat: bytes, lon: bytes) -> np.ndarray:
    out = coast_km(np.frombuffer(lat), np.frombuffer(lon))
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------------------- the flags
@dataclass(frozen=True)
class CityPlaces:
    """The place of each city row: lat, lon (°), country (ISO), elevation (m; NaN where its source is
    not trustworthy) and the distance to the sea (km)."""

    lat: np.ndarray
    lon: np.ndarray
    country: np.ndarray
    elevation_m: np.ndarray
    coast_km: np.ndarray


def places(lat, lon, country, elevation_m, elevation_src) -> CityPlaces:
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    elev = np.asarray(elevation_m, dtype=float)
    trusted = np.isin(np.asarray(elevation_src, dtype=object), TRUSTED_ELEVATION)
    country = np.asarray(country, dtype=object)
    near = np.zeros(lat.shape, dtype=bool)   # the sea's distance is needed only in a coastal region's box
    for r in CYCLONE_BASINS:
        near |= r.contains(lat, lon, country)
    km = np.full(lat.shape, np.nan)
    km[near] = _coast_km_of(lat[near].tobytes(), lon[near].tobytes())   # the same atlas, scored again: cached
    return CityPlaces(lat, lon, country, np.where(trusted, elev, np.nan), km)


def _season(regions, pl: CityPlaces) -> tuple[np.ndarray, np.ndarray]:
    """(n, 12) mask of the regional seasons and, per city, the regions' codes (a tuple, possibly empty)."""
    n = len(pl.lat)
    mask = np.zeros((n, 12), dtype=bool)
    which = np.empty(n, dtype=object)
    which[:] = [()] * n
    for r in regions:
        inside = r.contains(pl.lat, pl.lon, pl.country)
        if r.coastal:
            inside &= pl.coast_km <= COAST_KM
        months = np.zeros(12, dtype=bool)
        months[np.asarray(r.months) - 1] = True
        mask |= inside[:, None] & months[None, :]
        code = basin_of(r)
        for k in np.flatnonzero(inside):
            if code not in which[k]:
                which[k] = (*which[k], code)
    return mask, which


def mask_months(mask) -> list[int]:
    """The months (1–12) of a 12-month mask."""
    return [int(m) + 1 for m in np.flatnonzero(np.asarray(mask, dtype=bool))]


def _in_months(regions, which_k: tuple, month: int) -> tuple[str, ...]:
    return tuple(c for c in which_k if any(basin_of(r) == c and month in r.months for r in regions))


@dataclass(frozen=True)
class FlagArrays:
    """Every flag as an (n, 12) mask over the scored atlas's rows, the regions behind the regional
    ones, and the numbers the words show."""

    masks: dict[str, np.ndarray]
    basins: np.ndarray          # per city: the cyclone basins' codes
    monsoon: np.ndarray         # per city: the monsoon regions' codes
    air: np.ndarray             # per city: the poor-air regions' codes
    tmin: np.ndarray
    tmax: np.ndarray
    utci: np.ndarray
    elevation_m: np.ndarray

    def codes(self, j: int | None, month: int) -> tuple[str, ...]:
        """The flags of row j's month, in FLAGS order (() without climate data)."""
        if j is None:
            return ()
        return tuple(c for c in FLAG_CODES if self.masks[c][j, month - 1])

    def values(self, j: int | None, month: int) -> dict:
        """The numbers and regions behind row j's flags in a month (°C, m, region codes)."""
        if j is None:
            return {}
        m = month - 1
        out: dict = {}
        for c in self.codes(j, month):
            if c == "cold_nights":
                out[c] = float(self.tmin[j, m])
            elif c == "high_altitude":
                out[c] = float(self.elevation_m[j])
            elif c == "very_strong_heat":
                out[c] = float(self.utci[j, m])
            elif c == "snow_and_ice":
                out[c] = float(self.tmax[j, m])
            elif c == "tropical_cyclone":
                out[c] = _in_months(CYCLONE_BASINS, self.basins[j], month)
            elif c == "monsoon":
                out[c] = _in_months(MONSOON_REGIONS, self.monsoon[j], month)
            elif c == "poor_air":
                out[c] = _in_months(AIR_REGIONS, self.air[j], month)
        return out


def masks(tmin, tmax, utci, pl: CityPlaces) -> FlagArrays:
    """Every flag over (n, 12) arrays of the mean minimum and maximum (°C) and the typical afternoon's
    UTCI (°C), for the n cities' places (NaN compares false: no flag without the figure)."""
    tmin, tmax, utci = (np.asarray(a, dtype=float) for a in (tmin, tmax, utci))
    cyclone, basins = _season(CYCLONE_BASINS, pl)
    monsoon, monsoon_regions = _season(MONSOON_REGIONS, pl)
    air, air_regions = _season(AIR_REGIONS, pl)
    with np.errstate(invalid="ignore"):
        m = {"cold_nights": tmin < COLD_NIGHTS_C,
             "high_altitude": np.broadcast_to((pl.elevation_m >= HIGH_ALTITUDE_M)[:, None], tmin.shape),
             "very_strong_heat": utci >= VERY_STRONG_HEAT_UTCI_C,
             "tropical_cyclone": cyclone, "monsoon": monsoon, "poor_air": air,
             "snow_and_ice": tmax < SNOW_AND_ICE_C}
    return FlagArrays({c: m[c] for c in FLAG_CODES}, basins, monsoon_regions, air_regions, tmin, tmax, utci,
                      pl.elevation_m)
