"""The comfort indices, each declared once: components, weights, inputs, rating functions,
display name, trip style and citation. The scoring engine (score.py), the CLI's `--style`
choices, the dashboard's trip-style options, the method text and the headline all read this
registry; adding an index is one `register(ComfortIndex(...))`.

A rating function takes the month's `Conditions` (the atlas variables of a chunk of rows plus
derived quantities computed on demand, see CONDITIONS) and returns one rating per row, NaN
where its inputs are missing.

References:
[1] Scott, Rutty, Amelung & Tang (2016), Atmosphere 7(6):80 — HCI:Urban and HCI:Beach.
[2] Mieczkowski (1985), Canadian Geographer 29(3):220–233 — TCI.
[3] Rutty & Scott (2013), Differential climate preferences of international beach tourists,
    Climate Research 57:259–269 — beach tourists' ideal and unacceptable temperatures are stated
    as air temperatures (°C), the scale of HCI:Beach's thermal table.
[4] Rutty & Scott (2015), Bioclimatic comfort and the thermal perceptions and preferences of beach
    tourists, Int. J. Biometeorol. 59:37–45 — on Caribbean beaches UTCI 32–39 °C ("strong" to
    "very strong heat stress") was felt "slightly warm" or "warm": beach tourists accept the
    "strong heat stress" class, hence the beach index's later heat onset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..climate.calendar import days_in_month
from . import tables as T
from .physics import (afternoon_humidity, effective_temperature, saturation_vapour_pressure_hpa,
                      vapour_pressure_or_estimate_hpa)


def personal_temperature(et, optimum: tuple[float, float], band: tuple[float, float] | None) -> np.ndarray:
    """Map effective temperature (°C) so that the person's band (°C) lands on the index's
    optimal class (°C).

    Inside the band: a linear map onto the optimal class; below or above it: shifted by the
    same distance from the band's edge. band=None returns et unchanged.
    """
    et = np.asarray(et, dtype=float)
    if band is None:
        return et
    lo, hi = float(band[0]), float(band[1])
    if not lo < hi:
        raise ValueError(f"comfort band must be (low, high) with low < high, got {band}")
    o_lo, o_hi = optimum
    # Land strictly inside the optimal class so rounding to whole degrees keeps it there.
    inner_lo, inner_hi = o_lo + 0.01, o_hi - 0.01
    inside = inner_lo + (et - lo) * (inner_hi - inner_lo) / (hi - lo)
    return np.where(et < lo, et - lo + inner_lo, np.where(et > hi, et - hi + inner_hi, inside))


class Conditions(dict):
    """The inputs of one chunk of city-months: atlas columns (°C, mm, days, %, h, km/h) and the
    month, plus derived quantities computed once, on first use (see CONDITIONS)."""

    def __init__(self, arrays: dict[str, np.ndarray], optimum: tuple[float, float], band):
        super().__init__(arrays)
        self.optimum, self.band = optimum, band

    def __missing__(self, key):
        if key not in CONDITIONS:
            raise KeyError(key)
        value = self[key] = CONDITIONS[key](self)
        return value

    def over_days(self, rating, felt: Callable = effective_temperature) -> np.ndarray:
        """The expected rating of the month's afternoons: `rating(personal felt temperature)`
        averaged over daily maxima drawn from N(tmax, σ²), σ = DAILY_SPREAD × (tmax − tmin)
        clipped to [SPREAD_MIN_C, SPREAD_MAX_C] (5-point Gauss–Hermite quadrature; each day keeps
        the month's vapour pressure). `felt(t °C, afternoon RH %)` is the temperature the index's
        table reads: Missenard's effective temperature (default) or `air_temperature`."""
        sigma = np.clip(DAILY_SPREAD * (self["tmax_c"] - self["tmin_c"]), SPREAD_MIN_C, SPREAD_MAX_C)
        sigma = np.where(np.isnan(sigma), SPREAD_MIN_C, sigma)
        total = 0.0
        for x, w in zip(GH_NODES, GH_WEIGHTS):
            t = self["tmax_c"] + sigma * x
            et = felt(t, afternoon_humidity(t, self["e_hpa"]))
            total = total + w * rating(personal_temperature(et, self.optimum, self.band))
        return total


def air_temperature(t_c, rh_pct) -> np.ndarray:
    """The afternoon's air temperature (°C) itself, where the vapour pressure is known (NaN where
    not): the beach thermal table's input [3], with no dry-air discount — Missenard's
    ET = T − 0.4·(T − 10)·(1 − RH/100) counts 42 °C at 20 % as 31.8 °C, far outside the comfort
    range the formula was made for; humid heat is the UTCI penalty's part (score.stress_factor)."""
    t = np.asarray(t_c, dtype=float)
    return np.where(np.isnan(np.asarray(rh_pct, dtype=float)), np.nan, t)


# Day-to-day spread of the afternoon maximum within a month, as a share of the mean diurnal range:
# an approximation (interdiurnal standard deviations of daily maxima are typically 2–4 °C, larger
# where the diurnal range is large), stated in the method text.
DAILY_SPREAD = 0.25
SPREAD_MIN_C, SPREAD_MAX_C = 1.5, 4.0
# Measured on the embedded atlas and quoted by the method text (not recorded by the build): rating
# the mean afternoon instead of the days overstates near-optimum scores by a median
# MEAN_AFTERNOON_BIAS and at most MEAN_AFTERNOON_BIAS_MAX HCI points.
MEAN_AFTERNOON_BIAS, MEAN_AFTERNOON_BIAS_MAX = 1.1, 3.9
# Probabilists' Gauss–Hermite nodes and weights (5 points): E[f(X)], X ~ N(0, 1).
GH_NODES = np.array([-2.8569700138728, -1.3556261799742, 0.0, 1.3556261799742, 2.8569700138728])
GH_WEIGHTS = np.array([0.0112574113277, 0.2220759220056, 0.5333333333333, 0.2220759220056, 0.0112574113277])

# Derived conditions: name → function of the conditions. Units in the names.
CONDITIONS: dict[str, Callable[[Conditions], np.ndarray]] = {
    "days": lambda c: days_in_month(c["month"]),
    # the month's vapour pressure (hPa): from its humidity, or estimated from its night minimum
    # (physics.dew_point_estimate) where humidity is missing — then `rhum_estimated` is True
    "_vapour": lambda c: vapour_pressure_or_estimate_hpa(c["tmean_c"], c["rhum_pct"], c["tmin_c"], c["prcp_mm"]),
    "e_hpa": lambda c: c["_vapour"][0],
    "rhum_estimated": lambda c: c["_vapour"][1],
    # the month's mean humidity (%): observed, or the estimated vapour pressure at its mean temperature
    "rhum_or_estimate_pct": lambda c: np.where(
        c["rhum_estimated"], np.clip(100.0 * c["e_hpa"] / saturation_vapour_pressure_hpa(c["tmean_c"]), 0.0, 100.0),
        c["rhum_pct"]),
    "rh_pm_pct": lambda c: afternoon_humidity(c["tmax_c"], c["e_hpa"]),
    "et_pm_c": lambda c: effective_temperature(c["tmax_c"], c["rh_pm_pct"]),
    "et_daily_personal_c": lambda c: personal_temperature(effective_temperature(c["tmean_c"], c["rhum_or_estimate_pct"]),
                                                          c.optimum, c.band),
    "sun_h_per_day": lambda c: c["sun_hours"] / c["days"],
}


@dataclass(frozen=True)
class Component:
    """One weighted component: its inputs (atlas variables, for provenance and coverage) and
    its rating function. A `thermal` component is never left out: a month where it cannot be
    rated gets no score (score.score_core)."""

    key: str
    weight: float
    inputs: tuple[str, ...]
    rate: Callable[[Conditions], np.ndarray]
    thermal: bool = False


@dataclass(frozen=True)
class ComfortIndex:
    """A tourism-climate index: components on a 0…top rating scale, rescaled to 0–100."""

    key: str                     # "hci_urban"
    style: str                   # trip-style code used by the CLI, the URL and the API: "urban"
    name: str                    # "HCI:Urban"
    short: str                   # name in a headline: "HCI"
    trip_style: str              # what a person picks: "City sightseeing"
    components: tuple[Component, ...]
    top: float                   # best rating of a component
    optimum: tuple[float, float]  # optimal class of effective temperature (°C), for comfort bands
    citation: str
    utci_gate: bool = True       # lowered in UTCI heat or cold stress (score.stress_factor)
    # the UTCI stress class (tables.UTCI_CLASSES) where the heat penalty starts (score.stress_factor)
    heat_onset_class: str = "moderate heat stress"

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: c.weight for c in self.components}

    def __reduce__(self):
        """Pickled by key: unpickling gives the registered index itself (its rating functions are
        code, not data). An index that is not registered cannot be pickled."""
        if INDICES.get(self.key) is not self:
            raise TypeError(f"the index '{self.key}' is not registered; only registered indices pickle")
        return (index_for, (self.key,))

    @property
    def heat_onset_utci(self) -> float:
        """UTCI (°C) above which the heat penalty starts: where `heat_onset_class` starts (26 °C for
        "moderate heat stress", 32 °C for "strong heat stress")."""
        return T.utci_class_start(self.heat_onset_class)


