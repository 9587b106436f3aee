"""Where the embedded data, the shared raw data and the user's refreshed store live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_DIR / "data"


def data_dir() -> Path:
    """The embedded atlas: $RECOMMENDER_DATA (tests point it at a damaged copy) or data/."""
    env = os.environ.get("RECOMMENDER_DATA")
    return Path(env) if env else DATA_DIR
APP_NAME = "sister-city-recommender"


def default_shared_data_dir() -> Path:
    """Raw public data sets: $RECOMMENDER_SHARED_DATA or ../shared/data beside the repository."""
    env = os.environ.get("RECOMMENDER_SHARED_DATA")
    return Path(env) if env else REPO_DIR.parent / "shared" / "data"


def user_store_dir() -> Path:
    """Refreshed Meteostat normals: $RECOMMENDER_HOME or the platform's user data directory."""
    env = os.environ.get("RECOMMENDER_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))
