"""Recommendations as typed results: ranked partners, travel windows, the pair exchange
calendar, a city's year profile and the detail of one month's score.

    Recommender().recommend("urumqi", 1)        → Recommendation (Ürümqi's sister cities in January)
    Recommender().exchange("urumqi", "karachi") → Exchange (when each side should visit)
    Recommender().profile("karachi")            → Profile (12 months, components, season type)

Results carry their index, comfort band and month, and hold codes and numbers only (°C, mm,
%, h): no sentence is built here. `present/` turns them into words, in the person's unit.

A `Recommender` scores the atlas once per (index, comfort band) and keeps the scores as
city × month arrays, so a recommendation is a few array look-ups (well under 5 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .atlas import atlas_version, load_atlas, load_cities, load_pairs, name_index, resolve_city
from .climate import confidence as grading
from .climate.calendar import days_in_month, parse_month
from .climate.variables import PROVENANCE, VARIABLES
from .comfort.indices import ComfortIndex, index_for, styles
from .comfort.score import score_atlas
from .errors import RecommenderError, shown
from .places.countries import country_code

GOOD = 60.0     # a window month: the partner is at least "good" …
MARGIN = 10.0   # … and at least this many points better than home
# UTCI classes a reason calls out (thermal stress on a typical afternoon).
STRESS_CLASSES = frozenset({"strong heat stress", "very strong heat stress", "extreme heat stress", "strong cold stress",
                            "very strong cold stress", "extreme cold stress", "moderate cold stress"})
# Reason rules: (code, priority). The numbers a reason carries are in its `values`.
DRY_MM, WET_MM, RAINY_DAYS = 20.0, 100.0, 12.0      # mm per month, wet days per month
SUNNY_H, GREY_H = 8.0, 3.0                          # h of sunshine per day
HUMID_RH, HUMID_T = 60.0, 27.0                      # afternoon humidity %, afternoon °C


def index_for_style(style: str) -> ComfortIndex:
    """The index of a trip style (or index key); RecommenderError naming the choices if unknown."""
    try:
        return index_for(style)
    except ValueError:
        choices = ", ".join(f"{s} ({i.name})" for s, i in styles().items())
        raise RecommenderError(f"Unknown trip style {shown(style)}; choose {choices}.") from None


def _band(comfort_band) -> tuple[float, float] | None:
    if comfort_band is None:
        return None
    lo, hi = float(comfort_band[0]), float(comfort_band[1])
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise RecommenderError(f"Comfort band {lo:g}–{hi:g} °C: the low end must be below the high end.")
    return lo, hi


def circular_runs(months: list[int]) -> list[list[int]]:
    """Group months (1–12) into runs of consecutive months, wrapping December → January."""
    ms = sorted(set(months))
    if not ms:
        return []
    if len(ms) == 12:
        return [list(range(1, 13))]
    runs: list[list[int]] = []
    for m in ms:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    if len(runs) > 1 and runs[0][0] == 1 and runs[-1][-1] == 12:
        runs[0] = runs.pop() + runs[0]
    return sorted(runs, key=lambda r: r[0] if r[0] <= r[-1] else r[0] - 12)


def season_type(scores: np.ndarray, lat: float, prcp: np.ndarray) -> str:
    """Tourism-climate seasonality type code after Scott & McBoyle (2001).

    year-round: every month ≥ 70 · poor: no month ≥ 50 · otherwise the high season (months
    within 10 points of the best) is classified: two separate runs → bimodal shoulder peak;
    in the tropics (|lat| < 23.5°) a high season drier than the year → dry-season peak;
    else by when it falls: local summer half-year → summer peak, winter half → winter peak.
    """
    s = np.asarray(scores, dtype=float)
    if np.all(np.isnan(s)):
        return "unknown"
    if np.nanmin(s) >= 70:
        return "year-round"
    if np.nanmax(s) < 50:
        return "poor"
    high = [m + 1 for m in range(12) if s[m] >= np.nanmax(s) - 10]
    runs = circular_runs(high)
    if len(runs) >= 2:
        return "bimodal shoulder peak"
    run = runs[0]
    p = np.asarray(prcp, dtype=float)
    if abs(lat) < 23.5 and not np.all(np.isnan(p)):
        if np.nanmean(p[[m - 1 for m in run]]) < 0.75 * np.nanmean(p):
            return "dry-season peak"
    centre = run[len(run) // 2]
    summer_north = 4 <= centre <= 9
    return "summer peak" if summer_north == (lat >= 0) else "winter peak"


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CityRef:
    """A registry city: id, name, ISO country code and native names where known."""

    id: str
    name: str
    country: str
    name_zh: str = ""
    name_ur: str = ""


@dataclass(frozen=True)
class Confidence:
    """How far a city-month's climate can be trusted: grade ("high" | "medium" | "low") and the
    reason code (climate.confidence.REASONS)."""

    grade: str
    reason: str


@dataclass(frozen=True)
class Reason:
    """Why a partner scores as it does: a code, its priority and the numbers behind it."""

    code: str          # thermal_stress, temperature, dry, rainy_days, wet, sunny, grey, humid, escapes_home_stress
    priority: float
    values: dict = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True)
class PartnerResult:
    """One sister city in a recommendation (score None: no climate data)."""

    city: CityRef
    degree: int
    via: tuple[CityRef, ...]
    score: float | None
    label: str | None           # score class code (comfort.tables.LABEL_ORDER); None: no data
    delta: float | None         # points above home
    windows: list[list[int]]    # runs of travel-window months
    reasons: tuple[Reason, ...]
    coverage: float
    tmax_c: float | None        # the month's mean daily high
    prcp_mm: float | None
    quality: tuple[tuple[str, str], ...]   # (component, "gridded" | "imputed" | "missing")
    confidence: Confidence | None = None   # the partner's month; None: no climate data

    @property
    def window(self) -> list[int]:
        return [m for r in self.windows for m in r]


@dataclass(frozen=True)
class Recommendation:
    """A home city's sister cities ranked by comfort in one month, under one index and band."""

    home: CityRef
    month: int
    index: ComfortIndex
    band: tuple[float, float] | None
    country: str | None
    home_score: float | None
    home_label: str | None
    home_tmax_c: float | None
    partners: tuple[PartnerResult, ...]
    home_confidence: Confidence | None = None   # home's month; None: no climate data

    @property
    def ranked(self) -> list[PartnerResult]:
        return [p for p in self.partners if p.score is not None]


