"""Partner ranking, travel windows, the pair exchange calendar and season types.

    recommend("urumqi", 1)         → Ürümqi's sister cities ranked by comfort in January
    travel_windows("urumqi", "karachi") → runs of months to go from Ürümqi to Karachi
    exchange("urumqi", "karachi")  → both directions side by side
    profile("karachi")             → 12 months of scores, components and the season type

A `Recommender` scores the atlas once per (index, comfort band) and keeps the scores as
city × month arrays, so a recommendation is a few array look-ups (well under 5 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .atlas import atlas_version, load_atlas, load_cities, load_pairs, resolve_city
from .comfort import INDICES, index_key, score_atlas
from .astro import days_in_month
from .errors import RecommenderError
from .gazetteer import country_tables, normalize_name
from .units import temp

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
BASIS = "monthly climate normals: a typical afternoon of the month, gated by UTCI heat/cold stress"
GOOD = 60.0     # a window month: the partner is at least "good" …
MARGIN = 10.0   # … and at least this many points better than home
HEAT_COLD = {"strong heat stress", "very strong heat stress", "extreme heat stress", "strong cold stress",
             "very strong cold stress", "extreme cold stress", "moderate cold stress"}


def check_month(month) -> int:
    """1–12 as int, or a RecommenderError saying what is allowed."""
    text = str(month).strip()
    if isinstance(month, (bool, float)) or not text.isdigit() or not 1 <= int(text) <= 12:
        raise RecommenderError(f"Month must be a whole number from 1 (January) to 12 (December), got '{month}'.")
    return int(text)


def style_index(style: str) -> str:
    """'urban' | 'beach' | 'tci' (or an index key) → index key; RecommenderError if unknown."""
    try:
        return index_key(style)
    except ValueError:
        raise RecommenderError(f"Unknown trip style '{style}'; choose urban (HCI:Urban), beach (HCI:Beach) "
                               "or tci (TCI).") from None


def months_text(runs: list[list[int]]) -> str:
    """Runs of months in words: [[11, 12, 1, 2, 3], [6]] → "Nov–Mar, Jun" ("—" for none)."""
    return ", ".join(f"{MONTH_NAMES[r[0] - 1][:3]}–{MONTH_NAMES[r[-1] - 1][:3]}" if len(r) > 1 else MONTH_NAMES[r[0] - 1][:3]
                     for r in runs) or "—"


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
    """Tourism-climate seasonality type after Scott & McBoyle (2001).

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