INDICES: dict[str, ComfortIndex] = {}


def register(index: ComfortIndex) -> ComfortIndex:
    """Add an index to the registry (its key and style must be new); returns it."""
    if index.key in INDICES or any(i.style == index.style for i in INDICES.values()):
        raise ValueError(f"an index with key '{index.key}' or style '{index.style}' is already registered")
    INDICES[index.key] = index
    return index


def unregister(key: str) -> None:
    """Remove an index (tests register toy indices)."""
    INDICES.pop(key, None)


def styles() -> dict[str, ComfortIndex]:
    """Trip-style code → index, in registration order."""
    return {i.style: i for i in INDICES.values()}


def index_for(name: str) -> ComfortIndex:
    """The index for a trip style ('urban') or an index key ('hci_urban'); ValueError if unknown."""
    text = str(name).lower()
    hit = styles().get(text) or INDICES.get(text)
    if hit is None:
        raise ValueError(f"unknown index '{name}'; choose one of {', '.join([*styles(), *INDICES])}")
    return hit


def expected_precip_rating(prcp_mm, wet_days, month, ratings) -> np.ndarray:
    """Expected HCI precipitation rating over the days of the month: a fraction wet_days/days
    of the days has the month's mean wet-day amount (prcp / wet_days, mm), the rest are dry;
    without a wet-day count the whole month is rated on its mean daily amount."""
    days = days_in_month(month)
    prcp = np.asarray(prcp_mm, dtype=float)
    wet = np.asarray(wet_days, dtype=float)
    has_wet = ~np.isnan(wet) & (wet > 0)
    p_wet = np.where(has_wet, np.clip(wet / days, 0, 1), 0.0)
    with np.errstate(over="ignore"):  # a tiny wet-day count gives a huge (harmless) intensity
        intensity = np.where(has_wet, prcp / np.where(has_wet, wet, 1.0), prcp / days)
    wet_rating = T.rate(intensity, T.HCI_PRCP_EDGES, ratings)
    expected = np.where(has_wet, p_wet * wet_rating + (1 - p_wet) * ratings[0], wet_rating)
    return np.where(np.isnan(prcp), np.nan, expected)