@dataclass(frozen=True)
class MonthScore:
    month: int
    score: float
    label: str
    raw_score: float
    gate: str                   # UTCI class of the typical afternoon
    components: dict            # component → rating (None: missing)
    sources: dict               # component → provenance
    coverage: float
    confidence: Confidence | None = None


@dataclass(frozen=True)
class Profile:
    """Twelve months of one city under one index; season_type None when it has no climate data."""

    city: CityRef
    index: ComfortIndex
    band: tuple[float, float] | None
    season_type: str | None
    months: tuple[MonthScore, ...]


@dataclass(frozen=True)
class Exchange:
    """When A's people should visit B (a_to_b) and B's people A (b_to_a)."""

    a: CityRef
    b: CityRef
    index: ComfortIndex
    band: tuple[float, float] | None
    sister_cities: bool
    a_to_b: list[list[int]]
    b_to_a: list[list[int]]


@dataclass(frozen=True)
class PairExchange:
    """How strongly a sister-city pair can exchange visitors over the year.

    `a_months` / `b_months`: how many months of the year A's people should visit B / B's people
    A (travel-window months); `complementarity` = (1 − r) / 2, r the Pearson correlation of the
    two cities' 12-month comfort curves: 1 when one is comfortable exactly when the other is not,
    ½ for unrelated curves, 0 for the same seasons; `two_way` when both windows are non-empty.
    """

    a: CityRef
    b: CityRef
    a_to_b: list[list[int]]
    b_to_a: list[list[int]]
    a_months: int
    b_months: int
    complementarity: float

    @property
    def two_way(self) -> bool:
        return self.a_months > 0 and self.b_months > 0


@dataclass(frozen=True)
class MonthDetail:
    """Everything behind one city-month's score (the method panel)."""

    city: CityRef
    month: int
    index: ComfortIndex
    band: tuple[float, float] | None
    score: float
    label: str
    raw_score: float
    utci_c: float
    utci_class: str
    stress_factor: float        # the score is raw_score × this (UTCI heat/cold stress)
    coverage: float
    coverage_imputed: float
    coverage_missing: float
    components: tuple[tuple[str, float, float | None, str], ...]   # (component, weight, rating, provenance)
    climate: dict               # variable → (value or None, provenance)
    data_source: str
    period: str
    confidence: Confidence | None = None


