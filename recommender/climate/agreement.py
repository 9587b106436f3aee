"""Agreement of two independent estimates of a place's monthly mean temperatures (°C).

Three measures, each over the 12 months of (cities, 12) arrays (NaN months ignored):
- `annual`: |difference of the annual means| (°C) — a table copied from a namesake in another
  climate (Lipa, Philippines, on a Czech town) fails it;
- `amplitude`: |difference of the seasonal ranges, warmest − coldest month| (°C) — a southern
  table on a northern town, or a continental one on an island, fails it;
- `correlation`: Pearson's r of the two seasonal cycles — reversed seasons give r ≈ −1. It is
  judged only where the seasonal range is at least MIN_AMPLITUDE_C (in the inner tropics the
  cycle is too flat for r to mean anything; the two other measures still hold there).

`Tolerances.from_good` chooses the limits from the data: the distribution of each measure
where both sources are known to be good (the caller says which), at quantile QUANTILE, never
below a floor. `disagrees` says which cities exceed any limit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

MIN_AMPLITUDE_C = 4.0
QUANTILE = 0.99
MIN_MONTHS = 10
MIN_GOOD = 30            # fewer good cities than this (a build without the gridded data): FALLBACK


@dataclass
class Measures:
    """Per city: the three measures and the number of months both estimates have."""

    annual: np.ndarray
    amplitude: np.ndarray
    correlation: np.ndarray
    months: np.ndarray


def measures(a: np.ndarray, b: np.ndarray) -> Measures:
    """The three measures between (cities, 12) arrays a and b."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    both = ~np.isnan(a) & ~np.isnan(b)
    n = both.sum(axis=1)
    A, B = np.where(both, a, np.nan), np.where(both, b, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # all-NaN cities: NaN measures
        ma, mb = np.nanmean(A, axis=1), np.nanmean(B, axis=1)
        annual = np.abs(ma - mb)
        amp_a = np.nanmax(A, axis=1) - np.nanmin(A, axis=1)
        amp_b = np.nanmax(B, axis=1) - np.nanmin(B, axis=1)
        da, db = A - ma[:, None], B - mb[:, None]
        r = np.nansum(da * db, axis=1) / np.sqrt(np.nansum(da**2, axis=1) * np.nansum(db**2, axis=1))
    flat = np.fmax(amp_a, amp_b) < MIN_AMPLITUDE_C
    few = n < MIN_MONTHS
    nan = np.full(len(n), np.nan)
    return Measures(np.where(few, nan, annual), np.where(few, nan, np.abs(amp_a - amp_b)),
                    np.where(few | flat, nan, r), n)


@dataclass
class Tolerances:
    """Limits beyond which two estimates disagree: annual and amplitude in °C, correlation r."""

    annual_c: float
    amplitude_c: float
    min_correlation: float
    n_good: int                 # cities the limits were measured on
    month_agree_c: float        # a month agreeing this well is "agree" (confidence high)
    month_tolerance_c: float    # a month differing more than this "disagrees"

    @classmethod
    def from_good(cls, m: Measures, monthly_diff: np.ndarray, good: np.ndarray,
                  floors=(1.5, 1.5, 0.8, 1.0, 2.0)) -> "Tolerances":
        """Quantile QUANTILE of each measure over the `good` cities (the lowest correlations at
        1 − QUANTILE), with floors (annual, amplitude, correlation ceiling, month agree, month
        tolerance) so that a very clean sample does not make the limits absurdly tight."""
        g = np.asarray(good, bool)
        if g.sum() < MIN_GOOD:
            return FALLBACK

        def q(x, p):
            x = np.asarray(x, float)[g]
            x = x[~np.isnan(x)]
            return float(np.quantile(x, p)) if x.size else np.nan

        md = np.asarray(monthly_diff, float)[g]
        md = md[~np.isnan(md)]
        return cls(annual_c=round(max(q(m.annual, QUANTILE), floors[0]), 2),
                   amplitude_c=round(max(q(m.amplitude, QUANTILE), floors[1]), 2),
                   min_correlation=round(min(q(m.correlation, 1 - QUANTILE), floors[2]), 3),
                   n_good=int(g.sum()),
                   month_agree_c=round(max(float(np.quantile(md, 0.9)), floors[3]), 2),
                   month_tolerance_c=round(max(float(np.quantile(md, QUANTILE)), floors[4]), 2))

    def disagrees(self, m: Measures) -> np.ndarray:
        """Cities whose estimates disagree beyond any limit (NaN measures do not count)."""
        with np.errstate(invalid="ignore"):
            return (m.annual > self.annual_c) | (m.amplitude > self.amplitude_c) | (m.correlation < self.min_correlation)

    def why(self, m: Measures, i: int) -> str:
        """The measures of city i in words, for the build report."""
        parts = [f"annual means {m.annual[i]:.1f} °C apart (limit {self.annual_c:.1f})",
                 f"seasonal ranges {m.amplitude[i]:.1f} °C apart (limit {self.amplitude_c:.1f})"]
        if not np.isnan(m.correlation[i]):
            parts.append(f"seasonal correlation {m.correlation[i]:.2f} (limit {self.min_correlation:.2f})")
        return "; ".join(parts)


# The limits the full build measured (1,953 good tables, 2026-12-02), for a build with too few
# good cities to measure its own (`build-atlas --without worldclim --without cru`).
FALLBACK = Tolerances(annual_c=2.42, amplitude_c=3.2, min_correlation=0.8, n_good=0, month_agree_c=1.36,
                      month_tolerance_c=2.85)
