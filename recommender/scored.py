"""The atlas scored once per (index, comfort band) and kept as city × month arrays, so a
recommendation is a few array look-ups (well under 5 ms). Units as in the atlas: °C, mm per
month, %, h of sunshine per day (`sun_per_day`), UTCI °C.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .climate import confidence as grading
from .climate import daily as dailyclim
from .climate.calendar import days_in_month
from .climate.variables import PROVENANCE, VARIABLES, src_column
from .comfort.indices import ComfortIndex, index_for, styles
from .comfort.score import INPUT_COLUMNS, provenance_codes, score_arrays, score_atlas
from .errors import RecommenderError, shown
from .flags import FlagArrays, masks as flag_masks, places
from .results import Confidence

GRADES = grading.GRADES
REASON_CODES = tuple(grading.REASONS)


def index_for_style(style: str) -> ComfortIndex:
    """The index of a trip style (or index key); RecommenderError naming the choices if unknown."""
    try:
        return index_for(style)
    except ValueError:
        choices = ", ".join(f"{s} ({i.name})" for s, i in styles().items())
        raise RecommenderError(f"Unknown trip style {shown(style)}; choose {choices}.") from None


def comfort_band(band) -> tuple[float, float] | None:
    """A comfort band (°C) as two floats, low below high; None for the published index."""
    if band is None:
        return None
    lo, hi = float(band[0]), float(band[1])
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise RecommenderError(f"Comfort band {lo:g}–{hi:g} °C: the low end must be below the high end.")
    return lo, hi


_DAILY_LOCK = threading.RLock()      # daily scores are filled lazily, per row, by whichever thread asks first


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
    flags: FlagArrays | None = None          # what the index does not rate (flags.FLAGS), city × month
    _daily: np.ndarray | None = None         # (n, 365) daily scores, filled on first use per row
    _daily_done: np.ndarray | None = None
    _inputs: dict | None = None

    def monthly(self, rows=None) -> dict[str, np.ndarray]:
        """The index engine's inputs (comfort.score.INPUT_COLUMNS) of `rows` (default all) as
        (len(rows), 12) arrays, their provenance codes beside (`<col>_src`)."""
        if self._inputs is None:
            n = len(self.ids)
            inputs = {}
            for col in INPUT_COLUMNS:
                inputs[col] = self.frame[col].to_numpy(dtype=float).reshape(n, 12)
                inputs[f"{col}_src"] = provenance_codes(self.frame.get(src_column(col)), n * 12).reshape(n, 12)
            self._inputs = inputs
        return self._inputs if rows is None else {c: v[rows] for c, v in self._inputs.items()}

    def daily_normals(self, rows) -> dict[str, np.ndarray]:
        """The daily climatology of `rows` (climate.daily): {variable: (len(rows), 365)} in atlas units."""
        m = self.monthly(rows)
        return dailyclim.daily_normals({c: m[c] for c in INPUT_COLUMNS})

    def daily(self, rows=None) -> np.ndarray:
        """Daily scores (len(rows), 365) of `rows` (default: every city), from the daily climatology
        through the same index engine (comfort.score.score_arrays): each day is rated as a month
        with that day's normals; provenance is the day's month's. Kept once computed."""
        with _DAILY_LOCK:              # the API's threads share one atlas: one fills a row, the others wait
            return self._daily_rows(rows)

    def _daily_rows(self, rows) -> np.ndarray:
        n = len(self.ids)
        if self._daily is None:
            # rows are read only once computed (_daily_done): no need to fill (and touch) 16k × 365 floats first
            self._daily, self._daily_done = np.empty((n, dailyclim.DAYS)), np.zeros(n, dtype=bool)
        rows = np.arange(n) if rows is None else np.asarray(rows, dtype=int)
        missing = ~self._daily_done[rows]
        if missing.any():                      # (np.unique only when something is left to score)
            todo = np.unique(rows[missing])
            self._daily[todo] = self._score_days(todo)
            self._daily_done[todo] = True
        return self._daily[rows]

    def _score_days(self, rows: np.ndarray) -> np.ndarray:
        """Daily scores (len(rows), 365) of some rows, computed (daily())."""
        m = self.monthly(rows)
        days = dailyclim.daily_normals({c: m[c] for c in INPUT_COLUMNS})
        x = {"month": np.tile(dailyclim.DAY_MONTH, len(rows))}
        for col in INPUT_COLUMNS:
            x[col] = days[col].ravel()
            x[f"{col}_src"] = m[f"{col}_src"][:, dailyclim.DAY_MONTH - 1].ravel()
        return score_arrays(x, self.index, self.band, keep=("score",))["score"].reshape(len(rows), dailyclim.DAYS)

    def daily_of(self, j: int | None) -> np.ndarray:
        """Row `j`'s 365 daily scores; NaN for a city without climate data (None)."""
        if j is None:
            return np.full(dailyclim.DAYS, np.nan)
        with _DAILY_LOCK:
            if self._daily_done is None or not self._daily_done[j]:
                self._daily_rows([j])
            return self._daily[j].copy()

    def flag_codes(self, j: int | None, month: int) -> tuple[str, ...]:
        """The flags of row `j`'s month (flags.FLAG_CODES; () without climate data)."""
        return () if self.flags is None else self.flags.codes(j, month)

    def flag_values(self, j: int | None, month: int) -> dict:
        """The numbers and regions behind those flags (°C, m, region codes)."""
        return {} if self.flags is None else self.flags.values(j, month)

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

    def scores_of(self, j: int | None) -> np.ndarray:
        """Row `j`'s 12 scores; NaN for a city without climate data (None)."""
        return self.score[j] if j is not None else np.full(12, np.nan)


