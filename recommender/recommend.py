"""Recommendations as typed results (`results.py`): ranked partners, the whole year of a home
city's partners, travel windows, the pair exchange calendar and ranking, a city's year profile
and the detail of one month's score.

    Recommender().recommend("urumqi", 1)        → Recommendation (Ürümqi's sister cities in January)
    Recommender().year("urumqi")                → HomeYear (every partner × 12 months, windows, reasons)
    Recommender().exchange("urumqi", "karachi") → Exchange (when each side should visit)
    Recommender().pair_ranking(country="PK")    → PairRanking (pairs by two-way exchange potential)
    Recommender().profile("karachi")            → Profile (12 months, components, season type)

`Recommender` is a thin front over three parts, each with its own job: the scored atlas per
(index, comfort band) (`scored.ScoreCache`), the registry (`registry.Registry`) and the sister-city
graph (`graph.SisterGraph`); the rules (windows, reasons, season type, exchange potential) are
pure functions in `rules.py`. Results hold codes and numbers only; `present/` builds the words.
"""

from __future__ import annotations

import math

import datetime as dt

from dataclasses import replace

import numpy as np
import pandas as pd

from .atlas import atlas_version, load_atlas, load_cities, load_names, load_pairs, table_warnings
from .climate.calendar import parse_month
from .climate.variables import VARIABLES, src_column
from .comfort.indices import ComfortIndex
from .errors import RecommenderError, shown
from .graph import SisterGraph
from .places.countries import country_code
from .registry import Registry
from .climate.daily import DAY_MONTH
from .comfort.tables import LABEL_ORDER, label_codes
from .results import (Plan, BreakFit, CityRef, CityYear, ClimateYear, Confidence, DaySpan, Exchange, HomeYear, MonthDetail, MonthScore,
                      PairExchange, PairRanking, PartnerResult, Profile, Reason, Recommendation)
from . import breaks
from .rules import (FORTNIGHT, GOOD, MARGIN, best_fortnight, break_in_window, day_index, day_runs, circular_runs, complementarity, exchange_order, in_window, mask_runs, quality,
                    reasons, season_type, window_runs)
from .scored import GRADES, REASON_CODES, ScoreCache, ScoredAtlas, confidence_codes, index_for_style

__all__ = ["Recommender", "default_recommender", "recommend", "year", "profile", "exchange", "travel_windows",
           "pair_ranking", "plan", "GOOD", "MARGIN", "circular_runs", "season_type", "in_window", "index_for_style",
           "CityRef", "Confidence", "Reason", "PartnerResult", "Recommendation", "CityYear", "ClimateYear", "HomeYear",
           "MonthScore", "Profile", "Exchange", "PairExchange", "PairRanking", "MonthDetail", "ScoredAtlas",
           "GRADES", "REASON_CODES", "confidence_codes"]

PAIR_SORTS = ("exchange", "complementarity", "name")


def _floats(a) -> tuple[float, ...]:
    return tuple(float(x) for x in a)


def _fortnight(partner_days, mask) -> DaySpan | None:
    best = best_fortnight(partner_days, mask)
    if best is None:
        return None
    start, score = best
    return DaySpan(start, (start + FORTNIGHT - 1) % len(mask), round(score, 1))


def _label(score: float) -> str:
    return LABEL_ORDER[int(label_codes(score))]


def _score(x) -> float | None:
    """A score as a float; None where there is none (NaN: the month's thermal comfort cannot be rated)."""
    x = float(x)
    return None if math.isnan(x) else x


