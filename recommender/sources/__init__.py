"""Climate sources, each a module that turns its raw input into normals with per-value
provenance, declared here with its licence, period and priority.

The atlas overlays them per city by `priority` (lower wins): refreshed Meteostat station data
over the Wikipedia tables over the gridded climatologies; within a city of the embedded atlas
the build has already chosen per value (station table > gridded > imputed), and each value's
provenance says which. A new source is a module beside these and one `Source` entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A climate source as the product states it."""

    key: str            # value of the atlas's `data_source` column
    name: str           # display name
    period: str         # reference period of its normals
    licence: str
    attribution: str
    priority: int       # lower wins when two sources give a city


SOURCES: dict[str, Source] = {s.key: s for s in (
    Source("meteostat", "Meteostat station data (refreshed)", "as refreshed (default 1991–2020)", "CC BY 4.0",
           "Meteostat and its data providers", 10),
    Source("wikipedia", "Wikipedia climate tables", "unspecified (varies by table)", "CC BY-SA 4.0",
           "Wikipedia climate tables and the services they cite", 20),
    Source("gridded", "Gridded climatologies CRU CL 2.0 and WorldClim 1.4 at GSOD points", "1961–1990, adjusted to the "
           "station tables' periods",
           "WorldClim 1.4: free for academic and other non-commercial use; redistribution or commercial use not "
           "allowed without prior permission (worldclim.org). CRU CL 2.0: no licence stated by CRU (the data set is "
           "owned by its author, M. New); cite New et al. 2002",
           "New, Lister, Hulme & Makin (2002), Climate Research 21:1–25; Hijmans et al. (2005), Int. J. Climatol. "
           "25:1965–1978; station list NOAA GSOD (public domain); elevations: Mapzen terrain tiles via pvlib", 30),
)}


def by_priority(keys) -> list[str]:
    """Source keys, best first."""
    return sorted(keys, key=lambda k: SOURCES[k].priority)