@dataclass
class ScoredAtlas:
    """Scores of one index and comfort band as city × month arrays (row order = ids)."""

    ids: list[str]
    pos: dict[str, int]
    frame: pd.DataFrame          # score_atlas output joined with the climate columns
    score: np.ndarray            # (n, 12)
    label: np.ndarray
    coverage: np.ndarray
    tmax: np.ndarray
    prcp: np.ndarray
    wet: np.ndarray
    sun_per_day: np.ndarray
    rh_pm: np.ndarray
    utci_class: np.ndarray
    utci: np.ndarray


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
        self._names = None

    # ------------------------------------------------------------------ scores
    def scored(self, style: str = "urban", comfort_band: tuple[float, float] | None = None) -> ScoredAtlas:
        key = (style_index(style), None if comfort_band is None else (float(comfort_band[0]), float(comfort_band[1])))
        if key not in self._scored:
            if key[1] is not None and not key[1][0] < key[1][1]:
                raise RecommenderError(f"Comfort band {key[1][0]:g}–{key[1][1]:g} °C: the low end must be below the high end.")
            a = self.atlas.sort_values(["city_id", "month"])
            s = score_atlas(a, key[0], key[1])
            frame = pd.concat([s, a[["tmax_c", "tmin_c", "tmean_c", "prcp_mm", "wet_days", "rhum_pct", "sun_hours",
                                     "cloud_pct", "wind_kmh"]]], axis=1)
            ids = list(dict.fromkeys(a["city_id"]))
            n = len(ids)
            grid = lambda col: frame[col].to_numpy().reshape(n, 12)  # noqa: E731
            days = days_in_month(np.arange(1, 13))
            self._scored[key] = ScoredAtlas(
                ids=ids, pos={c: i for i, c in enumerate(ids)}, frame=frame,
                score=grid("score").astype(float), label=grid("label"), coverage=grid("coverage").astype(float),
                tmax=grid("tmax_c").astype(float), prcp=grid("prcp_mm").astype(float),
                wet=grid("wet_days").astype(float), sun_per_day=grid("sun_hours").astype(float) / days,
                rh_pm=grid("rh_afternoon_pct").astype(float), utci_class=grid("utci_class"),
                utci=grid("utci_c").astype(float),
            )
        return self._scored[key]

    def city(self, query: str) -> str:
        """City id for an id, name or ASCII name (see atlas.resolve_city), via a cached index."""
        if self._names is None:
            names: dict[str, set[str]] = {}
            for cid, n, a in zip(self.cities["city_id"], self.cities["name"], self.cities["ascii_name"]):
                for k in {normalize_name(n), normalize_name(a)}:
                    names.setdefault(k, set()).add(cid)
            self._names = names
        q = str(query).strip()
        if q.lower() in self.cities.index:
            return q.lower()
        hit = self._names.get(normalize_name(q), set())
        if len(hit) == 1:
            return next(iter(hit))
        return resolve_city(q, self.cities.reset_index(drop=True))  # raises with suggestions

    def city_info(self, cid: str) -> dict:
        """id, name, country and the native names where known."""
        r = self.cities.loc[cid]
        info = {"id": cid, "name": r["name"], "country": r["country"]}
        if r.get("name_zh"):
            info["name_zh"] = r["name_zh"]
        if r.get("name_ur"):
            info["name_ur"] = r["name_ur"]
        return info

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
        p = sc.score[j]
        i = sc.pos.get(home)
        h = sc.score[i] if i is not None else np.full(12, np.nan)
        ok = (p >= good) & (np.isnan(h) | (p - h >= margin))
        return [m + 1 for m in range(12) if ok[m]]

    def travel_windows(self, home: str, partner: str, style: str = "urban", comfort_band=None,
                       good: float = GOOD, margin: float = MARGIN) -> list[list[int]]:
        sc = self.scored(style, comfort_band)
        return circular_runs(self.window_months(sc, self.city(home), self.city(partner), good, margin))

    def exchange(self, a: str, b: str, style: str = "urban", comfort_band=None, good: float = GOOD,
                 margin: float = MARGIN) -> dict:
        """When A's people should visit B and B's people A: {"a", "b", "a_to_b", "b_to_a"}."""
        a_id, b_id = self.city(a), self.city(b)
        sc = self.scored(style, comfort_band)
        return {
            "a": self.city_info(a_id), "b": self.city_info(b_id), "index": INDICES[style_index(style)].name,
            "sister_cities": b_id in self.adjacency.get(a_id, []),
            "a_to_b": circular_runs(self.window_months(sc, a_id, b_id, good, margin)),
            "b_to_a": circular_runs(self.window_months(sc, b_id, a_id, good, margin)),
        }

    # ------------------------------------------------------------------ reasons
    def reasons(self, sc: ScoredAtlas, partner: str, home: str | None, month: int, limit: int = 3) -> list[str]:
        """Plain-word reasons for the partner's score in `month`, compared with home."""
        j, m = sc.pos[partner], month - 1
        i = sc.pos.get(home) if home else None
        out: list[tuple[float, str]] = []
        t = sc.tmax[j, m]
        cls = sc.utci_class[j, m]
        if cls in HEAT_COLD:
            out.append((3.0, f"{cls} on a typical afternoon (feels like {temp(sc.utci[j, m])})"))
        if i is not None and not np.isnan(sc.tmax[i, m]):
            out.append((2.0, f"{temp(t)} afternoons vs {temp(sc.tmax[i, m])} at home"))
        else:
            out.append((2.0, f"{temp(t)} afternoons"))
        p, w = sc.prcp[j, m], sc.wet[j, m]
        if not np.isnan(p):
            if p < 20:
                out.append((1.5, f"dry ({p:.0f} mm of rain in the month)"))
            elif not np.isnan(w) and w >= 12:
                out.append((1.5, f"rainy: {w:.0f} wet days"))
            elif p >= 100:
                out.append((1.5, f"wet ({p:.0f} mm of rain in the month)"))
        sun = sc.sun_per_day[j, m]
        if not np.isnan(sun):
            if sun >= 8:
                out.append((1.0, f"sunny ({sun:.0f} h of sunshine a day)"))
            elif sun < 3:
                out.append((1.0, f"grey ({sun:.0f} h of sunshine a day)"))
        rh = sc.rh_pm[j, m]
        if not np.isnan(rh) and rh >= 60 and t >= 27:
            out.append((1.2, f"humid ({rh:.0f} % afternoon humidity)"))
        if i is not None and sc.utci_class[i, m] in HEAT_COLD and cls not in HEAT_COLD:
            out.append((1.8, f"escapes the {sc.utci_class[i, m]} at home"))
        out.sort(key=lambda x: -x[0])
        return [s for _, s in out[:limit]]

    # ------------------------------------------------------------------ recommend
    def recommend(self, home: str, month, style: str = "urban", comfort_band=None, country: str | None = None,
                  second_degree: bool = False, good: float = GOOD, margin: float = MARGIN) -> dict:
        """The home city's sister cities ranked by score in `month` (best first)."""
        m = check_month(month)
        home_id = self.city(home)
        key = style_index(style)
        sc = self.scored(key, comfort_band)
        i = sc.pos.get(home_id)
        home_score = float(sc.score[i, m - 1]) if i is not None else None
        partners = []
        for pid, degree, via in self.partners(home_id, country, second_degree):
            j = sc.pos.get(pid)
            info = self.city_info(pid)
            if j is None:
                partners.append({**info, "score": None, "label": "no climate data", "delta": None, "window": [],
                                 "windows": [], "reasons": ["no climate data for this city"], "coverage": 0.0,
                                 "degree": degree, "via": via})
                continue
            s = float(sc.score[j, m - 1])
            runs = circular_runs(self.window_months(sc, home_id, pid, good, margin))
            partners.append({
                **info, "score": s, "label": str(sc.label[j, m - 1]),
                "delta": None if home_score is None or math.isnan(home_score) else round(s - home_score, 1),
                "window": [x for r in runs for x in r], "windows": runs,
                "reasons": self.reasons(sc, pid, home_id if i is not None else None, m),
                "coverage": float(sc.coverage[j, m - 1]), "degree": degree, "via": via,
            })
        partners.sort(key=lambda p: (p["score"] is None, -(p["score"] or 0), p["degree"], p["name"]))
        home_info = self.city_info(home_id)
        home_info["score"] = home_score
        home_info["label"] = str(sc.label[i, m - 1]) if i is not None else "no climate data"
        return {"home": home_info, "month": m, "index": INDICES[key].name, "basis": BASIS, "partners": partners}

    # ------------------------------------------------------------------ profile
    def profile(self, city: str, style: str = "urban", comfort_band=None) -> dict:
        """Twelve months of scores with components and coverage, and the season type."""
        cid = self.city(city)
        key = style_index(style)
        sc = self.scored(key, comfort_band)
        info = self.city_info(cid)
        i = sc.pos.get(cid)
        if i is None:
            return {"city": info, "index": INDICES[key].name, "basis": BASIS, "season_type": "unknown (no climate data)",
                    "months": []}
        rows = sc.frame.iloc[i * 12:(i + 1) * 12]
        comps = list(INDICES[key].weights)
        months = []
        for r in rows.itertuples(index=False):
            rd = r._asdict()
            months.append({
                "month": int(rd["month"]), "score": float(rd["score"]), "label": rd["label"],
                "raw_score": float(rd["raw_score"]), "gate": rd["utci_class"],
                "components": {c: (None if pd.isna(rd[f"r_{c}"]) else round(float(rd[f"r_{c}"]), 2)) for c in comps},
                "sources": {c: rd[f"src_{c}"] for c in comps},
                "coverage": float(rd["coverage"]),
            })
        lat = float(self.cities.at[cid, "lat"])
        return {"city": info, "index": INDICES[key].name, "basis": BASIS,
                "season_type": season_type(sc.score[i], lat, sc.prcp[i]), "months": months}


