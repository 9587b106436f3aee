"""How often each flag of what the indices do not rate fires over the embedded atlas (issue 17).

    PYTHONPATH=. python benchmarks/bench_flags.py

Prints, per flag of recommender/flags.py (FLAGS): the city-months and the cities it fires on (of
all city-months and cities with climate data), and for the regional seasons the cities per
region; then the flagged city-months that score "good" (≥ 60) under each index — the months a
traveller would otherwise not be warned about. Not speed: counts (flags do not depend on the
index, except none; the scores do).
"""

from __future__ import annotations

import numpy as np

from recommender import flags as fl
from recommender import load_atlas
from recommender.comfort.indices import INDICES
from recommender.recommend import Recommender
from recommender.rules import GOOD


def main() -> None:
    rec = Recommender(load_atlas())
    sc = rec.scored("urban")
    f = sc.flags
    n = len(sc.ids)
    print(f"{n:,} cities with climate data, {12 * n:,} city-months")
    print(f"{'flag':<18}{'kind':<18}{'city-months':>12}{'share':>8}{'cities':>8}")
    for flag in fl.FLAGS:
        m = f.masks[flag.code]
        print(f"{flag.code:<18}{flag.kind:<18}{int(m.sum()):>12,}{100 * m.mean():>7.2f}%{int(m.any(axis=1).sum()):>8,}")
    anyflag = np.any(np.stack(list(f.masks.values())), axis=0)
    print(f"{'any flag':<36}{int(anyflag.sum()):>12,}{100 * anyflag.mean():>7.2f}%{int(anyflag.any(axis=1).sum()):>8,}")
    for name, regions, per_city in (("cyclone basins", fl.CYCLONE_BASINS, f.basins), ("monsoon", fl.MONSOON_REGIONS, f.monsoon),
                                    ("poor air", fl.AIR_REGIONS, f.air)):
        codes = dict.fromkeys(fl.basin_of(r) for r in regions)
        counts = {c: sum(c in t for t in per_city) for c in codes}
        print(f"{name}: " + ", ".join(f"{c} {k:,}" for c, k in counts.items()) + " cities")
    print("flagged city-months scoring good (≥ 60):")
    for key, index in INDICES.items():
        s = rec.scored(index.key).score
        good = s >= GOOD
        print(f"  {index.name:<10}" + ", ".join(f"{flag.code} {int((f.masks[flag.code] & good).sum()):,}"
                                                for flag in fl.FLAGS))


if __name__ == "__main__":
    main()
