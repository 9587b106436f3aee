"""The rules that turn scores into advice: the travel-window rule, runs of months, the season
type (Scott & McBoyle 2001), the exchange potential of a pair and the reasons a partner scores as
it does. Pure functions of score and climate arrays (°C, mm per month, h per day, %); each rule's
thresholds are declared here once and read by the words in `present/`.
"""

from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np

from .climate.daily import MONTH_START as MONTH_STARTS
from .climate.variables import PROVENANCE
from .results import Reason

GOOD = 60.0     # a window month: the partner is at least "good" …
MARGIN = 10.0   # … and at least this many points better than home

# Reason thresholds (the numbers a reason carries are in its `values`).
DRY_MM, WET_MM, RAINY_DAYS = 20.0, 100.0, 12.0      # mm per month, wet days per month
SUNNY_H, GREY_H = 8.0, 3.0                          # h of sunshine per day
HUMID_RH, HUMID_T = 60.0, 27.0                      # afternoon humidity %, afternoon °C
# UTCI classes a reason calls out (thermal stress on a typical afternoon).
STRESS_CLASSES = frozenset({"strong heat stress", "very strong heat stress", "extreme heat stress", "strong cold stress",
                            "very strong cold stress", "extreme cold stress", "moderate cold stress"})
# Reason codes and their priority (the strongest first on the page); `reasons` applies them.
REASON_PRIORITY = {"thermal_stress": 3.0, "temperature": 2.0, "escapes_home_stress": 1.8, "dry": 1.5, "rainy_days": 1.5,
                   "wet": 1.5, "humid": 1.2, "sunny": 1.0, "grey": 1.0}
REASON_LIMIT = 3
SHOWN_PROVENANCE = ("gridded", "imputed", "missing")   # the quality note names components resting on these


def circular_runs(months) -> list[list[int]]:
    """Group months (1–12) into runs of consecutive months, wrapping December → January."""
    ms = sorted({int(m) for m in months})
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


def in_window(partner_scores, home_scores, good: float = GOOD, margin: float = MARGIN) -> np.ndarray:
    """The travel-window rule, per month (broadcasts over (…, 12) score arrays): the partner scores
    ≥ good and ≥ margin more than home (where home has no score: ≥ good)."""
    p, h = np.asarray(partner_scores, dtype=float), np.asarray(home_scores, dtype=float)
    return (p >= good) & (np.isnan(h) | (p - h >= margin))


def window_runs(partner_scores, home_scores, good: float = GOOD, margin: float = MARGIN) -> list[list[int]]:
    """The travel windows from home to a partner (12 scores each) as runs of months."""
    return circular_runs(np.flatnonzero(in_window(partner_scores, home_scores, good, margin)) + 1)


def mask_runs(mask) -> list[list[int]]:
    """A 12-month boolean mask as runs of months."""
    return circular_runs(np.flatnonzero(np.asarray(mask, dtype=bool)) + 1)


def season_type(scores, lat: float, prcp) -> str:
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
    runs = mask_runs(s >= np.nanmax(s) - 10)
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