def partner_rows(rec: Recommender, res: dict, style: str = "urban", comfort_band=None, unit: str = "°C") -> list[dict]:
    """The ranked partners of a recommend() result as display rows (rank, city, score, class,
    difference from home, afternoon temperature, window, reasons, data-quality badge)."""
    sc = rec.scored(style, comfort_band)
    m = res["month"]
    rows = []
    for k, p in enumerate(res["partners"], 1):
        j = sc.pos.get(p["id"])
        via = ", ".join(rec.cities.at[v, "name"] for v in p["via"])
        rows.append({
            "rank": k, "city": p["name"] + (f" (via {via})" if via else ""), "country": p["country"],
            "score": p["score"], "class": p["label"], "vs home": p["delta"],
            "afternoon": temp(sc.tmax[j, m - 1], unit) if j is not None else "—",
            "travel window": months_text(p["windows"]), "why": "; ".join(p["reasons"]),
            "data": data_quality(sc, p["id"], m),
        })
    return rows


def data_quality(sc: ScoredAtlas, cid: str, month: int) -> str:
    """Short badge naming the score's components that rest on imputed or missing inputs."""
    j = sc.pos.get(cid)
    if j is None:
        return "no climate data"
    row = sc.frame.iloc[j * 12 + month - 1]
    notes = [f"{c[4:]} {row[c]}" for c in sc.frame.columns if c.startswith("src_") and row[c] in ("imputed", "missing")]
    return ("⚠ " + " · ".join(notes)) if notes else "✓ measured"


