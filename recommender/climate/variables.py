"""The climate variables of the atlas, declared once: column, unit, decimals, physical range.

Everything else derives from these declarations: the normals schema and its validation, the
decimals written by the build and the refresh, the units shown by charts, exports and the
method panel. One row of the atlas is one city and one calendar month.

Physical ranges are generous bounds a monthly *normal* can never leave (the hottest monthly
mean maximum on record is about 48 °C, the coldest monthly mean minimum about −75 °C; the
wettest monthly normal about 2,800 mm at Mawsynram); a value outside them is a data error,
not weather.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """One climate variable of the normals schema."""

    key: str            # column name in the atlas, unit suffix included
    label: str          # what it is, in words (display; translated by the presentation)
    unit: str           # SI-ish display unit of the stored value
    decimals: int       # decimals kept in the tables
    lo: float           # physical range of a monthly normal (inclusive)
    hi: float
    quantity: str       # "temperature" values convert with the person's unit; others do not


VARIABLE_SPECS: tuple[Variable, ...] = (
    Variable("tmax_c", "mean daily high", "°C", 1, -80.0, 55.0, "temperature"),
    Variable("tmin_c", "mean daily low", "°C", 1, -90.0, 45.0, "temperature"),
    Variable("tmean_c", "daily mean", "°C", 1, -85.0, 50.0, "temperature"),
    Variable("prcp_mm", "precipitation", "mm", 1, 0.0, 5000.0, "amount"),
    Variable("wet_days", "wet days", "days", 1, 0.0, 31.0, "count"),
    Variable("rhum_pct", "humidity", "%", 0, 0.0, 100.0, "fraction"),
    Variable("sun_hours", "sunshine", "h", 1, 0.0, 744.0, "duration"),
    Variable("cloud_pct", "cloud cover", "%", 0, 0.0, 100.0, "fraction"),
    Variable("wind_kmh", "wind", "km/h", 1, 0.0, 150.0, "speed"),
)
SPEC = {v.key: v for v in VARIABLE_SPECS}
VARIABLES = [v.key for v in VARIABLE_SPECS]
DECIMALS = {v.key: v.decimals for v in VARIABLE_SPECS}

# Provenance of every value, best first: as published by a station table / computed by stated
# physics / from a gridded climatology at the city's coordinates / predicted by a model / none.
PROVENANCE = ("measured", "derived", "gridded", "imputed", "missing")
OBSERVED = ("measured", "derived", "gridded")   # rests on observations (coverage counts these)


def src_column(variable: str) -> str:
    """The provenance column of a variable."""
    return f"{variable}_src"


SRC_COLUMNS = [src_column(v) for v in VARIABLES]
NORMALS_COLUMNS = ["city_id", "month", *VARIABLES, *SRC_COLUMNS, "period"]


def round_to_spec(frame, columns=None):
    """Round the variable columns of `frame` in place to their declared decimals; returns it."""
    for v in columns or VARIABLES:
        if v in frame.columns:
            frame[v] = frame[v].astype(float).round(SPEC[v].decimals)
    return frame
