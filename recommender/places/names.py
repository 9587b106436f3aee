"""Place names and distances, for the build and the runtime alike."""

from __future__ import annotations

import re

import numpy as np
from unidecode import unidecode

EARTH_RADIUS_KM = 6371.0088


def normalize_name(name: str) -> str:
    """Compare-form of a place name: ASCII, lower case, no punctuation, single spaces."""
    s = unidecode(str(name)).casefold()
    s = re.sub(r"['`’]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = re.sub(r"\bsaint\b", "st", s)
    return s.strip()


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (km) between points given in degrees; broadcasts."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def slugify(text: str) -> str:
    """ASCII slug of a name: "Ürümqi" → "urumqi"."""
    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