def confidence_codes(atlas: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Grade and reason codes (into GRADES, REASON_CODES) of every atlas row, from the atlas's
    `confidence` columns or, for a frame without them, graded here."""
    if "confidence" not in atlas or "confidence_reason" not in atlas:
        atlas = grading.grade(atlas)
    grade = pd.Categorical(atlas["confidence"], categories=list(GRADES)).codes
    reason = pd.Categorical(atlas["confidence_reason"], categories=list(REASON_CODES)).codes
    unknown = (grade < 0) | (reason < 0)
    return np.where(unknown, -1, grade), np.where(unknown, -1, reason)


def score(atlas: pd.DataFrame, index: ComfortIndex, band: tuple[float, float] | None) -> ScoredAtlas:
    """Score the atlas with an index and band and lay the result out as city × month arrays."""
    a = atlas.sort_values(["city_id", "month"])
    s = score_atlas(a, index, band)
    frame = pd.concat([s, a[[*VARIABLES, *(src_column(v) for v in VARIABLES), "data_source", "period"]]], axis=1)
    ids = list(dict.fromkeys(a["city_id"]))
    n = len(ids)

    def grid(col):
        return frame[col].to_numpy().reshape(n, 12)

    def num(col):
        return grid(col).astype(float)

    grade, reason = confidence_codes(a)
    first = a.iloc[::12]

    def place(col, fill):
        return first[col].to_numpy() if col in first else np.full(n, fill)

    flags = flag_masks(num("tmin_c"), num("tmax_c"), num("utci_c"),
                       places(place("lat", np.nan), place("lon", np.nan), place("country", ""),
                              place("elevation_m", np.nan), place("elevation_src", "unknown")))
    return ScoredAtlas(
        index=index, band=band, ids=ids, pos={c: i for i, c in enumerate(ids)}, frame=frame,
        score=num("score"), label=grid("label"), coverage=num("coverage"), tmax=num("tmax_c"),
        tmin=num("tmin_c"), prcp=num("prcp_mm"), rhum=num("rhum_pct"), wet=num("wet_days"),
        sun_per_day=num("sun_hours") / days_in_month(np.arange(1, 13)), rh_pm=num("rh_afternoon_pct"),
        utci_class=grid("utci_class"), utci=num("utci_c"),
        src=np.stack([frame[f"src_{c.key}"].cat.codes.to_numpy().reshape(n, 12) for c in index.components], axis=-1),
        grade=grade.reshape(n, 12), grade_reason=reason.reshape(n, 12), flags=flags,
    )


def origins(atlas: pd.DataFrame) -> dict[str, str]:
    """Where each city's climate comes from: "station" (Meteostat or a station table), "gridded"
    (some value from the gridded climatologies) or "imputed" (some value from a model)."""
    n = len(atlas)
    codes = np.stack([provenance_codes(atlas.get(src_column(v)), n) for v in VARIABLES], axis=1)
    ids = atlas["city_id"].to_numpy()
    imputed = pd.Series((codes == PROVENANCE.index("imputed")).any(axis=1)).groupby(ids).any()
    grid = pd.Series((codes == PROVENANCE.index("gridded")).any(axis=1)).groupby(ids).any()
    kind = np.where(imputed.to_numpy(), "imputed", np.where(grid.reindex(imputed.index).to_numpy(), "gridded", "station"))
    return dict(zip(imputed.index, kind.tolist()))


class ScoreCache:
    """One atlas's ScoredAtlas per (index, comfort band), scored on first use."""

    def __init__(self, atlas: pd.DataFrame):
        self.atlas = atlas
        self._scored: dict[tuple, ScoredAtlas] = {}
        self._origins: dict[str, str] | None = None

    def get(self, style: str | ComfortIndex = "urban", band=None) -> ScoredAtlas:
        index = style if isinstance(style, ComfortIndex) else index_for_style(style)
        band = comfort_band(band)
        key = (index.key, band)
        if key not in self._scored or self._scored[key].index is not index:
            self._scored[key] = score(self.atlas, index, band)
        return self._scored[key]

    def origin(self, cid: str) -> str:
        """origins() of one city; "none" without climate data."""
        if self._origins is None:
            self._origins = origins(self.atlas)
        return self._origins.get(cid, "none")