THERMAL_INPUTS = ("tmax_c", "tmean_c", "rhum_pct")
WET_MONTH_MM = 50.0   # the precipitation rating can be at most 10 − (month's mm) / WET_MONTH_MM
# Measured on the embedded atlas and quoted by the method text (not recorded by the build): the
# ceiling lowers CEILING_SHARE of city-months, by a median CEILING_MEDIAN points.
CEILING_SHARE, CEILING_MEDIAN = 0.31, 0.7


def monthly_amount_ceiling(prcp_mm) -> np.ndarray:
    """The most a month's precipitation may rate (0–10) given its total (mm): however its rain
    is spread over the days, a 400 mm month rates at most 2 ("poor"), a 100 mm month 8."""
    return np.clip(10.0 - np.asarray(prcp_mm, dtype=float) / WET_MONTH_MM, 0.0, 10.0)


def _hci(key, style, name, trip_style, weights, tc, cloud, prcp_ratings, optimum,
         heat_onset_class="moderate heat stress", felt=effective_temperature,
         citation="Scott, Rutty, Amelung & Tang 2016, Atmosphere 7(6):80") -> ComfortIndex:
    w_tc, w_ae, w_pr, w_wi = weights
    return ComfortIndex(
        key=key, style=style, name=name, short="HCI", trip_style=trip_style, top=10.0, optimum=optimum,
        heat_onset_class=heat_onset_class,
        # both versions, their weights and rating tables (tables.py) are those of Scott et al. 2016
        citation=citation,
        components=(
            Component("thermal", w_tc, THERMAL_INPUTS,
                      lambda c: c.over_days(lambda et: T.rate(T.whole(et), *tc), felt), thermal=True),
            Component("aesthetic", w_ae, ("cloud_pct",), lambda c: T.rate(T.whole(c["cloud_pct"]), *cloud)),
            Component("precipitation", w_pr, ("prcp_mm",),
                      lambda c: np.minimum(expected_precip_rating(c["prcp_mm"], c["wet_days"], c["month"], prcp_ratings),
                                           monthly_amount_ceiling(c["prcp_mm"]))),
            Component("wind", w_wi, ("wind_kmh",),
                      lambda c: T.rate(T.whole(c["wind_kmh"]), T.HCI_WIND_EDGES, T.HCI_WIND_RATINGS)),
        ))