# ---------------------------------------------------------------------------- scoring


@dataclass
class ScoredAtlas:
    """Scores of one index and comfort band as city × month arrays (row order = ids)."""

    index: ComfortIndex
    band: tuple[float, float] | None
    ids: list[str]
    pos: dict[str, int]
    frame: pd.DataFrame          # score_atlas output joined with the climate columns
    score: np.ndarray            # (n, 12)
    label: np.ndarray
    coverage: np.ndarray
    tmax: np.ndarray
    tmin: np.ndarray
    prcp: np.ndarray
    rhum: np.ndarray
    wet: np.ndarray
    sun_per_day: np.ndarray
    rh_pm: np.ndarray
    utci_class: np.ndarray
    utci: np.ndarray
    src: np.ndarray              # (n, 12, components): provenance codes (index into PROVENANCE)
    grade: np.ndarray | None = None          # (n, 12): confidence grade codes (index into GRADES; −1 unknown)
    grade_reason: np.ndarray | None = None   # (n, 12): reason codes (index into REASON_CODES)

    def row(self, cid: str, month: int) -> pd.Series | None:
        """The scored frame's row of a city and month (None: no climate data)."""
        j = self.pos.get(cid)
        return None if j is None else self.frame.iloc[j * 12 + month - 1]

    def confidence(self, j: int | None, month: int) -> Confidence | None:
        """The confidence of row `j`'s month (None: no climate data or no grade)."""
        if j is None or self.grade is None or self.grade[j, month - 1] < 0:
            return None
        return Confidence(GRADES[self.grade[j, month - 1]], REASON_CODES[self.grade_reason[j, month - 1]])

    def series(self, cid: str) -> np.ndarray | None:
        """The 12 monthly scores of a city (None: no climate data)."""
        j = self.pos.get(cid)
        return None if j is None else self.score[j]


GRADES = grading.GRADES
REASON_CODES = tuple(grading.REASONS)