def headline(rec: Recommender, res: dict, style: str = "urban", comfort_band=None, unit: str = "°C",
             country: str | None = None) -> str:
    """One sentence answering the choice: the most comfortable partner and home, in words."""
    home, m = res["home"], res["month"]
    short = "TCI" if res["index"] == "TCI" else "HCI"
    where = f"of {home['name']}'s sister cities in {country_name(country)}" if country else f"of {home['name']}'s sister cities"
    ranked = [p for p in res["partners"] if p["score"] is not None]
    if not res["partners"]:
        return f"{home['name']} has no sister cities" + (f" in {country_name(country)}." if country else " in the registry.")
    if not ranked:
        return f"In {MONTH_NAMES[m - 1]}, none {where} has climate data yet."
    best = ranked[0]
    sc = rec.scored(style, comfort_band)
    j = sc.pos[best["id"]]
    desc = [f"{temp(sc.tmax[j, m - 1], unit)} afternoons"]
    p = sc.prcp[j, m - 1]
    if not np.isnan(p):
        desc.append("dry" if p < 20 else ("rainy" if p >= 100 else f"{p:.0f} mm of rain"))
    text = (f"In {MONTH_NAMES[m - 1]}, {where}, {best['name']} is the most comfortable: {', '.join(desc)} "
            f"({short} {best['score']:.0f}, {best['label']})")
    i = sc.pos.get(home["id"])
    if i is not None:
        text += f" — at home it is {temp(sc.tmax[i, m - 1], unit)} ({short} {home['score']:.0f}, {home['label']})."
        if best["score"] <= home["score"]:
            text += " Home is at least as comfortable this month."
    else:
        text += f" — {home['name']} itself has no climate data."
    return text


def country_name(code: str | None) -> str:
    """English country name for an ISO code (the code itself when unknown)."""
    if not code:
        return ""
    return country_tables()[1].get(code.upper(), code)


def country_code(text: str) -> str:
    """ISO 3166 alpha-2 code from a code or an English country name."""
    t = str(text).strip()
    if len(t) == 2 and t.isalpha():
        return t.upper()
    iso = country_tables()[0].get(normalize_name(t))
    if not iso:
        raise RecommenderError(f"Unknown country '{text}'; use an ISO code such as PK or CN, or an English name.")
    return iso


_default: tuple[tuple, Recommender] | None = None


def default_recommender() -> Recommender:
    """A Recommender over the current atlas, rebuilt only when the atlas files change."""
    global _default
    version = atlas_version()
    if _default is None or _default[0] != version:
        _default = (version, Recommender(load_atlas()))
    return _default[1]


def recommend(home: str, month, **kw) -> dict:
    """See Recommender.recommend."""
    return default_recommender().recommend(home, month, **kw)


def profile(city: str, **kw) -> dict:
    return default_recommender().profile(city, **kw)


def travel_windows(home: str, partner: str, **kw) -> list[list[int]]:
    return default_recommender().travel_windows(home, partner, **kw)


def exchange(a: str, b: str, **kw) -> dict:
    return default_recommender().exchange(a, b, **kw)
