"""The typed results: what `recommend`, `year`, `profile`, `exchange`, `pair_ranking` and
`month_detail` return, and the only thing `present/` (words, charts, exports, JSON documents)
and the CLI ever receive.

Results hold codes and numbers only — temperatures °C, precipitation mm per month, humidity %,
sunshine h per day — and carry their index, comfort band and month. No sentence is built here.
Months are 1–12; a run of months (`windows`) is a list of consecutive months that may wrap from
December to January ([[11, 12, 1, 2, 3]]).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .comfort.indices import ComfortIndex


@dataclass(frozen=True)
class CityRef:
    """A registry city: id, name, ISO 3166 country code, coordinates (°) and its native names
    as (language code, name) pairs in the order the languages are declared."""

    id: str
    name: str
    country: str
    names: tuple[tuple[str, str], ...] = ()
    lat: float | None = field(default=None, compare=False)
    lon: float | None = field(default=None, compare=False)

    def native(self, lang: str) -> str:
        """The city's name in a language ("" where the registry knows none)."""
        return dict(self.names).get(lang, "")


@dataclass(frozen=True)
class Confidence:
    """How far a city-month's climate can be trusted: grade ("high" | "medium" | "low") and the
    reason code (climate.confidence.REASONS)."""

    grade: str
    reason: str


@dataclass(frozen=True)
class Reason:
    """Why a partner scores as it does: a code, its priority and the numbers behind it."""

    code: str          # rules.REASON_RULES: thermal_stress, temperature, dry, rainy_days, wet, sunny, grey, humid, …
    priority: float
    values: dict = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True)
class PartnerResult:
    """One sister city in a recommendation (score None: no climate data, or not enough for a thermal
    rating — then label is comfort.tables.NO_SCORE, "not enough data"; never ranked)."""

    city: CityRef
    degree: int
    via: tuple[CityRef, ...]
    score: float | None
    label: str | None           # score class code (comfort.tables.LABEL_ORDER or NO_SCORE); None: no data
    delta: float | None         # points above home
    windows: list[list[int]]    # runs of travel-window months
    reasons: tuple[Reason, ...]
    coverage: float
    tmax_c: float | None        # the month's mean daily high
    prcp_mm: float | None
    quality: tuple[tuple[str, str], ...]   # (component, "gridded" | "imputed" | "missing")
    confidence: Confidence | None = None   # the partner's month; None: no climate data
    flags: tuple[str, ...] = ()            # what the index does not rate (flags.FLAG_CODES), the month's
    flag_values: dict = field(default_factory=dict, hash=False, compare=False)   # flag code → its number (°C, m) or regions
    window_days: tuple["DaySpan", ...] = ()  # the travel window by day (rules.day_runs on the daily scores)

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
    home_flags: tuple[str, ...] = ()             # home's month (flags.FLAG_CODES)
    home_flag_values: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def ranked(self) -> list[PartnerResult]:
        return [p for p in self.partners if p.score is not None]


@dataclass(frozen=True)
class ClimateYear:
    """A city's twelve monthly normals as the charts show them: afternoon high and night low
    (°C), precipitation (mm per month), relative humidity (%), sunshine (h per day)."""

    tmax_c: tuple[float, ...]
    tmin_c: tuple[float, ...]
    prcp_mm: tuple[float, ...]
    rhum_pct: tuple[float, ...]
    sun_h_per_day: tuple[float, ...]


@dataclass(frozen=True)
class CityYear:
    """One city over the year under one index: 12 scores, score classes, confidence grades,
    reasons and quality notes (month k at position k − 1), the climate behind them and, for a
    partner, the travel windows from home. `scores` is empty when the city has no climate data; a
    month whose thermal comfort cannot be rated has score NaN and label comfort.tables.NO_SCORE."""

    city: CityRef
    degree: int                                   # 0: home; 1: sister city; 2: sister of a sister; 3: not linked
    via: tuple[CityRef, ...]
    scores: tuple[float, ...]
    labels: tuple[str, ...]
    confidence: tuple[Confidence | None, ...]
    coverage: tuple[float, ...]
    reasons: tuple[tuple[Reason, ...], ...]
    quality: tuple[tuple[tuple[str, str], ...], ...]
    climate: ClimateYear | None
    windows: list[list[int]] = field(default_factory=list)   # from home to this city
    flags: tuple[tuple[str, ...], ...] = ()       # per month: what the index does not rate (flags.FLAG_CODES)
    flag_values: tuple[dict, ...] = field(default=(), hash=False, compare=False)   # per month: code → number or regions
    window_days: tuple["DaySpan", ...] = ()       # from home to this city, by day (rules.day_runs)
    fortnight: "DaySpan | None" = None            # the best 14 days from home (rules.best_fortnight)

    @property
    def has_climate(self) -> bool:
        return bool(self.scores)

    @property
    def window(self) -> list[int]:
        return [m for r in self.windows for m in r]


