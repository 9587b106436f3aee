"""Imputation of missing relative humidity and sunshine with scikit-learn.

Model: a histogram gradient-boosting regressor per target, trained on the city-months where
the value is known. Features describe the place (latitude, |latitude|, longitude, elevation),
the season (month as a hemisphere-aware angle) and the month's own climate (tmax, tmin, diurnal
range, tmean, precipitation, wet days) plus the city's annual climate (mean temperature, annual
range, annual precipitation). Gradient boosting tolerates missing features (NaN).

Skill is measured by 5-fold cross-validation blocked in space (whole 5° cells held out), so
neither a city's own months nor its neighbours' (nor a copy of its table under another name)
sit on both sides of a split: the error is what a city in an unseen region should expect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import GroupKFold

SEED = 20261127


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """Feature matrix for city-month rows with lat, lon, elevation_m, month and the normals."""
    lat = frame["lat"].to_numpy(dtype=float)
    month = frame["month"].to_numpy(dtype=float)
    # Season angle: shift the southern hemisphere by six months so "midsummer" aligns.
    phase = 2 * np.pi * ((month - 1 + np.where(lat < 0, 6, 0)) % 12) / 12.0
    by_city = frame.groupby("city_id")
    out = pd.DataFrame(
        {
            "lat": lat,
            "abs_lat": np.abs(lat),
            "lon": frame["lon"].to_numpy(dtype=float),
            "elevation_m": frame["elevation_m"].to_numpy(dtype=float),
            "season_sin": np.sin(phase),
            "season_cos": np.cos(phase),
            "tmax_c": frame["tmax_c"].to_numpy(dtype=float),
            "tmin_c": frame["tmin_c"].to_numpy(dtype=float),
            "dtr_c": (frame["tmax_c"] - frame["tmin_c"]).to_numpy(dtype=float),
            "tmean_c": frame["tmean_c"].to_numpy(dtype=float),
            "prcp_mm": frame["prcp_mm"].to_numpy(dtype=float),
            "wet_days": frame["wet_days"].to_numpy(dtype=float),
            "annual_tmean_c": by_city["tmean_c"].transform("mean").to_numpy(dtype=float),
            "annual_range_c": (
                by_city["tmean_c"].transform("max") - by_city["tmean_c"].transform("min")
            ).to_numpy(dtype=float),
            "annual_prcp_mm": by_city["prcp_mm"].transform("sum").to_numpy(dtype=float),
        },
        index=frame.index,
    )
    return out


def _model() -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        max_iter=300, learning_rate=0.06, max_leaf_nodes=31, min_samples_leaf=20,
        l2_regularization=1.0, early_stopping=False, random_state=SEED,
    )


@dataclass
class ImputationResult:
    """Predictions for the missing rows and the cross-validated skill of the model."""

    predictions: pd.Series
    mae: float
    rmse: float
    baseline_mae: float  # predicting the training mean: what the model must beat
    n_train_rows: int
    n_train_cities: int


def impute(frame: pd.DataFrame, target: str, lo: float, hi: float,
           usable: np.ndarray | None = None) -> ImputationResult:
    """Fit on rows where `target` is known, predict where it is NaN; clip to [lo, hi].

    `usable` (bool per row, default all) excludes rows from both training and prediction.
    Returns the predictions (index of the missing rows) and spatially blocked 5-fold CV errors.
    """
    X = features(frame)
    y = frame[target].to_numpy(dtype=float)
    usable = np.ones(len(y), dtype=bool) if usable is None else np.asarray(usable, dtype=bool)
    known = ~np.isnan(y) & usable
    # folds blocked in space: whole 5° cells are held out, so a city's neighbours (or a copy of
    # its table under another name) cannot sit on both sides of a split
    groups = (np.floor((frame["lat"].to_numpy(float) + 90) / 5) * 1000 + np.floor((frame["lon"].to_numpy(float) + 180) / 5)).astype(int)
    Xk, yk, gk = X[known], y[known], groups[known]
    errors, base_errors = [], []
    for train, test in GroupKFold(n_splits=5).split(Xk, yk, gk):
        m = _model().fit(Xk.iloc[train], yk[train])
        pred = np.clip(m.predict(Xk.iloc[test]), lo, hi)
        errors.append(pred - yk[test])
        base_errors.append(yk[train].mean() - yk[test])
    err = np.concatenate(errors)
    base = np.concatenate(base_errors)
    model = _model().fit(Xk, yk)
    missing = np.isnan(y) & usable
    preds = pd.Series(np.clip(model.predict(X[missing]), lo, hi), index=frame.index[missing]) \
        if missing.any() else pd.Series(dtype=float)
    return ImputationResult(
        predictions=preds,
        mae=float(np.mean(np.abs(err))),
        rmse=float(np.sqrt(np.mean(err**2))),
        baseline_mae=float(np.mean(np.abs(base))),
        n_train_rows=int(known.sum()),
        n_train_cities=int(len(np.unique(gk))),
    )