def confidence_codes(atlas: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Grade and reason codes (into GRADES, REASON_CODES) of every atlas row, from the atlas's
    `confidence` columns or, for a frame without them, graded here."""
    if "confidence" not in atlas or "confidence_reason" not in atlas:
        atlas = grading.grade(atlas)
    grade = pd.Categorical(atlas["confidence"], categories=list(GRADES)).codes
    reason = pd.Categorical(atlas["confidence_reason"], categories=list(REASON_CODES)).codes
    unknown = (grade < 0) | (reason < 0)
    return np.where(unknown, -1, grade), np.where(unknown, -1, reason)


def in_window(partner_scores, home_scores, good: float = GOOD, margin: float = MARGIN) -> np.ndarray:
    """The travel-window rule, per month (broadcasts over (…, 12) score arrays): the partner scores
    ≥ good and ≥ margin more than home (where home has no score: ≥ good)."""
    p, h = np.asarray(partner_scores, dtype=float), np.asarray(home_scores, dtype=float)
    return (p >= good) & (np.isnan(h) | (p - h >= margin))


class Recommender:
    """Scores, partners and windows over one atlas and registry."""

    def __init__(self, atlas: pd.DataFrame | None = None, cities: pd.DataFrame | None = None,
                 pairs: pd.DataFrame | None = None):
        self.atlas = load_atlas() if atlas is None else atlas
        self.cities = (load_cities() if cities is None else cities).set_index("city_id", drop=False)
        self.pairs = load_pairs() if pairs is None else pairs
        adj: dict[str, set[str]] = {}
        for a, b in zip(self.pairs["city_a"], self.pairs["city_b"]):
            adj.setdefault(a, set()).add(b)
            adj.setdefault(b, set()).add(a)
        self.adjacency = {k: sorted(v) for k, v in adj.items()}
        self._scored: dict[tuple, ScoredAtlas] = {}
        self._names: dict[str, frozenset[str]] | None = None
        self._refs: dict[str, CityRef] = {}
        self._origins: dict[str, str] | None = None

    # ------------------------------------------------------------------ scores
    def scored(self, style: str | ComfortIndex = "urban", comfort_band: tuple[float, float] | None = None) -> ScoredAtlas:
        """The atlas scored with a trip style's index and a comfort band (cached)."""
        index = style if isinstance(style, ComfortIndex) else index_for_style(style)
        band = _band(comfort_band)
        key = (index.key, band)
        if key not in self._scored or self._scored[key].index is not index:
            a = self.atlas.sort_values(["city_id", "month"])
            s = score_atlas(a, index, band)
            frame = pd.concat([s, a[[*VARIABLES, *(f"{v}_src" for v in VARIABLES), "data_source", "period"]]], axis=1)
            ids = list(dict.fromkeys(a["city_id"]))
            n = len(ids)
            grid = lambda col: frame[col].to_numpy().reshape(n, 12)  # noqa: E731
            num = lambda col: grid(col).astype(float)  # noqa: E731
            grade, reason = confidence_codes(a)
            self._scored[key] = ScoredAtlas(
                index=index, band=band, ids=ids, pos={c: i for i, c in enumerate(ids)}, frame=frame,
                score=num("score"), label=grid("label"), coverage=num("coverage"), tmax=num("tmax_c"),
                tmin=num("tmin_c"), prcp=num("prcp_mm"), rhum=num("rhum_pct"), wet=num("wet_days"),
                sun_per_day=num("sun_hours") / days_in_month(np.arange(1, 13)), rh_pm=num("rh_afternoon_pct"),
                utci_class=grid("utci_class"), utci=num("utci_c"),
                src=np.stack([frame[f"src_{c.key}"].cat.codes.to_numpy().reshape(n, 12) for c in index.components], axis=-1),
                grade=grade.reshape(n, 12), grade_reason=reason.reshape(n, 12),
            )
        return self._scored[key]

    def city(self, query: str) -> str:
        """City id for an id, name or ASCII name (atlas.resolve_city, with a cached name index)."""
        if self._names is None:
            self._names = name_index(self.cities)
        q = str(query).strip()
        if q.lower() in self.cities.index:
            return q.lower()
        return resolve_city(q, self.cities.reset_index(drop=True), self._names)

    def city_ref(self, cid: str) -> CityRef:
        """id, name, country and the native names where known."""
        ref = self._refs.get(cid)
        if ref is None:
            r = self.cities.loc[cid]
            ref = self._refs[cid] = CityRef(cid, r["name"], r["country"], r.get("name_zh") or "", r.get("name_ur") or "")
        return ref

    def origin(self, cid: str) -> str:
        """Where a city's climate comes from: "station" (Meteostat or a station table), "gridded"
        (some value from the gridded climatologies), "imputed" (some value from a model) or
        "none" (no climate data)."""
        if self._origins is None:
            a = self.atlas
            src = a[[f"{v}_src" for v in VARIABLES]].astype(str).to_numpy()
            imputed = pd.Series((src == "imputed").any(axis=1)).groupby(a["city_id"].to_numpy()).any()
            grid = pd.Series((src == "gridded").any(axis=1)).groupby(a["city_id"].to_numpy()).any()
            self._origins = {c: "imputed" if imputed[c] else "gridded" if grid[c] else "station" for c in imputed.index}
        return self._origins.get(cid, "none")

    def name(self, cid: str) -> str:
        return str(self.cities.at[cid, "name"])

    # ------------------------------------------------------------------ partners
    def partners(self, home: str, country: str | None = None, second_degree: bool = False) -> list[tuple[str, int, list[str]]]:
        """(partner id, degree 1 or 2, via) for a home city id."""
        direct = self.adjacency.get(home, [])
        out = [(p, 1, []) for p in direct]
        if second_degree:
            seen = set(direct) | {home}
            via: dict[str, list[str]] = {}
            for p in direct:
                for q in self.adjacency.get(p, []):
                    if q not in seen:
                        via.setdefault(q, []).append(p)
            out += [(q, 2, sorted(v)) for q, v in sorted(via.items())]
        if country:
            iso = country_code(country)
            out = [t for t in out if self.cities.at[t[0], "country"] == iso]
        return out

    # ------------------------------------------------------------------ windows
    def window_months(self, sc: ScoredAtlas, home: str, partner: str, good: float = GOOD, margin: float = MARGIN) -> list[int]:
        """Months where the partner is ≥ good and ≥ margin better than home (home unknown: ≥ good)."""
        j = sc.pos.get(partner)
        if j is None:
            return []
        i = sc.pos.get(home)
        ok = in_window(sc.score[j], sc.score[i] if i is not None else np.full(12, np.nan), good, margin)
        return [m + 1 for m in range(12) if ok[m]]

    def travel_windows(self, home: str, partner: str, style: str = "urban", comfort_band=None,
                       good: float = GOOD, margin: float = MARGIN) -> list[list[int]]:
        sc = self.scored(style, comfort_band)
        return circular_runs(self.window_months(sc, self.city(home), self.city(partner), good, margin))

    def exchange(self, a: str, b: str, style: str = "urban", comfort_band=None, good: float = GOOD,
                 margin: float = MARGIN) -> Exchange:
        """When A's people should visit B and B's people A."""
        a_id, b_id = self.city(a), self.city(b)
        sc = self.scored(style, comfort_band)
        return Exchange(
            a=self.city_ref(a_id), b=self.city_ref(b_id), index=sc.index, band=sc.band,
            sister_cities=b_id in self.adjacency.get(a_id, []),
            a_to_b=circular_runs(self.window_months(sc, a_id, b_id, good, margin)),
            b_to_a=circular_runs(self.window_months(sc, b_id, a_id, good, margin)),
        )

    def exchanges(self, style: str = "urban", comfort_band=None, country: str | None = None, city: str | None = None,
                  limit: int | None = None, good: float = GOOD, margin: float = MARGIN) -> tuple[int, list[PairExchange]]:
        """Every sister-city pair with climate at both ends, strongest exchange first (the number
        of pairs, and the first `limit` of them); `country` keeps pairs with an end in that
        country (that end is A), `city` the pairs of that city (it is A)."""
        sc = self.scored(style, comfort_band)
        a_ids, b_ids = self.pairs["city_a"].to_numpy(), self.pairs["city_b"].to_numpy()
        if city:
            cid = self.city(city)
            keep = (a_ids == cid) | (b_ids == cid)
            a_ids, b_ids = np.where(b_ids[keep] == cid, b_ids[keep], a_ids[keep]), \
                np.where(b_ids[keep] == cid, a_ids[keep], b_ids[keep])
        if country:
            iso = country_code(country)
            ca = self.cities["country"].reindex(a_ids).to_numpy()
            cb = self.cities["country"].reindex(b_ids).to_numpy()
            keep = (ca == iso) | (cb == iso)
            a_ids, b_ids = a_ids[keep], b_ids[keep]
            if not city:   # the country's city first
                swap = (cb[keep] == iso) & (ca[keep] != iso)
                a_ids, b_ids = np.where(swap, b_ids, a_ids), np.where(swap, a_ids, b_ids)
        rows = pd.Index(sc.ids)
        ia, ib = rows.get_indexer(a_ids), rows.get_indexer(b_ids)    # −1: no climate data
        ok = (ia >= 0) & (ib >= 0)
        a_ids, b_ids, ia, ib = a_ids[ok], b_ids[ok], ia[ok], ib[ok]
        sa, sb = sc.score[ia], sc.score[ib]
        ab, ba = in_window(sb, sa, good, margin), in_window(sa, sb, good, margin)   # A's people to B; B's to A
        with np.errstate(invalid="ignore", divide="ignore"):
            za = (sa - sa.mean(axis=1, keepdims=True))
            zb = (sb - sb.mean(axis=1, keepdims=True))
            r = (za * zb).sum(axis=1) / np.sqrt((za ** 2).sum(axis=1) * (zb ** 2).sum(axis=1))
        comp = np.round(np.where(np.isnan(r), 0.5, (1 - r) / 2), 3)
        na, nb = ab.sum(axis=1), ba.sum(axis=1)
        two_way = (na > 0) & (nb > 0)
        # strongest first: two-way, then the months covered by either window, the shorter window,
        # complementarity, ids (np.lexsort: the last key is the primary one)
        order = np.lexsort((b_ids, a_ids, -comp, -np.minimum(na, nb), -(na + nb), ~two_way))
        if limit is not None:
            order = order[:limit]
        out = [PairExchange(self.city_ref(a_ids[k]), self.city_ref(b_ids[k]),
                            circular_runs([int(m) + 1 for m in np.flatnonzero(ab[k])]),
                            circular_runs([int(m) + 1 for m in np.flatnonzero(ba[k])]), int(na[k]), int(nb[k]), float(comp[k]))
               for k in order]
        return len(a_ids), out

    # ------------------------------------------------------------------ reasons
    def reasons(self, sc: ScoredAtlas, partner: str, home: str | None, month: int, limit: int = 3) -> tuple[Reason, ...]:
        """The strongest reasons (codes with numbers) for the partner's score in `month`."""
        j, m = sc.pos[partner], month - 1
        i = sc.pos.get(home) if home else None
        out: list[Reason] = []
        t = float(sc.tmax[j, m])
        cls = sc.utci_class[j, m]
        if cls in STRESS_CLASSES:
            out.append(Reason("thermal_stress", 3.0, {"utci_class": str(cls), "utci_c": float(sc.utci[j, m])}))
        home_t = float(sc.tmax[i, m]) if i is not None and not np.isnan(sc.tmax[i, m]) else None
        out.append(Reason("temperature", 2.0, {"tmax_c": t, "home_tmax_c": home_t}))
        p, w = float(sc.prcp[j, m]), float(sc.wet[j, m])
        if not np.isnan(p):
            if p < DRY_MM:
                out.append(Reason("dry", 1.5, {"prcp_mm": p}))
            elif not np.isnan(w) and w >= RAINY_DAYS:
                out.append(Reason("rainy_days", 1.5, {"wet_days": w}))
            elif p >= WET_MM:
                out.append(Reason("wet", 1.5, {"prcp_mm": p}))
        sun = float(sc.sun_per_day[j, m])
        if not np.isnan(sun):
            if sun >= SUNNY_H:
                out.append(Reason("sunny", 1.0, {"sun_h_per_day": sun}))
            elif sun < GREY_H:
                out.append(Reason("grey", 1.0, {"sun_h_per_day": sun}))
        rh = float(sc.rh_pm[j, m])
        if not np.isnan(rh) and rh >= HUMID_RH and t >= HUMID_T:
            out.append(Reason("humid", 1.2, {"rh_pm_pct": rh}))
        if i is not None and sc.utci_class[i, m] in STRESS_CLASSES and cls not in STRESS_CLASSES:
            out.append(Reason("escapes_home_stress", 1.8, {"home_utci_class": str(sc.utci_class[i, m])}))
        out.sort(key=lambda r: -r.priority)
        return tuple(out[:limit])

    def quality(self, sc: ScoredAtlas, cid: str, month: int) -> tuple[tuple[str, str], ...]:
        """The score's components that rest on gridded, imputed or missing inputs: (component, provenance)."""
        j = sc.pos.get(cid)
        if j is None:
            return ()
        codes = sc.src[j, month - 1]
        return tuple((c.key, PROVENANCE[k]) for c, k in zip(sc.index.components, codes)
                     if PROVENANCE[k] in ("gridded", "imputed", "missing"))

    # ------------------------------------------------------------------ recommend
    def recommend(self, home: str, month, style: str = "urban", comfort_band=None, country: str | None = None,
                  second_degree: bool = False, good: float = GOOD, margin: float = MARGIN) -> Recommendation:
        """The home city's sister cities ranked by score in `month` (best first)."""
        m = parse_month(month)
        home_id = self.city(home)
        sc = self.scored(style, comfort_band)
        i = sc.pos.get(home_id)
        home_score = float(sc.score[i, m - 1]) if i is not None else None
        partners = []
        for pid, degree, via in self.partners(home_id, country, second_degree):
            j = sc.pos.get(pid)
            vias = tuple(self.city_ref(v) for v in via)
            if j is None:
                partners.append(PartnerResult(self.city_ref(pid), degree, vias, None, None, None, [], (), 0.0,
                                              None, None, ()))
                continue
            s = float(sc.score[j, m - 1])
            partners.append(PartnerResult(
                city=self.city_ref(pid), degree=degree, via=vias, score=s, label=str(sc.label[j, m - 1]),
                delta=None if home_score is None or math.isnan(home_score) else round(s - home_score, 1),
                windows=circular_runs(self.window_months(sc, home_id, pid, good, margin)),
                reasons=self.reasons(sc, pid, home_id if i is not None else None, m),
                coverage=float(sc.coverage[j, m - 1]), tmax_c=float(sc.tmax[j, m - 1]),
                prcp_mm=float(sc.prcp[j, m - 1]), quality=self.quality(sc, pid, m), confidence=sc.confidence(j, m),
            ))
        partners.sort(key=lambda p: (p.score is None, -(p.score or 0), p.degree, p.city.name))
        return Recommendation(
            home=self.city_ref(home_id), month=m, index=sc.index, band=sc.band,
            country=country_code(country) if country else None, home_score=home_score,
            home_label=str(sc.label[i, m - 1]) if i is not None else None,
            home_tmax_c=float(sc.tmax[i, m - 1]) if i is not None else None, partners=tuple(partners),
            home_confidence=sc.confidence(i, m))

    # ------------------------------------------------------------------ profile
    def profile(self, city: str, style: str = "urban", comfort_band=None) -> Profile:
        """Twelve months of scores with components and coverage, and the season type."""
        cid = self.city(city)
        sc = self.scored(style, comfort_band)
        i = sc.pos.get(cid)
        if i is None:
            return Profile(self.city_ref(cid), sc.index, sc.band, None, ())
        comps = [c.key for c in sc.index.components]
        months = []
        for m in range(1, 13):
            r = sc.row(cid, m)
            months.append(MonthScore(
                month=m, score=float(r["score"]), label=str(r["label"]), raw_score=float(r["raw_score"]),
                gate=str(r["utci_class"]),
                components={c: (None if pd.isna(r[f"r_{c}"]) else round(float(r[f"r_{c}"]), 2)) for c in comps},
                sources={c: str(r[f"src_{c}"]) for c in comps}, coverage=float(r["coverage"]),
                confidence=sc.confidence(i, m)))
        lat = float(self.cities.at[cid, "lat"])
        return Profile(self.city_ref(cid), sc.index, sc.band, season_type(sc.score[i], lat, sc.prcp[i]), tuple(months))

    # ------------------------------------------------------------------ one month in detail
    def month_detail(self, city: str, month, style: str = "urban", comfort_band=None) -> MonthDetail | None:
        """The ratings, weights, provenance and climate behind one city-month (None: no climate data)."""
        cid, m = self.city(city), parse_month(month)
        sc = self.scored(style, comfort_band)
        r = sc.row(cid, m)
        if r is None:
            return None
        a = r  # the scored frame carries the climate columns, their provenance and source
        return MonthDetail(
            city=self.city_ref(cid), month=m, index=sc.index, band=sc.band, score=float(r["score"]),
            label=str(r["label"]), raw_score=float(r["raw_score"]), utci_c=float(r["utci_c"]),
            utci_class=str(r["utci_class"]), stress_factor=float(r["stress_factor"]), coverage=float(r["coverage"]),
            coverage_imputed=float(r["coverage_imputed"]), coverage_missing=float(r["coverage_missing"]),
            components=tuple((c.key, c.weight, None if pd.isna(r[f"r_{c.key}"]) else float(r[f"r_{c.key}"]),
                              str(r[f"src_{c.key}"])) for c in sc.index.components),
            climate={v: (None if pd.isna(a[v]) else float(a[v]), str(a[f"{v}_src"])) for v in VARIABLES},
            data_source=str(a["data_source"]), period=str(a["period"]), confidence=sc.confidence(sc.pos[cid], m))


_default: tuple[tuple, Recommender] | None = None


def default_recommender() -> Recommender:
    """A Recommender over the current atlas, rebuilt only when the atlas files change."""
    global _default
    version = atlas_version()
    if _default is None or _default[0] != version:
        _default = (version, Recommender(load_atlas()))
    return _default[1]


def recommend(home: str, month, **kw) -> Recommendation:
    """See Recommender.recommend."""
    return default_recommender().recommend(home, month, **kw)


def profile(city: str, **kw) -> Profile:
    return default_recommender().profile(city, **kw)


def travel_windows(home: str, partner: str, **kw) -> list[list[int]]:
    return default_recommender().travel_windows(home, partner, **kw)


def exchange(a: str, b: str, **kw) -> Exchange:
    return default_recommender().exchange(a, b, **kw)
