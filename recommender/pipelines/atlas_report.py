"""The statistics block of data/README.md, written by the build: a function of the build's
statistics (`summary` of the tables plus the stages' own records: imputation, wet days,
harmonisation, agreement, cross-check), so it can be regenerated and tested without a build.

Units as in the tables: °C, mm, %, days; shares as percentages of all normals rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..climate import agreement
from ..climate.variables import PROVENANCE, VARIABLES, src_column
from ..places.countries import country_name
from ..storage import atomic_write_text


def summary(cities, pairs, normals, report_counts: dict, n_endpoints: int, n_climate: int,
            curated_source: str, curated_countries: tuple[str, ...]) -> dict:
    """The counts and shares of the written tables (cities, pairs, normals), the build report's
    rows by kind (`report_counts`), and the pairs of the curated table (`curated_source`, the
    label in pairs.csv; `curated_countries`, the ISO codes of its two ends)."""
    shares = {}
    for v in VARIABLES:
        c = normals[src_column(v)].value_counts(normalize=True)
        shares[v] = {k: float(c.get(k, 0.0)) for k in PROVENANCE}
    curated = pairs["source"].str.split(";").map(lambda s: curated_source in s)
    with_climate = set(cities.loc[cities["has_climate"], "city_id"])
    served = pairs["city_a"].isin(with_climate) & pairs["city_b"].isin(with_climate)
    hek = pairs["source"].str.contains("hekman")
    return {
        "n_pairs_served": int(served.sum()),
        "n_hekman_pairs": int(hek.sum()),
        "n_hekman_pairs_served": int((served & hek).sum()),
        "n_cities_gridded_only": int((cities["climate_note"] == "gridded").sum()),
        "n_climate_names": n_climate,
        "n_cities": len(cities),
        "n_cities_with_climate": int(cities["has_climate"].sum()),
        "n_countries": cities["country"].nunique(),
        "n_pairs": len(pairs),
        "curated_pairs": {"label": "–".join(country_name(c) for c in curated_countries), "n": int(curated.sum())},
        "n_rows": len(normals),
        "n_endpoints": n_endpoints,
        "shares": shares,
        "report_counts": dict(sorted(report_counts.items())),
    }


STATS_BEGIN = "<!-- stats:begin (written by the build; do not edit) -->"
STATS_END = "<!-- stats:end -->"


def stats_markdown(stats: dict) -> str:
    """The statistics block (markdown) from the build's statistics: `summary`'s keys plus
    "list_pairs", "gridded_masked" and the stages' records "imputation", "harmonisation",
    "wet_days", "agreement" and "cross_check"."""
    lines = [
        f"- Climate-table cities read: {stats['n_climate_names']:,}",
        f"- Registry: **{stats['n_cities']:,} cities** in {stats['n_countries']} countries, "
        f"{stats['n_cities_with_climate']:,} with climate normals",
        f"- Sister-city pairs: **{stats['n_pairs']:,}** ({stats['curated_pairs']['label']}: {stats['curated_pairs']['n']})",
        f"- Normals rows (city × month): {stats['n_rows']:,}",
        f"- Distinct sister-city endpoints examined (Hekman list): {stats['n_endpoints']:,}",
        f"- Pairs served with 12 months of climate at both ends: **{stats['n_pairs_served']:,} of {stats['n_pairs']:,}**; "
        f"of the {stats['list_pairs']:,} distinct pairs of the Hekman list, {stats['n_hekman_pairs_served']:,} "
        f"(**{100 * stats['n_hekman_pairs_served'] / stats['list_pairs']:.1f} %**) are served",
        f"- Cities whose climate is gridded only (no station table): {stats['n_cities_gridded_only']:,}",
        "",
        "Provenance share per variable (of all normals rows):",
        "",
        "| variable | " + " | ".join(PROVENANCE) + " |",
        "|---" * (len(PROVENANCE) + 1) + "|",
    ]
    for v, s in stats["shares"].items():
        lines.append(f"| `{v}` | " + " | ".join(f"{100 * s[k]:.1f} %" for k in PROVENANCE) + " |")
    lines += ["", "Imputation skill (5-fold cross-validation blocked in space — whole 5° cells held out — on "
              "city-months where the value is known):", "",
              "| target | training rows (cities) | MAE | RMSE | MAE of predicting the mean |", "|---|---|---|---|---|"]
    for name, r in stats["imputation"].items():
        if name == "rhum_pct":
            lines.append(f"| relative humidity (%) | {r.n_train_rows:,} ({r.n_train_cities:,}) | {r.mae:.1f} % | {r.rmse:.1f} % | {r.baseline_mae:.1f} % |")
        else:
            lines.append(f"| relative sunshine S/S₀ | {r.n_train_rows:,} ({r.n_train_cities:,}) | {r.mae:.3f} | {r.rmse:.3f} | {r.baseline_mae:.3f} |")
    h = stats["harmonisation"]
    lines += ["", "Gridded climatology (`recommender/sources/gridded.py`) against the station tables, at the "
              "climate-table cities with a point within 75 km. Point-months blanked as inconsistent (temperatures out "
              "of order or out of range): " + ", ".join(f"{k} {v:,}" for k, v in stats["gridded_masked"].items())
              + ". Which climatology, by its raw error (nearest point):", "",
              "| variable | WorldClim 1.4: median / p95 | CRU CL 2.0: median / p95 |", "|---|---|---|"]
    for v, by in h.choice.items():
        wc, cru = by.get("worldclim", (np.nan, np.nan)), by.get("cru", (np.nan, np.nan))
        lines.append(f"| `{v}` | {wc[0]:.2f} / {wc[1]:.2f} | {cru[0]:.2f} / {cru[1]:.2f} |")
    lines += ["", "Temperatures after the period adjustment (offsets by month and 15° latitude band, shrunk towards "
              "the global monthly offset), with the error cross-validated in 5-fold **spatially blocked** folds "
              "(whole 5° cells held out):", "",
              "| variable | city-months | raw median / p95 (°C) | adjusted median / p95 (°C) |", "|---|---|---|---|"]
    for v in ("tmean_c", "tmax_c", "tmin_c"):
        e = h.errors[v]
        lines.append(f"| `{v}` | {e['n']:,} | {e['raw'][0]:.2f} / {e['raw'][1]:.2f} | {e['adjusted'][0]:.2f} / {e['adjusted'][1]:.2f} |")
    imp = stats["imputation"]
    w = stats["wet_days"]
    lines += ["", f"Wet days on one threshold (≥ 1 mm): {w.n_fine:,} tables count days ≥ 0.1 mm (their yearly total at "
              f"least {w.ratio_split} of CRU's > 0.1 mm days at the place) and are multiplied by {w.factor:.3f} (the ratio "
              f"of the two groups' medians); {w.n_coarse:,} count ≥ 1 mm days and are kept; {w.n_unknown:,} have no "
              "gridded point to compare with and are kept.",
              "", f"Other variables, gridded against measured (wet days: CRU's days > 0.1 mm × {h.wet_factor:.3f}, the "
              "factor fitted to the tables' ≥ 1 mm wet days), and the imputation they replace where a table lacks them:", "",
              "| variable | city-months | gridded MAE | gridded median / p95 | imputation MAE (blocked CV) |", "|---|---|---|---|---|"]
    for v, label, unit, imputed in (("rhum_pct", "relative humidity", "%", imp["rhum_pct"].mae),
                                    ("sun_frac", "relative sunshine S/S₀", "", imp["sun_frac"].mae),
                                    ("wet_days", "wet days", "days", None), ("prcp_mm", "precipitation", "mm", None)):
        e = h.errors[v]
        dec = 3 if v == "sun_frac" else 1
        lines.append(f"| {label} | {e['n']:,} | {e['mae']:.{dec}f} {unit} | {e['raw'][0]:.{dec}f} / {e['raw'][1]:.{dec}f} | "
                     + (f"{imputed:.{dec}f} {unit}" if imputed is not None else "— (not imputed)") + " |")
    a, c = stats["agreement"], stats["cross_check"]
    t = a.tolerances
    lines += ["", "Cross-source agreement (`recommender/climate/agreement.py`; mean temperatures of two independent "
              f"estimates at the same place). Tolerances measured on the {t.n_good:,} station tables where both "
              f"sources are good (a gridded point within {a.good_km:.0f} km and {a.good_dz_m:.0f} m of elevation, the two "
              f"climatologies within {a.good_grid_c:.1f} °C of each other), at their {100 * agreement.QUANTILE:.0f}th "
              f"percentile: annual means {t.annual_c:.2f} °C, seasonal ranges {t.amplitude_c:.2f} °C, seasonal "
              f"correlation ≥ {t.min_correlation:.2f} (where the range is ≥ {agreement.MIN_AMPLITUDE_C:.0f} °C); a month "
              f"agrees within {t.month_agree_c:.2f} °C (90th percentile) and disagrees beyond {t.month_tolerance_c:.2f} °C.",
              "",
              f"- Station tables checked: {a.n_checked:,}; before the check {100 * a.shares['> 3 °C']:.1f} % disagreed with "
              f"the gridded estimate by more than 3 °C and {100 * a.shares['> 5 °C']:.1f} % by more than 5 °C (annual mean)",
              f"- Tables not used: **{a.n_dropped:,}** (`climate_disagrees` in the report): "
              f"{a.n_dropped - a.n_dropped_by_neighbours:,} disagree with the gridded data however the elevation is "
              f"treated while the two climatologies agree, {a.n_dropped_by_neighbours:,} of the {a.n_by_neighbours:,} "
              f"with no gridded point near disagree with the station tables within {a.neighbour_km:.0f} km; "
              f"disputed but kept (the climatologies disagree too, graded low): {a.n_kept_disputed:,}; "
              f"nothing to check them against (kept, never lent as a proxy): {len(a.unlendable):,}",
              f"- Gridded cities whose temperatures come from CRU because the station tables nearby side with it: "
              f"{c.n_switched:,}; disputed with no table within {c.neighbour_km:.0f} km: {c.n_open:,}",
              "", "| cities | n | two estimates > 3 °C apart | > 5 °C apart |", "|---|---|---|---|"]
    for kind, label in (("table", "with a station table (table vs WorldClim)"), ("gridded", "gridded (WorldClim vs CRU)")):
        sh = c.shares[kind]
        lines.append(f"| {label} | {sh['n']:,} | {100 * sh['> 3 °C']:.1f} % | {100 * sh['> 5 °C']:.1f} % |")
    lines += ["", "Build report (`build_report.csv`) rows by kind:", ""]
    lines += [f"- `{k}`: {n:,}" for k, n in stats["report_counts"].items()]
    return "\n".join(lines)


def write_readme_stats(path: Path, stats: dict) -> None:
    """Replace the statistics block of data/README.md (the rest is hand-written)."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Data\n\n{STATS_BEGIN}\n{STATS_END}\n"
    if STATS_BEGIN not in text:
        text += f"\n{STATS_BEGIN}\n{STATS_END}\n"
    head, rest = text.split(STATS_BEGIN, 1)
    _, tail = rest.split(STATS_END, 1)
    atomic_write_text(path, f"{head}{STATS_BEGIN}\n{stats_markdown(stats)}\n{STATS_END}{tail}")