class Recommender:
    """Scores, partners and windows over one atlas and registry (the registry's tables, the
    native names of data/city_names.csv among them, are read from data/ when not given)."""

    def __init__(self, atlas: pd.DataFrame | None = None, cities: pd.DataFrame | None = None,
                 pairs: pd.DataFrame | None = None, names: pd.DataFrame | None = None):
        from_data = atlas is None and cities is None and pairs is None     # every table read from data/ here
        self.atlas = load_atlas() if atlas is None else atlas
        cities = load_cities() if cities is None else cities
        if names is None and not any(c.startswith("name_") for c in cities.columns):
            names = load_names()
            names = names[names["city_id"].isin(cities["city_id"])]
        self.registry = Registry(cities, names)
        self.graph = SisterGraph(load_pairs() if pairs is None else pairs)
        self.scores = ScoreCache(self.atlas)
        self._table_warnings = table_warnings() if from_data else []      # a data table cut short

    # ------------------------------------------------------------------ the parts, by name
    @property
    def cities(self) -> pd.DataFrame:
        return self.registry.cities

    @property
    def pairs(self) -> pd.DataFrame:
        return self.graph.pairs

    @property
    def adjacency(self) -> dict[str, list[str]]:
        return self.graph.adjacency

    def scored(self, style: str | ComfortIndex = "urban", comfort_band=None) -> ScoredAtlas:
        """The atlas scored with a trip style's index and a comfort band (cached)."""
        return self.scores.get(style, comfort_band)

    def city(self, query: str) -> str:
        """City id for an id, name or ASCII name."""
        return self.registry.city(query)

    def city_ref(self, cid: str) -> CityRef:
        return self.registry.ref(cid)

    def origin(self, cid: str) -> str:
        """Where a city's climate comes from: "station", "gridded", "imputed" or "none"."""
        return self.scores.origin(cid)

    def has_stations(self, cid: str) -> bool:
        """Does the city have a Meteostat station nearby (can its station data be fetched)?"""
        return bool(self.cities.at[cid, "station_ids"])

    def warnings(self) -> list[str]:
        """What loading the atlas warned about (e.g. a refreshed city that failed its checks)."""
        return list(self.atlas.attrs.get("warnings", [])) + self._table_warnings

    def name(self, cid: str) -> str:
        return str(self.cities.at[cid, "name"])

    def directory(self) -> list[tuple[CityRef, bool]]:
        """Every registry city (CityRef, has climate data), in the order of their ASCII names."""
        c, refs = self.cities.sort_values("ascii_name"), self.registry.refs()
        return [(refs[cid], bool(h)) for cid, h in zip(c["city_id"], c["has_climate"])]

    def countries(self) -> list[str]:
        """The ISO codes of the registry's countries, sorted."""
        return sorted(self.cities["country"].unique())

    def cities_in(self, country: str | None) -> list[str]:
        """The ids of a country's cities (all cities for None), by name."""
        c = self.cities[self.cities["country"] == country] if country else self.cities
        return list(c.reset_index(drop=True).sort_values(["name", "city_id"])["city_id"])

    def partner_countries(self, home: str) -> list[str]:
        """The countries of a city's sister cities, sorted."""
        return sorted({self.registry.country(p) for p in self.graph.sisters(self.city(home))})

    def partners(self, home: str, country: str | None = None, second_degree: bool = False) -> list[tuple[str, int, list[str]]]:
        """(partner id, degree 1 or 2, via) for a home city id, optionally only those in a country."""
        out = self.graph.partners(home, second_degree)
        if country:
            iso = country_code(country)
            out = [t for t in out if self.registry.country(t[0]) == iso]
        return out

    # ------------------------------------------------------------------ windows and exchange
    def window_months(self, sc: ScoredAtlas, home: str, partner: str, good: float = GOOD,
                      margin: float = MARGIN) -> list[int]:
        """Months where the partner is ≥ good and ≥ margin better than home (home unknown: ≥ good)."""
        j = sc.pos.get(partner)
        if j is None:
            return []
        ok = in_window(sc.score[j], sc.scores_of(sc.pos.get(home)), good, margin)
        return [m + 1 for m in range(12) if ok[m]]

    def travel_windows(self, home: str, partner: str, style: str = "urban", comfort_band=None,
                       good: float = GOOD, margin: float = MARGIN) -> list[list[int]]:
        """The months (runs) in which home's people should visit the partner."""
        return self.exchange(home, partner, style, comfort_band, good, margin).a_to_b

    def exchange(self, a: str, b: str, style: str = "urban", comfort_band=None, good: float = GOOD,
                 margin: float = MARGIN, year: int | None = None, today: dt.date | None = None,
                 lang: str = "en") -> Exchange:
        """When A's people should visit B and B's people A: by month, by day (the same rule on the
        daily climatology), the best fortnight each way, and each country's holiday breaks in the
        period (`year`, else the 12 months from `today`) marked in or out of its people's window
        (holiday names in `lang` where the holidays package has that language)."""
        a_id, b_id = self.city(a), self.city(b)
        sc = self.scored(style, comfort_band)
        ia, ib = sc.pos.get(a_id), sc.pos.get(b_id)
        sa, sb = sc.scores_of(ia), sc.scores_of(ib)
        da, db = sc.daily_of(ia), sc.daily_of(ib)
        ab = in_window(db, da, good, margin) if ib is not None else np.zeros(len(da), dtype=bool)
        ba = in_window(da, db, good, margin) if ia is not None else np.zeros(len(da), dtype=bool)
        start, end = breaks.period(year, today)
        fits = []
        for direction, cid, mask in (("a_to_b", a_id, ab), ("b_to_a", b_id, ba)):
            country = self.registry.country(cid)
            for br in breaks.breaks(country, start, end, lang) if breaks.supported(country) else []:
                fits.append(BreakFit(direction, br.country, br.name, br.start, br.end, break_in_window(br.start, br.end, mask),
                                     br.estimated))
        return Exchange(
            a=self.city_ref(a_id), b=self.city_ref(b_id), index=sc.index, band=sc.band,
            sister_cities=self.graph.twinned(a_id, b_id),
            a_to_b=window_runs(sb, sa, good, margin) if ib is not None else [],
            b_to_a=window_runs(sa, sb, good, margin) if ia is not None else [],
            a_to_b_days=tuple(DaySpan(s0, e0) for s0, e0 in day_runs(ab)),
            b_to_a_days=tuple(DaySpan(s0, e0) for s0, e0 in day_runs(ba)),
            fortnight_a_to_b=_fortnight(db, ab), fortnight_b_to_a=_fortnight(da, ba),
            breaks=tuple(fits), period=(start, end), a_daily=_floats(da), b_daily=_floats(db))

    def pair_ranking(self, style: str = "urban", comfort_band=None, country: str | None = None,
                     city: str | None = None, sort: str = "exchange", limit: int | None = None,
                     good: float = GOOD, margin: float = MARGIN) -> PairRanking:
        """Every sister-city pair with climate at both ends, by exchange potential (rules.exchange_order),
        complementarity or name; `country` keeps pairs with an end in that country (that end is
        A), `city` the pairs of that city (it is A); the first `limit` are returned."""
        if sort not in PAIR_SORTS:
            raise RecommenderError(f"Unknown sort {shown(sort)}; choose {', '.join(PAIR_SORTS)}.")
        sc = self.scored(style, comfort_band)
        cid = self.city(city) if city else None
        iso = country_code(country) if country else None
        a_ids, b_ids = self.graph.ends(cid, iso, lambda ids: self.registry.countries(ids).to_numpy())
        rows = pd.Index(sc.ids)
        ia, ib = rows.get_indexer(a_ids), rows.get_indexer(b_ids)    # −1: no climate data
        ok = (ia >= 0) & (ib >= 0)
        a_ids, b_ids, ia, ib = a_ids[ok], b_ids[ok], ia[ok], ib[ok]
        sa, sb = sc.score[ia], sc.score[ib]
        ab, ba = in_window(sb, sa, good, margin), in_window(sa, sb, good, margin)   # A's people to B; B's to A
        comp = complementarity(sa, sb)
        na, nb = ab.sum(axis=1), ba.sum(axis=1)
        order = exchange_order((na > 0) & (nb > 0), na, nb, comp, a_ids, b_ids)
        pairs = [PairExchange(self.city_ref(a_ids[k]), self.city_ref(b_ids[k]), mask_runs(ab[k]), mask_runs(ba[k]),
                              int(na[k]), int(nb[k]), float(comp[k])) for k in order]
        if sort == "complementarity":
            pairs.sort(key=lambda p: (-p.complementarity, p.a.id, p.b.id))
        elif sort == "name":
            pairs.sort(key=lambda p: (p.a.name, p.b.name))
        if limit:
            pairs = pairs[:limit]
        return PairRanking(sc.index, sc.band, sort, country, city, len(a_ids), tuple(pairs))

    def exchanges(self, style: str = "urban", comfort_band=None, country: str | None = None, city: str | None = None,
                  limit: int | None = None, good: float = GOOD, margin: float = MARGIN) -> tuple[int, list[PairExchange]]:
        """(number of pairs, the strongest `limit` PairExchange): pair_ranking by exchange potential."""
        r = self.pair_ranking(style, comfort_band, country, city, "exchange", limit, good, margin)
        return r.total, list(r.pairs)

    # ------------------------------------------------------------------ one month, one home
    def _home_partners(self, home_id: str, country: str | None, second_degree: bool):
        return [(pid, degree, tuple(self.city_ref(v) for v in via))
                for pid, degree, via in self.partners(home_id, country, second_degree)]

    def recommend(self, home: str, month, style: str = "urban", comfort_band=None, country: str | None = None,
                  second_degree: bool = False, good: float = GOOD, margin: float = MARGIN) -> Recommendation:
        """The home city's sister cities ranked by score in `month` (best first)."""
        m = parse_month(month)
        home_id = self.city(home)
        sc = self.scored(style, comfort_band)
        i = sc.pos.get(home_id)
        home_scores = sc.scores_of(i)
        home_score = _score(home_scores[m - 1]) if i is not None else None
        partners = []
        found = self._home_partners(home_id, country, second_degree)
        rows = [sc.pos[pid] for pid, _d, _v in found if pid in sc.pos]
        sc.daily(rows + ([i] if i is not None else []))            # the daily scores of these rows, in one pass
        home_days = sc.daily_of(i)
        for pid, degree, vias in found:
            j = sc.pos.get(pid)
            if j is None:
                partners.append(PartnerResult(self.city_ref(pid), degree, vias, None, None, None, [], (), 0.0,
                                              None, None, ()))
                continue
            s = _score(sc.score[j, m - 1])   # None: not enough data for a thermal rating (never ranked)
            partners.append(PartnerResult(
                city=self.city_ref(pid), degree=degree, via=vias, score=s, label=str(sc.label[j, m - 1]),
                delta=None if home_score is None or s is None else round(s - home_score, 1),
                windows=window_runs(sc.score[j], home_scores, good, margin),
                reasons=reasons(sc, j, i, m) if s is not None else (),
                coverage=float(sc.coverage[j, m - 1]), tmax_c=float(sc.tmax[j, m - 1]),
                prcp_mm=float(sc.prcp[j, m - 1]), quality=quality(sc, j, m), confidence=sc.confidence(j, m),
                flags=sc.flag_codes(j, m), flag_values=sc.flag_values(j, m),
                window_days=tuple(DaySpan(a, b) for a, b in day_runs(in_window(sc.daily_of(j), home_days, good, margin))),
            ))
        partners.sort(key=lambda p: (p.score is None, -(p.score or 0), p.degree, p.city.name))
        return Recommendation(
            home=self.city_ref(home_id), month=m, index=sc.index, band=sc.band,
            country=country_code(country) if country else None, home_score=home_score,
            home_label=str(sc.label[i, m - 1]) if i is not None else None,
            home_tmax_c=float(sc.tmax[i, m - 1]) if i is not None else None, partners=tuple(partners),
            home_confidence=sc.confidence(i, m), home_flags=sc.flag_codes(i, m), home_flag_values=sc.flag_values(i, m))

    def plan(self, home: str, start: dt.date, end: dt.date, style: str = "urban", comfort_band=None,
             country: str | None = None, second_degree: bool = False, good: float = GOOD,
             margin: float = MARGIN) -> Plan:
        """The home city's sister cities ranked for the dates start … end (inclusive, at most a year):
        by the mean of each city's daily scores over those days (best first)."""
        if end < start:
            raise RecommenderError(f"The dates run backwards: {start.isoformat()} is after {end.isoformat()}; give the earlier date first.")
        n = (end - start).days + 1
        if n > 366:
            raise RecommenderError(f"{n} days from {start.isoformat()} to {end.isoformat()}: plan at most a year.")
        days = np.array([day_index(start + dt.timedelta(k)) for k in range(n)])
        month = int(np.bincount(DAY_MONTH[days]).argmax())
        rec = self.recommend(home, month, style, comfort_band, country, second_degree, good, margin)
        sc = self.scored(style, comfort_band)

        def mean_of(cid: str) -> float | None:
            j = sc.pos.get(cid)
            return None if j is None else _score(round(float(np.mean(sc.daily_of(j)[days])), 1))

        home_score = mean_of(rec.home.id)
        partners = []
        for p in rec.partners:
            s = mean_of(p.city.id) if p.score is not None else None
            partners.append(replace(p, score=s, label=_label(s) if s is not None else p.label,
                                    delta=None if s is None or home_score is None else round(s - home_score, 1)))
        partners.sort(key=lambda p: (p.score is None, -(p.score or 0), p.degree, p.city.name))
        rec = replace(rec, home_score=home_score, home_label=_label(home_score) if home_score is not None else rec.home_label,
                      partners=tuple(partners))
        return Plan(rec, start, end)

    # ------------------------------------------------------------------ the whole year, one home
    def _city_year(self, sc: ScoredAtlas, cid: str, degree: int, via: tuple, home_row: int | None,
                   good: float, margin: float) -> CityYear:
        j = sc.pos.get(cid)
        ref = self.city_ref(cid)
        if j is None:
            return CityYear(ref, degree, via, (), (), (), (), (), (), None, [])
        vs_home = home_row if degree else None
        day_mask = in_window(sc.daily_of(j), sc.daily_of(home_row), good, margin)
        return CityYear(
            city=ref, degree=degree, via=via, scores=_floats(sc.score[j]), labels=tuple(str(x) for x in sc.label[j]),
            confidence=tuple(sc.confidence(j, m) for m in range(1, 13)), coverage=_floats(sc.coverage[j]),
            reasons=tuple(reasons(sc, j, vs_home, m) if not math.isnan(sc.score[j, m - 1]) else ()
                          for m in range(1, 13)),
            quality=tuple(quality(sc, j, m) for m in range(1, 13)),
            climate=ClimateYear(_floats(sc.tmax[j]), _floats(sc.tmin[j]), _floats(sc.prcp[j]), _floats(sc.rhum[j]),
                                _floats(sc.sun_per_day[j])),
            windows=window_runs(sc.score[j], sc.scores_of(home_row), good, margin) if degree else [],
            flags=tuple(sc.flag_codes(j, m) for m in range(1, 13)),
            flag_values=tuple(sc.flag_values(j, m) for m in range(1, 13)),
            window_days=tuple(DaySpan(a, b) for a, b in day_runs(day_mask)) if degree else (),
            fortnight=_fortnight(sc.daily_of(j), day_mask) if degree else None)

    def year(self, home: str, style: str = "urban", comfort_band=None, country: str | None = None,
             second_degree: bool = False, good: float = GOOD, margin: float = MARGIN) -> HomeYear:
        """A home city and its sister cities (in the registry's order) over the 12 months."""
        home_id = self.city(home)
        sc = self.scored(style, comfort_band)
        i = sc.pos.get(home_id)
        found = self._home_partners(home_id, country, second_degree)
        sc.daily([sc.pos[pid] for pid, _d, _v in found if pid in sc.pos] + ([i] if i is not None else []))  # one pass
        return HomeYear(
            home=self._city_year(sc, home_id, 0, (), i, good, margin),
            partners=tuple(self._city_year(sc, pid, degree, vias, i, good, margin) for pid, degree, vias in found),
            index=sc.index, band=sc.band, country=country_code(country) if country else None,
            second_degree=second_degree, good=good, margin=margin)

    def pair_year(self, a: str, b: str, style: str = "urban", comfort_band=None, good: float = GOOD,
                  margin: float = MARGIN) -> HomeYear:
        """Two cities over the 12 months as a HomeYear: A as home, B its one partner (degree 1: sister
        cities, 2: B a sister of A's sister, 3: not linked), B's windows those of A's people."""
        a_id, b_id = self.city(a), self.city(b)
        sc = self.scored(style, comfort_band)
        i = sc.pos.get(a_id)
        linked = {pid: (d, via) for pid, d, via in self._home_partners(a_id, None, True)}
        degree, via = linked.get(b_id, (3, ()))
        return HomeYear(home=self._city_year(sc, a_id, 0, (), i, good, margin),
                        partners=(self._city_year(sc, b_id, degree, via, i, good, margin),),
                        index=sc.index, band=sc.band, country=None, second_degree=False, good=good, margin=margin)

    # ------------------------------------------------------------------ profile
    def profile(self, city: str, style: str = "urban", comfort_band=None, daily: bool = False) -> Profile:
        """Twelve months of scores with components and coverage, and the season type; `daily`:
        also the daily climatology and the daily scores (Profile.days)."""
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
                month=m, score=_score(r["score"]), label=str(r["label"]), raw_score=_score(r["raw_score"]),
                gate=str(r["utci_class"]),
                components={c: (None if pd.isna(r[f"r_{c}"]) else round(float(r[f"r_{c}"]), 2)) for c in comps},
                sources={c: str(r[f"src_{c}"]) for c in comps}, coverage=float(r["coverage"]),
                confidence=sc.confidence(i, m), flags=sc.flag_codes(i, m), flag_values=sc.flag_values(i, m)))
        days = None
        if daily:
            days = {v: a[0] for v, a in sc.daily_normals([i]).items() if v in VARIABLES}
            days["score"] = sc.daily_of(i)
        return Profile(self.city_ref(cid), sc.index, sc.band, season_type(sc.score[i], self.registry.lat(cid), sc.prcp[i]),
                       tuple(months), days)

    # ------------------------------------------------------------------ one month in detail
    def month_detail(self, city: str, month, style: str = "urban", comfort_band=None) -> MonthDetail | None:
        """The ratings, weights, provenance and climate behind one city-month (None: no climate data)."""
        cid, m = self.city(city), parse_month(month)
        sc = self.scored(style, comfort_band)
        r = sc.row(cid, m)   # the scored frame carries the climate columns, their provenance and source
        if r is None:
            return None
        return MonthDetail(
            city=self.city_ref(cid), month=m, index=sc.index, band=sc.band, score=_score(r["score"]),
            label=str(r["label"]), raw_score=_score(r["raw_score"]), utci_c=float(r["utci_c"]),
            utci_class=str(r["utci_class"]), stress_factor=float(r["stress_factor"]), coverage=float(r["coverage"]),
            coverage_imputed=float(r["coverage_imputed"]), coverage_missing=float(r["coverage_missing"]),
            components=tuple((c.key, c.weight, None if pd.isna(r[f"r_{c.key}"]) else float(r[f"r_{c.key}"]),
                              str(r[f"src_{c.key}"])) for c in sc.index.components),
            climate={v: (None if pd.isna(r[v]) else float(r[v]), str(r[src_column(v)])) for v in VARIABLES},
            data_source=str(r["data_source"]), period=str(r["period"]), confidence=sc.confidence(sc.pos[cid], m),
            flags=sc.flag_codes(sc.pos[cid], m), flag_values=sc.flag_values(sc.pos[cid], m))


_default: tuple[tuple, Recommender] | None = None


def default_recommender() -> Recommender:
    """A Recommender over the current atlas, rebuilt only when the atlas files change."""
    global _default
    version = atlas_version()
    if _default is None or _default[0] != version:
        from .prepared import recommender

        _default = (version, recommender(Recommender))
    return _default[1]


def recommend(home: str, month, **kw) -> Recommendation:
    """See Recommender.recommend."""
    return default_recommender().recommend(home, month, **kw)


def year(home: str, **kw) -> HomeYear:
    """See Recommender.year."""
    return default_recommender().year(home, **kw)


def profile(city: str, **kw) -> Profile:
    return default_recommender().profile(city, **kw)


def travel_windows(home: str, partner: str, **kw) -> list[list[int]]:
    return default_recommender().travel_windows(home, partner, **kw)


def plan(home: str, start: dt.date, end: dt.date, **kw) -> Plan:
    return default_recommender().plan(home, start, end, **kw)


def exchange(a: str, b: str, **kw) -> Exchange:
    return default_recommender().exchange(a, b, **kw)


def pair_ranking(**kw) -> PairRanking:
    """See Recommender.pair_ranking."""
    return default_recommender().pair_ranking(**kw)

