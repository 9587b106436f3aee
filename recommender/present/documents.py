"""One JSON document per typed result — the contract of the CLI's `--format json`, the
dashboard's JSON export and the HTTP API: `document(result)` for a Recommendation, HomeYear,
Profile, Exchange or PairRanking. Codes and numbers as the results hold them (°C, mm, %),
words in English; a city is {"id", "name", "country", "name_<lang>": …} with its native names
in the order the languages are declared."""

from __future__ import annotations

from functools import singledispatch

import numpy as np

from ..climate.daily import DAY_MONTH, DAY_OF_MONTH
from ..results import CityRef, DaySpan, Plan, CityYear, Confidence, Exchange, HomeYear, PairExchange, PairRanking, Profile, Recommendation
from . import text


def city(c: CityRef) -> dict:
    return {"id": c.id, "name": c.name, "country": c.country} | {f"name_{lang}": n for lang, n in c.names}


def confidence(c: Confidence | None) -> dict | None:
    """{"grade": "medium", "reason": "unchecked"} (codes); None without a grade."""
    return None if c is None else {"grade": c.grade, "reason": c.reason}


def _json_score(s: float | None) -> float | None:
    """A score for JSON: None where there is none (NaN: not enough data for a thermal rating)."""
    return None if s is None or s != s else s


@singledispatch
def document(result) -> dict:
    """The JSON document (a dict of JSON types) of a typed result."""
    raise TypeError(f"no JSON document for {type(result).__name__}")


@document.register
def _recommendation(res: Recommendation) -> dict:
    """`recommend --format json`: the home's month and its partners ranked (reasons in words; "flags":
    the codes of what the index does not rate, flags.FLAG_CODES)."""
    home = city(res.home) | {"score": res.home_score, "label": text.label_text(res.home_label),
                             "confidence": confidence(res.home_confidence), "flags": list(res.home_flags)}
    partners = [city(p.city) | {
        "score": p.score, "label": text.label_text(p.label), "delta": p.delta, "window": p.window, "windows": p.windows,
        "reasons": text.reasons_text(p), "coverage": p.coverage, "degree": p.degree, "via": [v.id for v in p.via],
        "confidence": confidence(p.confidence), "flags": list(p.flags),
    } for p in res.partners]
    return {"home": home, "month": res.month, "index": res.index.name, "basis": text.basis(res.index),
            "partners": partners}


def _months(p: CityYear, home: CityYear) -> list[dict]:
    """A partner's 12 months: score, class, points above home, in the window, confidence."""
    out = []
    for m in range(1, 13):
        s = _json_score(p.scores[m - 1]) if p.has_climate else None
        hs = _json_score(home.scores[m - 1]) if home.has_climate else None
        out.append({"month": m, "score": s, "label": p.labels[m - 1] if p.has_climate else text.NO_DATA,
                    "delta": None if s is None or hs is None else round(s - hs, 1), "in_window": m in p.window,
                    "confidence": confidence(p.confidence[m - 1]) if p.has_climate else None,
                    "flags": list(p.flags[m - 1]) if p.has_climate and p.flags else []})
    return out


@document.register
def _home_year(y: HomeYear) -> dict:
    """The dashboard's JSON export: home's 12 scores and grades, every partner's 12 months and windows."""
    home = city(y.home.city) | {
        "scores": [_json_score(s) for s in y.home.scores] if y.home.has_climate else [None] * 12,
        "confidence": [confidence(c) for c in y.home.confidence] if y.home.has_climate else [None] * 12,
        "flags": [list(f) for f in y.home.flags] if y.home.has_climate and y.home.flags else [[] for _m in range(12)]}
    partners = [{"id": p.city.id, "name": p.city.name, "country": p.city.country, "degree": p.degree,
                 "windows": p.windows, "months": _months(p, y.home)} for p in y.partners]
    return {"home": home, "index": y.index.name, "comfort_band": list(y.band) if y.band else None, "good": y.good,
            "margin": y.margin, "partners": partners}