@dataclass(frozen=True)
class HomeYear:
    """A home city and its sister cities over the whole year, under one index and band: what
    the charts, the exports and the calendar are drawn from."""

    home: CityYear
    partners: tuple[CityYear, ...]
    index: ComfortIndex
    band: tuple[float, float] | None
    country: str | None
    second_degree: bool
    good: float
    margin: float

    @property
    def with_climate(self) -> list[CityYear]:
        return [p for p in self.partners if p.has_climate]

    def ranked(self, month: int) -> list[CityYear]:
        """The partners with a score in `month` (1–12), best first, then by degree and name: the
        order of Recommendation.partners (a month without a score is never ranked)."""
        scored = [p for p in self.with_climate if p.scores[month - 1] == p.scores[month - 1]]   # NaN ≠ NaN
        return sorted(scored, key=lambda p: (-p.scores[month - 1], p.degree, p.city.name))

    def partner(self, city_id: str) -> CityYear:
        for p in self.partners:
            if p.city.id == city_id:
                return p
        raise KeyError(city_id)


@dataclass(frozen=True)
class MonthScore:
    month: int
    score: float | None         # None: not enough data for a thermal rating (label comfort.tables.NO_SCORE)
    label: str
    raw_score: float | None
    gate: str                   # UTCI class of the typical afternoon
    components: dict            # component → rating (None: missing)
    sources: dict               # component → provenance
    coverage: float
    confidence: Confidence | None = None
    flags: tuple[str, ...] = ()                 # what the index does not rate (flags.FLAG_CODES)
    flag_values: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Profile:
    """Twelve months of one city under one index; season_type None when it has no climate data."""

    city: CityRef
    index: ComfortIndex
    band: tuple[float, float] | None
    season_type: str | None
    months: tuple[MonthScore, ...]
    days: dict | None = None      # --daily: the daily climatology {variable: (365,) atlas units} and "score"


@dataclass(frozen=True)
class Plan:
    """A home city's sister cities ranked for a span of dates (inclusive): each score is the mean
    of the city's daily scores (climate.daily) over those days; `month` the month most of the days
    fall in (the partners' reasons, flags and confidence are that month's)."""

    recommendation: Recommendation
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class DaySpan:
    """A run of days of the climatological year (climate.daily: 365 days, index 0 = 1 January),
    inclusive; `start > end` when it crosses the new year. `score`: the partner's mean daily score
    over it where it is a best fortnight."""

    start: int
    end: int
    score: float | None = None


@dataclass(frozen=True)
class BreakFit:
    """A holiday break of a city's country (breaks.Break) and whether it falls in that city's
    people's day window (more than half of its days in it)."""

    direction: str          # "a_to_b": a break of A's country, A's people travelling; "b_to_a"
    country: str
    name: str
    start: dt.date
    end: dt.date
    in_window: bool
    estimated: bool


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
    a_to_b_days: tuple[DaySpan, ...] = ()          # the same rule by day (rules.day_runs)
    b_to_a_days: tuple[DaySpan, ...] = ()
    fortnight_a_to_b: DaySpan | None = None         # rules.best_fortnight
    fortnight_b_to_a: DaySpan | None = None
    breaks: tuple[BreakFit, ...] = ()               # both countries' holiday breaks in `period`
    period: tuple[dt.date, dt.date] | None = None
    a_daily: tuple[float, ...] = field(default=(), compare=False, repr=False)   # A's 365 daily scores (NaN: none)
    b_daily: tuple[float, ...] = field(default=(), compare=False, repr=False)

    def way(self, direction: str) -> "Way":
        """One direction ("a_to_b": A's people visiting B, or "b_to_a") as a Way."""
        if direction == "a_to_b":
            return Way(direction, self.a, self.b, self.a_to_b, self.a_to_b_days, self.fortnight_a_to_b,
                       tuple(x for x in self.breaks if x.direction == direction), self.a_daily, self.b_daily)
        if direction == "b_to_a":
            return Way(direction, self.b, self.a, self.b_to_a, self.b_to_a_days, self.fortnight_b_to_a,
                       tuple(x for x in self.breaks if x.direction == direction), self.b_daily, self.a_daily)
        raise KeyError(direction)


@dataclass(frozen=True)
class Way:
    """One direction of an Exchange: the travellers' home city, the city they visit, the window by
    month and by day, the best fortnight, the home country's breaks, and both cities' daily scores."""

    direction: str
    home: CityRef
    destination: CityRef
    months: list[list[int]]
    days: tuple[DaySpan, ...]
    fortnight: DaySpan | None
    breaks: tuple[BreakFit, ...]
    home_daily: tuple[float, ...]
    destination_daily: tuple[float, ...]


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
class PairRanking:
    """Sister-city pairs with climate at both ends ranked by exchange potential: `total` pairs
    matched the filters; `pairs` holds the first `limit` of them in `sort` order."""

    index: ComfortIndex
    band: tuple[float, float] | None
    sort: str                   # "exchange" | "complementarity" | "name"
    country: str | None         # the filters as given
    city: str | None
    total: int
    pairs: tuple[PairExchange, ...]


@dataclass(frozen=True)
class MonthDetail:
    """Everything behind one city-month's score (the method panel)."""

    city: CityRef
    month: int
    index: ComfortIndex
    band: tuple[float, float] | None
    score: float | None         # None: not enough data for a thermal rating (label comfort.tables.NO_SCORE)
    label: str
    raw_score: float | None
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
    flags: tuple[str, ...] = ()                 # what the index does not rate (flags.FLAG_CODES)
    flag_values: dict = field(default_factory=dict, hash=False, compare=False)
