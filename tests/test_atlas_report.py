"""pipelines/atlas_report.py: the statistics block of data/README.md as a function of the
build's statistics (no build needed), the block replaced in place, and the summary of the tables."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from recommender.climate import agreement
from recommender.climate.variables import PROVENANCE, VARIABLES, src_column
from recommender.climate.wetdays import WetDayThresholds
from recommender.pipelines import atlas_report as A
from recommender.pipelines import build_atlas as B


def stats():
    err = {"raw": (0.5, 1.9), "adjusted": (0.47, 1.76), "n": 20472}
    other = {"raw": (2.3, 14.4), "mae": 4.0, "n": 16596}
    tol = agreement.Tolerances(2.42, 3.2, 0.8, 1953, 1.36, 2.85)
    return {
        "n_climate_names": 2792, "n_cities": 16403, "n_countries": 208, "n_cities_with_climate": 16251,
        "n_pairs": 24058, "curated_pairs": {"label": "China–Pakistan", "n": 19}, "n_rows": 195012,
        "n_endpoints": 17717, "n_pairs_served": 23728, "list_pairs": 25914, "n_hekman_pairs_served": 23661,
        "n_cities_gridded_only": 14538,
        "shares": {v: {k: 1.0 if k == "gridded" else 0.0 for k in PROVENANCE} for v in VARIABLES},
        "imputation": {"rhum_pct": SimpleNamespace(n_train_rows=16932, n_train_cities=397, mae=4.7, rmse=6.5, baseline_mae=11.1),
                       "sun_frac": SimpleNamespace(n_train_rows=15263, n_train_cities=395, mae=0.051, rmse=0.069,
                                                   baseline_mae=0.137)},
        "harmonisation": B.Harmonisation({}, 0.657, {"tmean_c": err, "tmax_c": err, "tmin_c": err, "rhum_pct": other,
                                                     "sun_frac": other, "wet_days": other, "prcp_mm": other},
                                         {"tmean_c": {"worldclim": (0.5, 1.9), "cru": (0.6, 2.3)},
                                          "prcp_mm": {"worldclim": (5.3, 49.8)}}),
        "gridded_masked": {"cru": 0, "worldclim": 9},
        "wet_days": WetDayThresholds(0.627, 1333, 446, 696),
        "agreement": B.TableCheck(tol, 2468, 47, 26, {"> 3 °C": 0.009, "> 5 °C": 0.003}, 17, 2, {1, 2}),
        "cross_check": B.CrossCheck({"table": {"> 3 °C": 0.001, "> 5 °C": 0.0, "n": 1560},
                                     "gridded": {"> 3 °C": 0.006, "> 5 °C": 0.001, "n": 14507}}, 9, 35),
        "report_counts": {"climate_copy": 6, "no_climate": 304},
    }


def test_stats_markdown_is_a_function_of_the_stats():
    md = A.stats_markdown(stats())
    assert "- Sister-city pairs: **24,058** (China–Pakistan: 19)" in md
    assert "(**91.3 %**) are served" in md
    assert "their yearly total at least 0.82 of CRU's > 0.1 mm days" in md and "multiplied by 0.627" in md
    assert "a gridded point within 25 km and 200 m of elevation, the two climatologies within 1.0 °C" in md
    assert "the station tables within 200 km;" in md and "disputed with no table within 100 km: 35" in md
    assert "| `prcp_mm` | 5.30 / 49.80 | nan / nan |" in md          # a climatology the build went without
    assert "nothing to check them against (kept, never lent as a proxy): 2" in md
    assert md.endswith("- `climate_copy`: 6\n- `no_climate`: 304")


def test_the_readme_block_is_replaced_and_the_rest_kept(tmp_path):
    p = tmp_path / "README.md"
    p.write_text(f"# Data\n\nhand-written\n\n{A.STATS_BEGIN}\nold figures\n{A.STATS_END}\n\ntail\n", encoding="utf-8")
    A.write_readme_stats(p, stats())
    text = p.read_text(encoding="utf-8")
    assert text.startswith("# Data\n\nhand-written\n\n") and text.endswith(f"{A.STATS_END}\n\ntail\n")
    assert "old figures" not in text and A.stats_markdown(stats()) in text
    fresh = tmp_path / "new.md"
    A.write_readme_stats(fresh, stats())
    assert A.STATS_BEGIN in fresh.read_text(encoding="utf-8")


def test_summary_counts_the_curated_pairs_by_their_label():
    cities = pd.DataFrame({"city_id": ["a", "b", "c"], "country": ["CN", "PK", "PK"], "has_climate": [True, True, False],
                           "climate_note": ["wikipedia", "gridded", "none"]})
    pairs = pd.DataFrame({"city_a": ["a", "a"], "city_b": ["b", "c"],
                          "source": ["china_pakistan_pairs;hekman", "hekman"]})
    normals = pd.DataFrame({src_column(v): ["measured", "gridded"] for v in VARIABLES})
    s = A.summary(cities, pairs, normals, {"x": 1}, 5, 7, "china_pakistan_pairs", ("CN", "PK"))
    assert s["curated_pairs"] == {"label": "China–Pakistan", "n": 1}
    assert (s["n_pairs_served"], s["n_hekman_pairs"], s["n_hekman_pairs_served"]) == (1, 2, 1)
    assert s["shares"]["tmax_c"]["measured"] == 0.5 and s["report_counts"] == {"x": 1}
    assert np.isclose(sum(s["shares"]["wind_kmh"].values()), 1.0)