register(_hci("hci_urban", "urban", "HCI:Urban", "City sightseeing", (4, 2, 3, 1),
              (T.HCI_URBAN_TC_EDGES, T.HCI_URBAN_TC_RATINGS), (T.HCI_URBAN_CLOUD_EDGES, T.HCI_URBAN_CLOUD_RATINGS),
              T.HCI_URBAN_PRCP_RATINGS, (22.5, 25.5)))
# HCI:Beach: its thermal table read on the afternoon's air temperature [3] (not Missenard's ET,
# whose dry-air discount rated 42 °C afternoons at 20 % humidity "very good"), humid heat left to
# the UTCI penalty, which starts with "strong heat stress" (32 °C), the class beach tourists
# still accept [4], and not with "moderate" as for sightseeing.
register(_hci("hci_beach", "beach", "HCI:Beach", "Beach", (2, 4, 3, 1),
              (T.HCI_BEACH_TC_EDGES, T.HCI_BEACH_TC_RATINGS), (T.HCI_BEACH_CLOUD_EDGES, T.HCI_BEACH_CLOUD_RATINGS),
              T.HCI_BEACH_PRCP_RATINGS, (27.5, 30.5), heat_onset_class="strong heat stress", felt=air_temperature,
              citation="Scott, Rutty, Amelung & Tang 2016, Atmosphere 7(6):80; thermal table on the afternoon air "
                       "temperature after Rutty & Scott 2013, Climate Research 57:259–269"))
register(ComfortIndex(
    key="tci", style="tci", name="TCI", short="TCI", trip_style="General touring", top=5.0, optimum=(20.0, 26.0),
    citation="Mieczkowski 1985, Canadian Geographer 29(3):220–233; effective temperature after Missenard, not "
             "Mieczkowski's chart",
    components=(
        Component("daytime_comfort", 8, THERMAL_INPUTS,
                  lambda c: c.over_days(lambda et: T.rate(et, T.TCI_TC_EDGES, T.TCI_TC_RATINGS)), thermal=True),
        Component("daily_comfort", 2, ("tmean_c", "rhum_pct"),
                  lambda c: T.rate(c["et_daily_personal_c"], T.TCI_TC_EDGES, T.TCI_TC_RATINGS), thermal=True),
        Component("precipitation", 4, ("prcp_mm",), lambda c: T.rate(c["prcp_mm"], T.TCI_PRCP_EDGES, T.TCI_PRCP_RATINGS)),
        Component("sunshine", 4, ("sun_hours",), lambda c: T.rate(c["sun_h_per_day"], T.TCI_SUN_EDGES, T.TCI_SUN_RATINGS)),
        Component("wind", 2, ("wind_kmh",), lambda c: T.rate(c["wind_kmh"], T.TCI_WIND_EDGES, T.TCI_WIND_RATINGS)),
    )))