def complementarity(a_scores, b_scores) -> np.ndarray:
    """(1 − r) / 2 per pair, r the Pearson correlation of two (n, 12) score arrays; ½ where r is
    undefined (a flat curve), rounded to 3 decimals."""
    sa, sb = np.asarray(a_scores, dtype=float), np.asarray(b_scores, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        za = sa - sa.mean(axis=1, keepdims=True)
        zb = sb - sb.mean(axis=1, keepdims=True)
        r = (za * zb).sum(axis=1) / np.sqrt((za ** 2).sum(axis=1) * (zb ** 2).sum(axis=1))
    return np.round(np.where(np.isnan(r), 0.5, (1 - r) / 2), 3)


def exchange_order(two_way, na, nb, comp, a_ids, b_ids) -> np.ndarray:
    """The pairs' order, strongest exchange first: two-way, then the months covered by either
    window, the shorter window, complementarity, ids."""
    return np.lexsort((b_ids, a_ids, -comp, -np.minimum(na, nb), -(na + nb), ~np.asarray(two_way)))


def reasons(sc, j: int, i: int | None, month: int, limit: int = REASON_LIMIT) -> tuple[Reason, ...]:
    """The strongest reasons (codes with numbers) for row `j`'s score in `month` of a scored atlas
    (`sc`: climate as city × month arrays), against home row `i` (None: no home climate)."""
    m = month - 1
    out: list[Reason] = []

    def add(code: str, **values) -> None:
        out.append(Reason(code, REASON_PRIORITY[code], values))

    t = float(sc.tmax[j, m])
    cls = sc.utci_class[j, m]
    if cls in STRESS_CLASSES:
        add("thermal_stress", utci_class=str(cls), utci_c=float(sc.utci[j, m]))
    home_t = float(sc.tmax[i, m]) if i is not None and not np.isnan(sc.tmax[i, m]) else None
    add("temperature", tmax_c=t, home_tmax_c=home_t)
    p, w = float(sc.prcp[j, m]), float(sc.wet[j, m])
    if not np.isnan(p):
        if p < DRY_MM:
            add("dry", prcp_mm=p)
        elif not np.isnan(w) and w >= RAINY_DAYS:
            add("rainy_days", wet_days=w)
        elif p >= WET_MM:
            add("wet", prcp_mm=p)
    sun = float(sc.sun_per_day[j, m])
    if not np.isnan(sun):
        if sun >= SUNNY_H:
            add("sunny", sun_h_per_day=sun)
        elif sun < GREY_H:
            add("grey", sun_h_per_day=sun)
    rh = float(sc.rh_pm[j, m])
    if not np.isnan(rh) and rh >= HUMID_RH and t >= HUMID_T:
        add("humid", rh_pm_pct=rh)
    if i is not None and sc.utci_class[i, m] in STRESS_CLASSES and cls not in STRESS_CLASSES:
        add("escapes_home_stress", home_utci_class=str(sc.utci_class[i, m]))
    out.sort(key=lambda r: -r.priority)
    return tuple(out[:limit])


def quality(sc, j: int | None, month: int) -> tuple[tuple[str, str], ...]:
    """The score's components that rest on gridded, imputed or missing inputs: (component, provenance)."""
    if j is None:
        return ()
    codes = sc.src[j, month - 1]
    return tuple((c.key, PROVENANCE[k]) for c, k in zip(sc.index.components, codes) if PROVENANCE[k] in SHOWN_PROVENANCE)


# ------------------------------------------------------------------ windows in days (issue 18)
FORTNIGHT = 14   # days of the "best fortnight"


def day_runs(mask) -> list[tuple[int, int]]:
    """A (365,) boolean mask as runs of days (first, last day index 0–364, inclusive), wrapping
    31 December → 1 January; a run crossing the new year has first > last."""
    m = np.asarray(mask, dtype=bool)
    n = len(m)
    if m.all():
        return [(0, n - 1)]
    if not m.any():
        return []
    shift = int(np.flatnonzero(~m)[0])             # start the scan on a day outside every run
    r = np.roll(m, -shift).astype(np.int8)
    edges = np.diff(np.r_[0, r, 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    runs = [(int((a + shift) % n), int((b + shift) % n)) for a, b in zip(starts, ends)]
    return sorted(runs, key=lambda r: r[0] if r[0] <= r[1] else r[0] - n)


def runs_mask(runs, n: int = 365) -> np.ndarray:
    """The inverse of day_runs: runs of days (first, last; first > last across the new year) as
    an (n,) boolean mask."""
    m = np.zeros(n, dtype=bool)
    for a, b in runs:
        m[np.arange(a, b + 1 if a <= b else b + n + 1) % n] = True
    return m


def month_window_of_days(day_mask, month_of_day, month_lengths) -> np.ndarray:
    """The month summary of a day window: a month is in it when more than half of its days are
    (…, 365) → (…, 12)."""
    d = np.asarray(day_mask, dtype=bool)
    counts = np.stack([d[..., month_of_day == m].sum(axis=-1) for m in range(1, 13)], axis=-1)
    return counts * 2 > np.asarray(month_lengths)


def best_fortnight(partner_days, day_mask, length: int = FORTNIGHT) -> tuple[int, float] | None:
    """The `length` consecutive days (wrapping the new year) with the partner's highest mean daily
    score — among spans wholly inside the day window when the window holds one, else among all —
    as (first day index, mean score); None when the partner has no daily scores. Ties: the earliest."""
    p = np.asarray(partner_days, dtype=float)
    if np.isnan(p).all():
        return None
    n = len(p)
    idx = (np.arange(n)[:, None] + np.arange(length)[None, :]) % n
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # a span of days without any score: NaN
        mean = np.nanmean(p[idx], axis=1)
    inside = np.asarray(day_mask, dtype=bool)[idx].all(axis=1)
    cand = np.where(inside, mean, -np.inf) if inside.any() else mean
    start = int(np.nanargmax(cand))
    return start, float(mean[start])


def day_index(day) -> int:
    """A date's day of the climatological year (0 = 1 January … 364 = 31 December; 29 February
    counts as 28 February)."""
    start = MONTH_STARTS[day.month - 1]
    return int(start + min(day.day, 28 if day.month == 2 else 31) - 1)


def break_in_window(start, end, day_mask) -> bool:
    """A break (dates, inclusive) is in a day window when more than half of its days are."""
    n = (end - start).days + 1
    days = [day_index(start + _dt.timedelta(k)) for k in range(n)]
    return bool(np.asarray(day_mask, dtype=bool)[days].sum() * 2 > n)
