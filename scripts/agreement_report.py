"""How often an atlas's annual mean temperatures disagree with an independent reconstruction.

    python scripts/agreement_report.py [--data data] [--shared ../shared/data]

The reference is the same for every atlas compared (so that two builds can be set side by side):
CRU CL 2.0 at the city's coordinates by the rule of sources/gridded.py, moved to the elevation
that places/elevation.py gives the town (terrain, or a nearby station that fits the terrain). It
is independent of the atlas's own elevations and of WorldClim, which most gridded cities use.
Prints, for cities with a station table and for gridded cities, the share whose annual mean
differs from the reference by more than 3 °C and by more than 5 °C, and the ratio of the two
kinds' > 5 °C shares (gridded ÷ table).
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.paths import DATA_DIR, default_shared_data_dir
from recommender.pipelines.build_atlas import station_context
from recommender.sources import gridded
from recommender.sources.meteostat import read_station_register


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA_DIR)
    ap.add_argument("--shared", type=Path, default=default_shared_data_dir())
    args = ap.parse_args()
    cities = pd.read_csv(args.data / "cities.csv", keep_default_na=False, na_values=[""])
    normals = pd.read_parquet(args.data / "normals.parquet", columns=["city_id", "month", "tmean_c"])
    annual = normals.groupby("city_id")["tmean_c"].mean()
    cities = cities[cities["city_id"].isin(annual.index)].reset_index(drop=True)
    stations = read_station_register(args.shared / "meteostat_stations" / "stations_all_flat.csv")
    _, elev, _ = station_context(stations, cities["lat"], cities["lon"])
    cru = gridded.read_points(args.shared)["cru"]
    ref = gridded.sample(cru, cities["lat"], cities["lon"], elev, ["tmean_c"]).values["tmean_c"]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # cities with no CRU point: NaN
        diff = np.abs(annual.reindex(cities["city_id"]).to_numpy() - np.nanmean(ref, axis=1))
    kinds = {"station table": cities["climate_note"].eq("wikipedia").to_numpy(),
             "gridded": cities["climate_note"].eq("gridded").to_numpy()}
    print(f"atlas {args.data}: annual mean against CRU CL 2.0 at the town's terrain-checked elevation")
    over5 = {}
    for kind, mask in kinds.items():
        d = diff[mask & ~np.isnan(diff)]
        over5[kind] = float(np.mean(d > 5))
        print(f"  {kind:14s} {len(d):6,} cities   > 3 °C {100 * np.mean(d > 3):5.1f} %   > 5 °C {100 * over5[kind]:5.1f} %")
    if over5["station table"] > 0:
        print(f"  gridded ÷ station-table share > 5 °C: {over5['gridded'] / over5['station table']:.2f}")


if __name__ == "__main__":
    main()
