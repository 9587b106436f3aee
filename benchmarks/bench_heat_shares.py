"""Heat and missing-thermal report of the comfort indices over the embedded atlas (issue 17).

    PYTHONPATH=. python benchmarks/bench_heat_shares.py

Prints, per index: the city-months whose mean afternoon maximum is ≥ 40 °C and the share of them
scoring ≥ 80; the same for the typical afternoon's UTCI ≥ 38 °C ("very strong heat stress" or
worse, the product's own UTCI); the city-months scored without a thermal rating and those left
without a score; then the validation cases' margins (tests/test_validation_cases.py: the mean
score of the recommended months minus that of the months advised against) and the Ürümqi–Karachi
windows. Goals (issue 17): both heat shares ≤ 5 % under every index, zero city-months scored
without a thermal rating, every margin positive, windows Nov–Mar / Apr–Oct.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from recommender import load_atlas  # noqa: E402
from recommender.comfort.indices import INDICES  # noqa: E402
from recommender.recommend import Recommender  # noqa: E402

HOT_TMAX_C, HOT_UTCI_C, HIGH_SCORE = 40.0, 38.0, 80.0
THERMAL_KEYS = ("thermal", "daytime_comfort")   # the thermal component of each built-in index


def heat_rows(rec: Recommender) -> list[str]:
    lines = [f"{'index':<10} {'tmax≥40':>8} {'≥80':>7} {'UTCI≥38':>8} {'≥80':>7} {'no-thermal':>10} "
             f"{'unscored':>8} {'median(UTCI≥38)':>15}"]
    for index in INDICES.values():
        f = rec.scored(index).frame
        score = f["score"].to_numpy(dtype=float)
        hot = f["tmax_c"].to_numpy(dtype=float) >= HOT_TMAX_C
        stress = f["utci_c"].to_numpy(dtype=float) >= HOT_UTCI_C
        thermal = [f"r_{c.key}" for c in index.components if c.key in THERMAL_KEYS]
        no_thermal = np.zeros(len(f), dtype=bool)
        for col in thermal:
            no_thermal |= f[col].isna().to_numpy()
        scored_without = int((no_thermal & ~np.isnan(score)).sum())
        unscored = int(np.isnan(score).sum())

        def share(mask):
            return f"{100 * np.mean(score[mask] >= HIGH_SCORE):6.1f}%" if mask.any() else "     –"

        med = f"{np.nanmedian(score[stress]):.1f}" if stress.any() else "–"
        lines.append(f"{index.key:<10} {int(hot.sum()):>8} {share(hot):>7} {int(stress.sum()):>8} {share(stress):>7} "
                     f"{scored_without:>10} {unscored:>8} {med:>15}")
    return lines


def margin_rows(rec: Recommender) -> list[str]:
    from test_validation_cases import SEASONS

    sc = rec.scored("urban")
    lines = ["validation margins (HCI:Urban, recommended − avoided):"]
    for city, (good, bad, _source) in SEASONS.items():
        s = sc.series(rec.city(city))
        lines.append(f"  {city:<12} {np.mean(s[[m - 1 for m in good]]) - np.mean(s[[m - 1 for m in bad]]):7.1f}")
    tci = rec.scored("tci")
    north = np.mean(tci.series("bergen"))
    for south in ("athens", "rome", "madrid"):
        lines.append(f"  TCI {south} − bergen (annual): {np.mean(tci.series(south)) - north:6.1f}")
    palma = tci.series("palma")
    lines.append(f"  TCI palma July − January: {palma[6] - palma[0]:6.1f}")
    try:   # the issue-17 cases (absent from older checkouts)
        from test_validation_cases import HOT_SUMMERS
    except ImportError:
        HOT_SUMMERS = {}
    for style in ("urban", "beach", "tci"):
        s2 = rec.scored(style)
        parts = []
        for city, (hot, season, _source) in HOT_SUMMERS.items():
            s = s2.series(city)
            parts.append(f"{city} max(hot) {np.max(s[[m - 1 for m in hot]]):.1f}, season−hot "
                         f"{np.mean(s[[m - 1 for m in season]]) - np.mean(s[[m - 1 for m in hot]]):.1f}")
        nk, lh = s2.series("nordkapp"), s2.series("lhasa")
        parts.append(f"nordkapp Jan {nk[0]:.1f}, Jun–Aug − Dec–Feb {np.mean(nk[[5, 6, 7]]) - np.mean(nk[[11, 0, 1]]):.1f}")
        parts.append(f"lhasa Apr–Oct − Dec–Feb {np.mean(lh[3:10]) - np.mean(lh[[11, 0, 1]]):.1f}")
        lines.append(f"  {style:<6} " + "; ".join(parts))
    for style in ("urban", "beach", "tci"):
        ex = rec.exchange("urumqi", "karachi", style)
        lines.append(f"  {style:<6} Ürümqi→Karachi {ex.a_to_b}  Karachi→Ürümqi {ex.b_to_a}")
    return lines


def main() -> None:
    rec = Recommender(load_atlas(store_dir=Path(__file__).resolve().parent / "no-store-here"))
    print("\n".join([*heat_rows(rec), "", *margin_rows(rec)]))


if __name__ == "__main__":
    main()