@document.register
def _plan(p: Plan) -> dict:
    """`plan --format json`: the dates, and the partners ranked for them (the keys of `recommend`;
    scores the mean of the daily scores over the dates)."""
    return {"from": p.start.isoformat(), "to": p.end.isoformat(), **_recommendation(p.recommendation)}


@document.register
def _profile(prof: Profile) -> dict:
    """`profile --format json`: twelve months with components, provenance and coverage."""
    return {"city": city(prof.city), "index": prof.index.name, "basis": text.basis(prof.index),
            "season_type": prof.season_type if prof.season_type else "unknown (no climate data)",
            "months": [{"month": m.month, "score": m.score, "label": m.label, "raw_score": m.raw_score, "gate": m.gate,
                        "components": m.components, "sources": m.sources, "coverage": m.coverage,
                        "confidence": confidence(m.confidence), "flags": list(m.flags)} for m in prof.months],
            **({} if prof.days is None else {"days": _days(prof.days)})}


def _days(days: dict) -> list[dict]:
    """`profile --daily`: 365 days, each with its daily normals (atlas names and units; amounts are
    the month's total at that day's rate, climate.daily) and its score."""
    cols = [c for c in days if c != "score"]
    values = {c: np.round(np.asarray(days[c], dtype=float), 2) for c in cols}
    score = np.round(np.asarray(days["score"], dtype=float), 1)
    return [{"month": int(DAY_MONTH[d]), "day": int(DAY_OF_MONTH[d]),
             **{c: (None if np.isnan(values[c][d]) else float(values[c][d])) for c in cols},
             "score": None if np.isnan(score[d]) else float(score[d])} for d in range(len(score))]


def month_day(day: int) -> str:
    """A day of the climatological year (0–364) as "MM-DD"."""
    return f"{DAY_MONTH[day]:02d}-{DAY_OF_MONTH[day]:02d}"


def _span(d: DaySpan) -> dict:
    return {"from": month_day(d.start), "to": month_day(d.end)}


def _fortnight(d: DaySpan | None) -> dict | None:
    return None if d is None else {**_span(d), "score": d.score}


@document.register
def _exchange(ex: Exchange) -> dict:
    """`windows --format json`: when A's people should visit B and B's people A, by month and
    by day ("MM-DD", a window may cross the new year), the best fortnight each way and the
    holiday breaks of each city's country in the period."""
    return {"a": city(ex.a), "b": city(ex.b), "index": ex.index.name, "sister_cities": ex.sister_cities,
            "a_to_b": ex.a_to_b, "b_to_a": ex.b_to_a,
            "a_to_b_dates": [_span(d) for d in ex.a_to_b_days], "b_to_a_dates": [_span(d) for d in ex.b_to_a_days],
            "best_fortnight": {"a_to_b": _fortnight(ex.fortnight_a_to_b), "b_to_a": _fortnight(ex.fortnight_b_to_a)},
            "period": None if ex.period is None else {"from": ex.period[0].isoformat(), "to": ex.period[1].isoformat()},
            "holidays": [{"country": b.country, "name": b.name, "from": b.start.isoformat(), "to": b.end.isoformat(),
                          "direction": b.direction, "in_window": b.in_window, "estimated": b.estimated}
                         for b in ex.breaks]}


@document.register
def _pair(p: PairExchange) -> dict:
    """One pair of the ranking."""
    return {"a": city(p.a), "b": city(p.b), "a_to_b": p.a_to_b, "b_to_a": p.b_to_a,
            "a_months": p.a_months, "b_months": p.b_months, "complementarity": p.complementarity,
            "two_way": p.two_way}


@document.register
def _pair_ranking(r: PairRanking) -> dict:
    """`pairs --format json`: the filters, how many pairs matched, and the pairs in order."""
    return {"index": r.index.name, "sort": r.sort, "country": r.country, "city": r.city, "pairs_total": r.total,
            "pairs": [_pair(p) for p in r.pairs]}
